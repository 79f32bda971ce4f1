package org.phong.zenflow.logging.sink.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.YearMonth;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * The durable sink: writes batches into the partitioned {@code logs} table with {@code COPY}.
 *
 * <p>{@link #process} on one connection:
 * <ol>
 *   <li>ensure the partitions of the batch's months ({@link PartitionMaintainer}; cached, and in a
 *       committed transaction of its own because it may take ACCESS EXCLUSIVE on {@code logs});</li>
 *   <li><b>fast path</b>: {@code COPY logs FROM STDIN} in the configured format ({@code copy-format}:
 *       binary, {@link BinaryCopyEncoder}, by default; text, {@link CopyEncoder}), streamed in chunks while it is
 *       encoded, commit;</li>
 *   <li>on a unique violation (23505: some of these rows are already stored, typically a retry of
 *       a batch whose commit outcome was unknown) roll back and take the <b>idempotent path</b>:
 *       COPY into a {@code ON COMMIT DROP} temp table, {@code INSERT ... SELECT ... ON CONFLICT DO
 *       NOTHING}, commit. Duplicates inside one batch are collapsed the same way;</li>
 *   <li>on a missing partition (23514, e.g. dropped by retention after it was cached) forget the
 *       batch's months, re-ensure them and retry once;</li>
 *   <li>anything else: roll back and throw; the collector retries the batch.</li>
 * </ol>
 * Around those steps {@link PoisonIsolator}: a batch refused for the content of some of its entries
 * (a data error, {@link ErrorClassifier}) is split until those entries are isolated; they go to the
 * dead-letter table {@code logs_rejected}, every other entry is written, and {@code process} succeeds.
 * A transient error still fails the call and the collector retries the batch forever.
 * Writing the same entries any number of times leaves each {@code (run_id, seq, ts)} exactly once.
 * Both paths raise the batch's runs in the {@code runs} table inside the same transaction, counting
 * only the rows inserted ({@link RunsTableWriter}).
 *
 * <p>Thread-safe: concurrent {@code process} calls use separate connections; the COPY buffer is
 * recycled through a one-slot pool (no ThreadLocal, which would pin the WAR's class loader in
 * Liberty's pooled threads).
 */
public final class PostgresLogSink implements LogSink {
    /** Buffer of the driver's copyIn stream (bytes per write to the socket). */
    private static final int COPY_STREAM_BUFFER_BYTES = 64 * 1024;
    /** Rows encoded before they are sent while a COPY streams (about 30 KiB of typical rows). */
    static final int STREAM_CHUNK_ROWS = 256;

    private static final Logger LOG = Logger.getLogger(PostgresLogSink.class.getName());

    static final String COPY_LOGS = "COPY logs (" + CopyEncoder.COLUMNS + ") FROM STDIN";
    private final org.phong.zenflow.logging.config.CopyFormat format;
    static final String STAGING = "zenflow_logs_staging";
    static final String CREATE_STAGING =
            "CREATE TEMP TABLE " + STAGING + " (LIKE logs INCLUDING DEFAULTS) ON COMMIT DROP";
    static final String COPY_STAGING = "COPY " + STAGING + " (" + CopyEncoder.COLUMNS + ") FROM STDIN";
    static final String MERGE_STAGING = "INSERT INTO logs (" + CopyEncoder.COLUMNS + ") SELECT "
            + CopyEncoder.COLUMNS + " FROM " + STAGING + " ON CONFLICT DO NOTHING";

    private static final String UNIQUE_VIOLATION = "23505";
    /** SQLState class of connection exceptions (08001, 08006, ...). */
    private static final String CONNECTION_EXCEPTION_CLASS = "08";
    /** Buffers that grew beyond this are not kept for the next batch. */
    private static final int MAX_RETAINED_BUFFER = 8 * 1024 * 1024;
    /** Socket timeout = batch timeout x this: the statement timeout answers first while the server is alive. */
    static final int SOCKET_TIMEOUT_FACTOR = 2;

    private final DataSource ds;
    /**
     * A hung database is noticed in seconds: each write's transaction runs under {@code SET LOCAL statement_timeout}
     * of persistence.batch-timeout-ms, and the connection's socket reads give up after twice that (a frozen server
     * answers nothing, not even the cancel a statement timeout sends).
     */
    private final long statementTimeoutMs;
    private final long socketTimeoutMs;
    private final int maxBatchEntries;
    private final PartitionMaintainer partitions;
    /** Per-run aggregates in the same transaction as the rows (the {@code runs} table). */
    private final RunsTableWriter runs;
    private final AtomicReference<CopyRows> spareEncoder = new AtomicReference<>();
    private final AtomicLong rowsWritten = new AtomicLong();
    private final AtomicLong duplicatesSkipped = new AtomicLong();
    private final AtomicLong idempotentBatches = new AtomicLong();
    private volatile boolean lastWriteFailed;
    private final PoisonIsolator poison;

    /**
     * @param ds       the log database, already migrated ({@link SchemaMigrator})
     * @param settings supplies {@code copyMaxRows}
     */
    public PostgresLogSink(DataSource ds, LoggingSettings settings) {
        this(ds, settings, new PartitionMaintainer(ds));
    }

    /**
     * @param ds         the log database, already migrated
     * @param settings   supplies {@code copyMaxRows}
     * @param partitions the partition maintainer to share (e.g. with a scheduled maintenance job)
     */
    public PostgresLogSink(DataSource ds, LoggingSettings settings, PartitionMaintainer partitions) {
        this(ds, settings, partitions, new RunsTableWriter(RunsTableWriter.defaultOwner()));
    }

    /**
     * @param ds         the log database, already migrated
     * @param settings   supplies {@code copyMaxRows}
     * @param partitions the partition maintainer to share
     * @param runs       keeps the {@code runs} table in each batch's transaction (its owner names this node)
     */
    public PostgresLogSink(DataSource ds, LoggingSettings settings, PartitionMaintainer partitions, RunsTableWriter runs) {
        this.ds = ds;
        this.maxBatchEntries = settings.copyMaxRows();
        this.statementTimeoutMs = settings.batchTimeoutMs();
        this.socketTimeoutMs = settings.batchTimeoutMs() * SOCKET_TIMEOUT_FACTOR;
        this.format = settings.copyFormat();
        this.partitions = partitions;
        this.poison = new PoisonIsolator(ds, Clock.systemUTC());
        this.runs = runs;
    }

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public boolean isDurable() {
        return true;
    }

    @Override
    public int maxBatchEntries() {
        return maxBatchEntries;
    }

    /** @return false after a failed {@link #process}, true again after the next success */
    @Override
    public boolean isHealthy() {
        return !lastWriteFailed;
    }

    /** @return rows this sink inserted, over its lifetime */
    public long rowsWritten() {
        return rowsWritten.get();
    }

    /** @return entries not inserted because their {@code (run_id, seq, ts)} was already stored */
    public long duplicatesSkipped() {
        return duplicatesSkipped.get();
    }

    /** @return batches that went through the idempotent staging path */
    public long idempotentBatches() {
        return idempotentBatches.get();
    }

    /** @return what the dead-letter path did since start (entries in {@code logs_rejected}, last rejection) */
    public RejectionStats rejections() {
        return poison.stats();
    }

    /** @return the partition maintainer (for startup / scheduled {@code ensureMonthsAround}) */
    public PartitionMaintainer partitions() {
        return partitions;
    }

    /**
     * Writes the batch idempotently; entries the database refuses for their content go to
     * {@code logs_rejected} (see the class comment).
     *
     * @param entries the batch; entries' ts are stored truncated to microseconds
     * @throws SQLException a transient failure: the batch was not (surely) written; what was committed
     *                      of it is idempotent, so the caller retries the whole batch
     */
    @Override
    public void process(List<LogEntry> entries) throws SQLException {
        if (entries.isEmpty()) return;
        poison.process(entries, this::writeBatch);
        lastWriteFailed = false;
    }

    /** One all-or-nothing write of {@code entries}; nothing is committed when it throws (package-private for tests). */
    void writeBatch(List<LogEntry> entries) throws SQLException {
        CopyRows enc = borrowEncoder();
        boolean ok = false;
        try {
            Set<YearMonth> months = months(entries);
            try (Connection c = ds.getConnection()) {
                applySocketTimeout(c);
                boolean auto = c.getAutoCommit();
                try {
                    write(c, enc, entries, months);
                } catch (SQLException e) {
                    discardIfBroken(c, e);
                    // 23514 without a constraint name is "no partition of relation logs found for row"
                    // (matched by state and constraint: messages may be localised); an operator's CHECK
                    // names itself and is a data error for the PoisonIsolator.
                    if (!ErrorClassifier.isMissingPartition(e)) throw e;
                    LOG.warning(() -> "A partition of " + months + " was missing although cached; re-creating: " + e.getMessage());
                    partitions.forget(months);
                    write(c, enc, entries, months);
                } finally {
                    restoreAutoCommit(c, auto); // hand the pool back what it gave us
                }
            }
            ok = true;
        } finally {
            lastWriteFailed = !ok;
            returnEncoder(enc);
        }
    }

    /**
     * A connection that broke under the unwrapped COPY API (SQLState class 08: the database restarted,
     * the network dropped) is invisible to the pool's stale-connection detection, which only sees
     * errors through its own wrapper; closed normally it would go back to the pool and fail every
     * later write. {@link Connection#abort} through the wrapper makes the pool discard it.
     */
    private static void discardIfBroken(Connection c, SQLException e) {
        String state = e.getSQLState();
        if (state == null || !state.startsWith(CONNECTION_EXCEPTION_CLASS)) return;
        try {
            c.abort(Runnable::run);
            LOG.warning(() -> "Discarded a broken database connection (" + state + "): " + e.getMessage());
        } catch (SQLException | RuntimeException ex) {
            e.addSuppressed(ex);
        }
    }

    private void applySocketTimeout(Connection c) {
        try {
            c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, socketTimeoutMs));
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            LOG.log(Level.FINE, "The connection does not take a network timeout; the data source's socketTimeout applies", e);
        }
    }

    /** Under autocommit off: bounds every statement of this transaction (COPY included). */
    private void boundTransaction(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL statement_timeout = " + statementTimeoutMs);
        }
    }

    /**
     * The fast path, else the idempotent one. The first attempt of a batch encodes while it streams ({@link #stream});
     * a second one (a missing partition re-created, the staging path) sends what the encoder then holds.
     */
    private void write(Connection c, CopyRows enc, List<LogEntry> entries, Set<YearMonth> months) throws SQLException {
        int n = entries.size();
        partitions.ensureMonths(c, months);
        c.setAutoCommit(false);
        boundTransaction(c);
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        try {
            RunsTableWriter.RunAggregates perRun;
            long rows;
            if (enc.isEmpty()) {
                CopyIn in = copy.copyIn(COPY_LOGS + enc.copyOptions());
                boolean sent = false;
                try {
                    stream(in, enc, entries);
                    perRun = RunsTableWriter.aggregate(entries); // while the server works through the last chunks
                    sent = true;
                    rows = in.endCopy();
                } finally {
                    if (!sent) abandon(in, enc);
                }
            } else {
                rows = copyIn(copy, COPY_LOGS + enc.copyOptions(), enc);
                perRun = RunsTableWriter.aggregate(entries);
            }
            runs.copied(c, perRun);
            c.commit();
            rowsWritten.addAndGet(rows);
            return;
        } catch (SQLException e) {
            rollbackQuietly(c, e);
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) throw e;
            LOG.fine(() -> "COPY of " + n + " entries hit stored rows; writing through the staging table");
        } catch (RuntimeException e) {
            rollbackQuietly(c, e);
            throw e;
        }
        try {
            boundTransaction(c);
            try (Statement s = c.createStatement()) {
                s.execute(CREATE_STAGING);
            }
            if (enc.isEmpty()) enc.encode(entries);
            copyIn(copy, COPY_STAGING + enc.copyOptions(), enc);
            int inserted = runs.mergeStaging(c); // MERGE_STAGING plus the runs of the rows it inserted
            c.commit();
            rowsWritten.addAndGet(inserted);
            duplicatesSkipped.addAndGet(n - inserted);
            idempotentBatches.incrementAndGet();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c, e);
            throw e;
        }
    }

    /**
     * Encodes {@code entries} chunk by chunk into {@code enc} and sends each chunk as soon as it is encoded, so the
     * server parses and inserts rows while the rest are encoded (without it the server idles while Java encodes a
     * whole batch, then Java idles while the server inserts it). The caller ends the COPY; the encoder then holds the
     * whole batch, for a retry.
     *
     * @throws IllegalArgumentException when an entry cannot be encoded (the caller abandons the COPY)
     */
    private static void stream(CopyIn in, CopyRows enc, List<LogEntry> entries) throws SQLException {
        int sent = 0;
        int n = entries.size();
        for (int i = 0; i < n; i += STREAM_CHUNK_ROWS) {
            enc.encode(entries.subList(i, Math.min(n, i + STREAM_CHUNK_ROWS)));
            sent = enc.emit(sent, in::writeToCopy);
        }
        enc.finish();
        enc.emit(sent, in::writeToCopy);
    }

    /** A COPY that did not get to its end: cancelled, and the encoder emptied so no later attempt sends part of a batch. */
    private static void abandon(CopyIn in, CopyRows enc) {
        enc.reset();
        if (!in.isActive()) return;
        try {
            in.cancelCopy();
        } catch (SQLException ignored) {
            // the transaction is rolled back by the caller, the connection discarded if broken
        }
    }

    private static long copyIn(CopyManager copy, String sql, CopyRows enc) throws SQLException {
        try {
            return copy.copyIn(sql, enc.asInputStream(), COPY_STREAM_BUFFER_BYTES);
        } catch (java.io.IOException e) {
            // Only the source stream can throw it, and a ByteArrayInputStream does not.
            throw new SQLException("COPY source failed", "58030", e);
        }
    }

    private static Set<YearMonth> months(List<LogEntry> entries) {
        Set<YearMonth> months = new TreeSet<>();
        YearMonth last = null;
        for (LogEntry e : entries) {
            YearMonth m = PartitionMaintainer.month(e.ts());
            if (!m.equals(last)) months.add(m);
            last = m;
        }
        return months;
    }

    private static void restoreAutoCommit(Connection c, boolean auto) {
        try {
            if (auto && !c.getAutoCommit()) c.setAutoCommit(true);
        } catch (SQLException e) {
            LOG.log(Level.FINE, "could not restore auto-commit; the pool will discard or reset it", e);
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
            LOG.log(Level.FINE, "rollback failed", r);
        }
    }

    /** @return the COPY format this sink writes */
    public org.phong.zenflow.logging.config.CopyFormat format() {
        return format;
    }

    private CopyRows borrowEncoder() {
        CopyRows e = spareEncoder.getAndSet(null);
        if (e == null) return CopyRows.of(format);
        e.reset();
        return e;
    }

    private void returnEncoder(CopyRows e) {
        if (e.capacity() <= MAX_RETAINED_BUFFER) {
            e.reset();
            spareEncoder.set(e);
        }
    }
}
