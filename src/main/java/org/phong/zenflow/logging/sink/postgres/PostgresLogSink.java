package org.phong.zenflow.logging.sink.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.time.Uninterruptibly;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * The durable sink: writes batches into the partitioned {@code logs} table with {@code COPY}.
 *
 * <p>One write ({@link #process} of a batch, or of one part of it, below) on one connection:
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
 * <p><b>Several connections for a deep backlog.</b> One COPY keeps one server backend busy (its CPU per row is the
 * sink's limit) while the Java side waits for it. A batch of at least {@code parallel-copy-min-rows} entries (the
 * collector coalesces batches of many runs up to {@code copy-max-rows} only when entries wait, so such a batch means
 * the sink is behind) is split by run into k = min({@code copy-connections}, its runs) parts, balanced by rows, and
 * the parts are written at once, each exactly as a whole batch is written above (its own connection, transaction,
 * {@link PoisonIsolator}, staging path and partition retry), k-1 on the executor handed in and one on the calling
 * thread, which also takes any part no pool thread has started. Invariants:
 * <ul>
 *   <li>a run's order is kept: all of a run's entries are in one part, in batch order, so its rows commit in one
 *       transaction (or in order during isolation) exactly as in a single write, and parts never touch the same
 *       {@code logs} keys or {@code runs} rows, so they never wait on each other's locks;</li>
 *   <li>{@code process} returns or throws only after every part has finished (an interrupt does not shorten the
 *       wait; each write of a part is bounded by the statement and socket timeouts), so nothing of a batch is still
 *       being written when the collector retries it;</li>
 *   <li>a failed part fails the call (the first failure thrown, the others suppressed) while the other parts may
 *       have committed: the collector's retry of the whole batch sends those rows through the idempotent path, which
 *       stores nothing twice and counts them as duplicates; the {@code runs} counts moved only with rows committed.</li>
 * </ul>
 * Without an executor, with {@code copy-connections=1}, a smaller batch or a batch of one run, every batch is one
 * write as before. The sink creates no thread of its own: the server passes Liberty's managed executor.
 *
 * <p>Thread-safe: concurrent {@code process} calls and concurrent parts use separate connections; the COPY buffer
 * is recycled through a one-slot pool (no ThreadLocal, which would pin the WAR's class loader in Liberty's pooled
 * threads): a part that finds the slot empty encodes into a new buffer, and the last one returned is kept.
 */
public final class PostgresLogSink implements LogSink {
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
    /**
     * Buffers that grew beyond this are not kept for the next batch: a statement of copy-max-rows (20,000) rows
     * takes ~5 MB, which would otherwise stay on the heap after one busy moment (the benchmark's memory phase
     * saw +29% heap after 100,000 runs with an 8 MB cap). Growing a buffer again costs a few ms of copying
     * against the ~200 ms such a COPY runs; 256 KB holds the ~1,000 rows of a quiet moment's batch.
     */
    private static final int MAX_RETAINED_BUFFER = 256 * 1024;
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
    private final AtomicLong parallelBatches = new AtomicLong();
    private volatile boolean lastWriteFailed;
    private final PoisonIsolator poison;
    /** Runs the parts of a split batch beside the calling thread; null: every batch is one write. */
    private final Executor executor;
    private final int copyConnections;
    private final int parallelMinRows;

    /**
     * A sink that writes every batch on one connection (no executor to run parts on).
     *
     * @param ds       the log database, already migrated ({@link SchemaMigrator})
     * @param settings supplies {@code copyMaxRows}, the COPY format and the timeouts
     */
    public PostgresLogSink(DataSource ds, LoggingSettings settings) {
        this(ds, settings, (Executor) null);
    }

    /**
     * @param ds       the log database, already migrated ({@link SchemaMigrator})
     * @param settings supplies {@code copyMaxRows}, {@code copyConnections}, {@code parallelCopyMinRows}
     * @param executor runs the parts of a split batch (Liberty's managed executor in the server); null writes
     *                 every batch on one connection
     */
    public PostgresLogSink(DataSource ds, LoggingSettings settings, Executor executor) {
        this(ds, settings, new PartitionMaintainer(ds), new RunsTableWriter(RunsTableWriter.defaultOwner()), executor);
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
        this(ds, settings, partitions, runs, null);
    }

    /**
     * @param ds         the log database, already migrated
     * @param settings   supplies {@code copyMaxRows}, {@code copyConnections}, {@code parallelCopyMinRows}
     * @param partitions the partition maintainer to share
     * @param runs       keeps the {@code runs} table in each batch's transaction (its owner names this node)
     * @param executor   runs the parts of a split batch; null writes every batch on one connection. The sink
     *                   creates no thread of its own (in Liberty unmanaged threads lose the application's context)
     */
    public PostgresLogSink(DataSource ds, LoggingSettings settings, PartitionMaintainer partitions, RunsTableWriter runs,
                           Executor executor) {
        this.ds = ds;
        this.maxBatchEntries = settings.copyMaxRows();
        this.statementTimeoutMs = settings.batchTimeoutMs();
        this.socketTimeoutMs = settings.batchTimeoutMs() * SOCKET_TIMEOUT_FACTOR;
        this.format = settings.copyFormat();
        this.partitions = partitions;
        this.poison = new PoisonIsolator(ds, Clock.systemUTC());
        this.runs = runs;
        this.executor = executor;
        this.copyConnections = executor == null ? 1 : settings.copyConnections();
        this.parallelMinRows = settings.parallelCopyMinRows();
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

    /** @return batches written as several parts on several connections at once */
    public long parallelBatches() {
        return parallelBatches.get();
    }

    /** @return the most connections one batch is written on (1 without an executor) */
    public int copyConnections() {
        return copyConnections;
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
     * {@code logs_rejected} (see the class comment). A batch of at least {@code parallel-copy-min-rows} entries
     * of several runs is written as up to {@code copy-connections} parts at once, each run in one part.
     *
     * @param entries the batch; entries' ts are stored truncated to microseconds
     * @throws SQLException a transient failure: the batch was not (surely) written; what was committed
     *                      of it is idempotent, so the caller retries the whole batch. Thrown only once every
     *                      part has finished
     */
    @Override
    public void process(List<LogEntry> batch) throws SQLException {
        if (batch.isEmpty()) return;
        List<List<LogEntry>> runs = runsInIndexOrder(batch);
        List<LogEntry> entries = concat(runs, batch.size());
        List<List<LogEntry>> parts = split(runs, entries);
        if (parts.size() == 1) {
            poison.process(entries, this::writeBatch);
        } else {
            parallelBatches.incrementAndGet();
            writeParts(entries, parts);
        }
        lastWriteFailed = false;
    }

    /** Runs in the order PostgreSQL sorts their ids (uuid compares as unsigned big-endian bytes). */
    private static final Comparator<UUID> UUID_ORDER = (p, q) -> {
        int c = Long.compareUnsigned(p.getMostSignificantBits(), q.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(p.getLeastSignificantBits(), q.getLeastSignificantBits());
    };

    /**
     * The batch with each run's entries together, runs in the order of their ids, each run's entries in
     * their order in the batch. A journal follower's batch holds its runs interleaved as they arrived (~20
     * rows of each of 1,000 live runs in a 20,000-row COPY): inserted in that order, every row lands on
     * another leaf of the {@code (run_id, seq, ts)} and {@code (workflow_id, run_id, ts)} indexes, and
     * PostgreSQL spent 18.4 us of CPU per row on it against 11.2 us grouped (benchmark, journal on). Grouping
     * through a map and sorting the runs, not the rows: sorting 20,000 rows by run id was 15% of the
     * follower thread (each comparison reads two entries' ids from all over the heap). The order of rows
     * inside one all-or-nothing COPY means nothing else.
     */
    static List<LogEntry> inIndexOrder(List<LogEntry> entries) {
        return concat(runsInIndexOrder(entries), entries.size());
    }

    /**
     * The one grouping of a batch by run, which both the row order ({@link #inIndexOrder}) and the split into parts
     * ({@link #split(List, List)}) are made of: grouping it twice, by hashing every entry's run id each time, was a
     * fifth of the follower thread's CPU in the benchmark's profile.
     *
     * @return each run's entries in their order in the batch, the runs in the order of their ids; the batch itself
     *         as the only element when it holds one run (none when it is empty)
     */
    static List<List<LogEntry>> runsInIndexOrder(List<LogEntry> entries) {
        if (entries.size() < 2) return entries.isEmpty() ? List.of() : List.of(entries);
        Map<UUID, List<LogEntry>> byRun = new HashMap<>();
        UUID last = null;
        List<LogEntry> run = null;
        for (LogEntry e : entries) {
            UUID r = e.runId();
            if (!r.equals(last)) {
                run = byRun.computeIfAbsent(r, k -> new ArrayList<>());
                last = r;
            }
            run.add(e);
        }
        if (byRun.size() == 1) return List.of(entries);
        List<Map.Entry<UUID, List<LogEntry>>> ordered = new ArrayList<>(byRun.entrySet());
        ordered.sort((a, b) -> UUID_ORDER.compare(a.getKey(), b.getKey()));
        List<List<LogEntry>> runs = new ArrayList<>(ordered.size());
        for (Map.Entry<UUID, List<LogEntry>> r : ordered) runs.add(r.getValue());
        return runs;
    }

    /** @return the runs' entries one after the other ({@code n} of them), or the only run's list itself */
    private static List<LogEntry> concat(List<List<LogEntry>> runs, int n) {
        if (runs.size() == 1) return runs.get(0);
        List<LogEntry> rows = new ArrayList<>(n);
        for (List<LogEntry> r : runs) rows.addAll(r);
        return rows;
    }

    /** {@link #split(List, List)} of any batch (tests): the parts of its rows in index order. */
    List<List<LogEntry>> split(List<LogEntry> entries) {
        List<List<LogEntry>> runs = runsInIndexOrder(entries);
        return split(runs, concat(runs, entries.size()));
    }

    /**
     * @param runs    the batch grouped by {@link #runsInIndexOrder}
     * @param entries the same rows one after the other ({@link #inIndexOrder})
     * @return {@code entries} itself, or its parts: k = min(copy-connections, runs) lists, every entry of a run in one
     *         of them, each a subsequence of {@code entries} (so each run's entries keep their order and each part
     *         stays in index order); runs are placed largest first on the lightest part (longest-processing-time
     *         rule: no part exceeds the lightest by more than one run's rows), ties to the lower part, equal runs in
     *         id order, so the same batch splits the same way
     */
    List<List<LogEntry>> split(List<List<LogEntry>> runs, List<LogEntry> entries) {
        if (copyConnections <= 1 || entries.size() < parallelMinRows) return List.of(entries);
        int k = Math.min(copyConnections, runs.size());
        if (k <= 1) return List.of(entries);
        Integer[] bySize = new Integer[runs.size()];
        for (int i = 0; i < bySize.length; i++) bySize[i] = i;
        java.util.Arrays.sort(bySize, (a, b) -> Integer.compare(runs.get(b).size(), runs.get(a).size())); // stable
        long[] load = new long[k];
        int[] partOf = new int[runs.size()];
        for (int run : bySize) {
            int lightest = 0;
            for (int p = 1; p < k; p++) if (load[p] < load[lightest]) lightest = p;
            load[lightest] += runs.get(run).size();
            partOf[run] = lightest;
        }
        List<List<LogEntry>> parts = new ArrayList<>(k);
        for (int p = 0; p < k; p++) parts.add(new ArrayList<>((int) load[p]));
        for (int run = 0; run < partOf.length; run++) parts.get(partOf[run]).addAll(runs.get(run));
        return parts;
    }

    /**
     * Writes the parts at once: parts 1..k-1 are handed to the executor, part 0 runs here, then this thread runs any
     * part the executor has not started yet (a busy or saturated pool, or one that refused the task, costs speed,
     * never progress), then waits for the rest. It returns or throws only once every part has finished, so no write
     * of this batch outlives the call (a retry never races its own first attempt). An interrupt (Fault Tolerance's
     * {@code @Timeout}) does not cut the wait short: each part is bounded by the statement and socket timeouts; the
     * interrupt is kept for the caller.
     */
    private void writeParts(List<LogEntry> entries, List<List<LogEntry>> parts) throws SQLException {
        ensurePartitionsOnce(entries);
        Part[] all = new Part[parts.size()];
        for (int i = 0; i < all.length; i++) all[i] = new Part(parts.get(i));
        for (int i = 1; i < all.length; i++) {
            try {
                executor.execute(all[i]);
            } catch (RejectedExecutionException e) {
                LOG.log(Level.FINE, "The executor refused a part of a batch; the calling thread writes it", e);
            }
        }
        for (Part p : all) p.run(); // part 0, then whichever part no pool thread has claimed
        Throwable failure = null;
        for (Part p : all) {
            Uninterruptibly.await(p.done);
            if (p.failure == null) continue;
            if (failure == null) failure = p.failure;
            else failure.addSuppressed(p.failure);
        }
        if (failure == null) return;
        lastWriteFailed = true; // a part that succeeded after the failed one must not leave the sink looking healthy
        if (failure instanceof SQLException e) throw e;
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        throw new SQLException("A part of the batch failed", "58000", failure);
    }

    /**
     * Creates the months the parts will write into before they start, one connection at a time, so partition DDL
     * (ACCESS EXCLUSIVE on {@code logs}) never waits for a sibling part's open COPY transaction. Best effort: a
     * failure here is left to the parts, which ensure their months as a single write does.
     */
    private void ensurePartitionsOnce(List<LogEntry> entries) {
        Set<YearMonth> months = months(entries);
        boolean all = true;
        for (YearMonth m : months) all &= partitions.isEnsured(m);
        if (all) return;
        try (Connection c = ds.getConnection()) {
            partitions.ensureMonths(c, months);
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "Partitions of " + months + " not ensured ahead of the parts; each part ensures its own", e);
        }
    }

    /** One part of a split batch: run once, by whichever thread claims it first. */
    private final class Part implements Runnable {
        private final List<LogEntry> entries;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Throwable failure;

        Part(List<LogEntry> entries) {
            this.entries = entries;
        }

        @Override
        public void run() {
            if (!claimed.compareAndSet(false, true)) return;
            try {
                poison.process(entries, PostgresLogSink.this::writeBatch);
            } catch (Throwable t) {
                failure = t; // rethrown by the calling thread once every part has finished
            } finally {
                done.countDown();
            }
        }
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
     * The fast path, else the idempotent one. Both encode while they stream ({@link #stream}), every attempt anew (a
     * missing partition re-created, the staging path after a unique violation).
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
            CopyIn in = copy.copyIn(COPY_STAGING + enc.copyOptions());
            boolean sent = false;
            try {
                stream(in, enc, entries);
                sent = true;
                in.endCopy();
            } finally {
                if (!sent) abandon(in, enc);
            }
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
     * whole batch, then Java idles while the server inserts it). Each chunk is dropped once sent, so the encoder's
     * buffer holds one chunk ({@link #STREAM_CHUNK_ROWS} rows, kept for the next batch) whatever the batch's size:
     * growing it to a whole 20,000-row statement (~5 MB, by halves from the retained size, each time) was 14% of the
     * bytes the benchmark's JVM allocated in the e2e phase (JFR) and 4% of its CPU in {@code Arrays.copyOf}. The
     * caller ends the COPY; the encoder is then empty, and a retry encodes the batch again from its entries.
     *
     * @throws IllegalArgumentException when an entry cannot be encoded (the caller abandons the COPY)
     */
    private static void stream(CopyIn in, CopyRows enc, List<LogEntry> entries) throws SQLException {
        int n = entries.size();
        for (int i = 0; i < n; i += STREAM_CHUNK_ROWS) {
            enc.encode(entries.subList(i, Math.min(n, i + STREAM_CHUNK_ROWS)));
            enc.drainTo(in::writeToCopy);
        }
        enc.finish();
        enc.drainTo(in::writeToCopy);
        enc.reset();
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

    /** The months a batch's rows fall in; a month is worked out only for a row outside the last one's. */
    private static Set<YearMonth> months(List<LogEntry> entries) {
        Set<YearMonth> months = new TreeSet<>();
        long from = 1, until = 0; // [from, until): epoch seconds of the last month found; empty at first
        for (LogEntry e : entries) {
            long sec = e.ts().getEpochSecond();
            if (sec >= from && sec < until) continue;
            YearMonth m = PartitionMaintainer.month(e.ts());
            months.add(m);
            from = m.atDay(1).toEpochDay() * 86_400L;
            until = m.plusMonths(1).atDay(1).toEpochDay() * 86_400L;
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

    /** @return the capacity of the encoder kept for the next batch, or 0 when none is kept (for tests) */
    int retainedEncoderBytes() {
        CopyRows e = spareEncoder.get();
        return e == null ? 0 : e.capacity();
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
