package org.phong.zenflow.logging.sink.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.codec.LogEntryJson;

/**
 * Keeps one refused entry from stalling the PostgreSQL sink: when a batch fails with a data error
 * ({@link ErrorClassifier.Kind#DATA}) the batch is split until the refused entries are isolated;
 * they go to the dead-letter table {@code logs_rejected} (V3 migration), every other entry is
 * written. Transient errors are thrown unchanged (the collector retries the batch as before).
 *
 * <p><b>Finding the entries.</b> An error inside COPY names the input line it refused (the
 * server's context line, {@link ErrorClassifier#copyLine}). The rows before it were accepted by the
 * server, so they are written at once; the named row is written alone (a data error again confirms
 * it: rejected; success means the hint was wrong and later hints are not trusted); the rest is
 * written and, if it fails again, resolved the same way. An error without a line (a constraint
 * checked by a later statement, e.g. the merge of the idempotent path) or with an untrusted one is
 * resolved by bisection. Statements: with line hints at most {@code 2p + 2} writes for {@code p}
 * refused entries (plus one lookup and one insert per rejection), by bisection
 * {@code O(p log n)}.
 *
 * <p><b>Invariants.</b>
 * <ul>
 *   <li>Sub-batches are written and entries rejected in batch order, each in its own transaction,
 *       so a run's entries become visible in seq order and a reader never sees seq N+1 before N is
 *       stored or rejected.</li>
 *   <li>Idempotent: writes go through the sink's idempotent path, rejections through
 *       {@code ON CONFLICT (run_id, seq) DO NOTHING}; entries a previous attempt already rejected are
 *       looked up first and skipped, so a batch replayed after a crash or a timeout in the middle of
 *       isolation finishes the work instead of repeating it.</li>
 *   <li>Gap-free: every entry of the batch ends in exactly one of {@code logs} and
 *       {@code logs_rejected} once {@link #process} returns.</li>
 *   <li>A transient error at any point aborts with that error; what was committed stays (it is
 *       idempotent), the rest is retried with the whole batch.</li>
 * </ul>
 *
 * <p><b>Inside a caller's transaction</b> ({@link #isolateInTransaction}, the cluster owner's fenced
 * write): the same search, but every sub-batch write and every rejection runs under a savepoint of that
 * one transaction (a refused statement rolls back to its savepoint only, PostgreSQL's way of surviving
 * an error inside a transaction), so the rows, the rejections and whatever else the caller writes
 * commit or vanish together. Nothing is counted or reported as rejected until the caller says the
 * transaction committed ({@link #committed}): a rolled-back isolation is retried whole and must not
 * count twice. No lookup of earlier rejections: nothing of the caller's transaction committed before.
 *
 * <p>Thread-safe: state is the counters; concurrent calls use separate connections.
 */
public final class PoisonIsolator {
    /** Writes one batch all or nothing, idempotently (the sink's COPY path). */
    @FunctionalInterface
    public interface BatchWriter {
        /**
         * @param batch entries to write
         * @throws SQLException when nothing of the batch was committed
         */
        void write(List<LogEntry> batch) throws SQLException;
    }

    /**
     * One entry moved to {@code logs_rejected}.
     *
     * @param entry    the entry as accepted, with its seq
     * @param sqlState the database's SQLState, or null (an encoder refusal has none)
     * @param error    the database's words ({@link ErrorClassifier#describe})
     * @param at       the row's {@code rejected_at}
     */
    public record Rejection(LogEntry entry, String sqlState, String error, Instant at) {
    }

    /**
     * One isolation: how sub-batches are written, and where rejections go. {@code tx == null}: each
     * rejection commits at once on a pooled connection of its own and is counted at once (the
     * single-node sink); otherwise each runs under a savepoint of {@code tx} and is only collected.
     */
    private static final class Pass {
        final BatchWriter writer;
        final Connection tx;
        final List<Rejection> rejected = new ArrayList<>();

        Pass(BatchWriter writer, Connection tx) {
            this.writer = writer;
            this.tx = tx;
        }
    }

    private static final Logger LOG = Logger.getLogger(PoisonIsolator.class.getName());
    /** A UUID's text and its comma (sizes the lookup's parameter). */
    private static final int UUID_TEXT_CHARS = 37;
    /** A typical seq's text and its comma. */
    private static final int SEQ_TEXT_CHARS = 8;
    /** Longest database message stored per rejection. */
    static final int MAX_ERROR_CHARS = 2000;

    static final String INSERT_REJECTED = "INSERT INTO logs_rejected"
            + " (run_id, seq, workflow_id, node_key, ts, entry, sqlstate, error, rejected_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, seq) DO NOTHING";
    static final String FIND_REJECTED = "SELECT r.run_id, r.seq FROM logs_rejected r"
            + " JOIN unnest(string_to_array(?, ',')::uuid[], string_to_array(?, ',')::bigint[]) AS k(run_id, seq)"
            + " ON r.run_id = k.run_id AND r.seq = k.seq";

    private final DataSource ds;
    private final Clock clock;
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong isolatedBatches = new AtomicLong();
    private final AtomicLong isolationWrites = new AtomicLong();
    private volatile RejectionStats last = RejectionStats.NONE;

    /**
     * @param ds    the log database (holds {@code logs_rejected})
     * @param clock stamps {@code rejected_at}
     */
    public PoisonIsolator(DataSource ds, Clock clock) {
        this.ds = ds;
        this.clock = clock;
    }

    /**
     * Writes the batch; isolates and rejects the entries the database refuses for their content.
     *
     * @param batch  the entries
     * @param writer the sink's all-or-nothing write
     * @throws SQLException a transient failure (nothing lost: retry the whole batch)
     */
    public void process(List<LogEntry> batch, BatchWriter writer) throws SQLException {
        try {
            writer.write(batch);
        } catch (SQLException | IllegalArgumentException e) {
            if (!ErrorClassifier.isDataError(e)) throw e;
            isolate(batch, e, new Pass(writer, null));
        }
    }

    /**
     * Isolates the entries of a batch the database refused for their content, inside the caller's open
     * transaction {@code tx} (see the class comment). The caller's whole-batch write already failed with
     * {@code refusal} (in an earlier transaction, which it rolled back); its COPY line hint is used
     * as the first clue, confirmed like any other.
     *
     * @param tx      the caller's connection, auto-commit off, inside the transaction that must hold it all
     * @param batch   the entries, in the order the refused write had them
     * @param refusal the data error the whole batch met ({@link ErrorClassifier.Kind#DATA})
     * @param writer  writes a sub-batch all or nothing on {@code tx} (under a savepoint of its own)
     * @return the entries moved to {@code logs_rejected} on {@code tx}, in batch order; every other entry
     *         of the batch was written by {@code writer}. Pass it to {@link #committed} once {@code tx}
     *         commits
     * @throws SQLException a transient failure, or a rejection the database refused as well: the
     *                      caller rolls back and retries the whole batch
     */
    public List<Rejection> isolateInTransaction(Connection tx, List<LogEntry> batch, Exception refusal, BatchWriter writer)
            throws SQLException {
        Pass p = new Pass(writer, tx);
        logIsolating(batch, refusal);
        resolve(batch, refusal, p, true);
        return List.copyOf(p.rejected);
    }

    /**
     * Counts and reports the rejections of an {@link #isolateInTransaction} whose transaction committed
     * (one isolated batch, however many rejections).
     *
     * @param rejected what the isolation returned
     */
    public void committed(List<Rejection> rejected) {
        isolatedBatches.incrementAndGet();
        for (Rejection r : rejected) counted(r);
    }

    /** @return what the dead-letter path did since start */
    public RejectionStats stats() {
        RejectionStats l = last;
        return new RejectionStats(rejected.get(), isolatedBatches.get(), l.lastRejectedAt(), l.lastSqlState(), l.lastError());
    }

    /** @return writes issued while isolating, since start (tests bound the statements per poison entry) */
    long isolationWrites() {
        return isolationWrites.get();
    }

    private void isolate(List<LogEntry> batch, Exception first, Pass p) throws SQLException {
        isolatedBatches.incrementAndGet();
        logIsolating(batch, first);
        Set<String> done = alreadyRejected(batch);
        if (done.isEmpty()) {
            resolve(batch, first, p, true);
            return;
        }
        List<LogEntry> pending = new ArrayList<>(batch.size());
        for (LogEntry e : batch) if (!done.contains(key(e.runId(), e.seq()))) pending.add(e);
        attempt(pending, p, true);
    }

    private static void logIsolating(List<LogEntry> batch, Exception first) {
        LOG.warning(() -> "PostgreSQL refused a batch of " + batch.size() + " entries for their content ("
                + ErrorClassifier.sqlState(first) + "); isolating the refused entries into logs_rejected");
    }

    /** Writes {@code list}; on a data error resolves it. */
    private void attempt(List<LogEntry> list, Pass p, boolean trustHints) throws SQLException {
        if (list.isEmpty()) return;
        isolationWrites.incrementAndGet();
        try {
            p.writer.write(list);
        } catch (SQLException | IllegalArgumentException e) {
            if (!ErrorClassifier.isDataError(e)) throw e;
            resolve(list, e, p, trustHints);
        }
    }

    /** {@code list} failed as a whole with the data error {@code err}: find and reject its refused entries. */
    private void resolve(List<LogEntry> list, Exception err, Pass p, boolean trustHints) throws SQLException {
        if (list.size() == 1) {
            reject(list.get(0), err, p);
            return;
        }
        int line = trustHints ? ErrorClassifier.copyLine(err) : -1;
        if (line >= 1 && line <= list.size()) {
            attempt(list.subList(0, line - 1), p, true);
            LogEntry suspect = list.get(line - 1);
            boolean confirmed = writeAlone(suspect, p);
            attempt(list.subList(line, list.size()), p, confirmed);
        } else {
            int mid = list.size() / 2;
            attempt(list.subList(0, mid), p, trustHints);
            attempt(list.subList(mid, list.size()), p, trustHints);
        }
    }

    /** @return true when the entry was refused alone (and is now rejected), false when it was written */
    private boolean writeAlone(LogEntry e, Pass p) throws SQLException {
        isolationWrites.incrementAndGet();
        try {
            p.writer.write(List.of(e));
            return false;
        } catch (SQLException | IllegalArgumentException ex) {
            if (!ErrorClassifier.isDataError(ex)) throw ex;
            reject(e, ex, p);
            return true;
        }
    }

    private void reject(LogEntry e, Exception err, Pass p) throws SQLException {
        String state = ErrorClassifier.sqlState(err);
        String error = ErrorClassifier.describe(err, MAX_ERROR_CHARS);
        String json = json(e);
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        int inserted;
        try {
            inserted = insert(p.tx, e, e.nodeKey(), json, state, error, now);
        } catch (SQLException first) {
            if (!ErrorClassifier.isDataError(first)) throw first;
            // The database cannot hold the text itself (e.g. a character its encoding lacks): store
            // it ASCII-escaped, which every encoding holds and which is still the same JSON value.
            try {
                inserted = insert(p.tx, e, ascii(e.nodeKey()), ascii(json), state, ascii(error), now);
            } catch (SQLException second) {
                second.addSuppressed(first);
                LOG.log(Level.SEVERE, "Could not dead-letter entry run=" + e.runId() + " seq=" + e.seq()
                        + "; its batch is retried whole", second);
                throw second;
            }
        }
        Rejection r = new Rejection(e, state, error, now.toInstant());
        if (p.tx != null) {
            // The caller's transaction may still roll back: counted and reported by committed().
            // (ON CONFLICT cannot skip the insert there: the key is fresh under the caller's fence.)
            p.rejected.add(r);
            return;
        }
        if (inserted > 0) {
            rejected.incrementAndGet();
            last = new RejectionStats(0, 0, r.at(), state, error);
        }
        LOG.warning(() -> "Entry run=" + e.runId() + " seq=" + e.seq() + " rejected into logs_rejected (" + state + "): " + error);
    }

    /** Counts and reports a rejection that is committed. */
    private void counted(Rejection r) {
        rejected.incrementAndGet();
        last = new RejectionStats(0, 0, r.at(), r.sqlState(), r.error());
        LOG.warning(() -> "Entry run=" + r.entry().runId() + " seq=" + r.entry().seq() + " rejected into logs_rejected ("
                + r.sqlState() + "): " + r.error());
    }

    /**
     * Inserts the rejection: with {@code tx == null} on a pooled connection in auto-commit (committed at
     * once), otherwise on {@code tx} under a savepoint (a refusal leaves the transaction usable).
     */
    private int insert(Connection tx, LogEntry e, String nodeKey, String json, String state, String error, OffsetDateTime now)
            throws SQLException {
        if (tx != null) return Transactions.underSavepoint(tx, c -> insertOn(c, e, nodeKey, json, state, error, now));
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            if (!auto) c.setAutoCommit(true);
            try {
                return insertOn(c, e, nodeKey, json, state, error, now);
            } finally {
                if (!auto) c.setAutoCommit(false);
            }
        }
    }

    private static int insertOn(Connection c, LogEntry e, String nodeKey, String json, String state, String error, OffsetDateTime now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_REJECTED)) {
            ps.setObject(1, e.runId());
            ps.setLong(2, e.seq());
            ps.setObject(3, e.workflowId());
            ps.setString(4, nodeKey);
            ps.setObject(5, OffsetDateTime.ofInstant(e.ts(), ZoneOffset.UTC));
            ps.setString(6, json);
            ps.setString(7, state);
            ps.setString(8, error);
            ps.setObject(9, now);
            return ps.executeUpdate();
        }
    }

    /** @return the keys {@code runId:seq} of the batch's entries already in {@code logs_rejected} */
    private Set<String> alreadyRejected(List<LogEntry> batch) throws SQLException {
        StringBuilder runs = new StringBuilder(batch.size() * UUID_TEXT_CHARS);
        StringBuilder seqs = new StringBuilder(batch.size() * SEQ_TEXT_CHARS);
        for (LogEntry e : batch) {
            if (runs.length() > 0) {
                runs.append(',');
                seqs.append(',');
            }
            runs.append(e.runId());
            seqs.append(e.seq());
        }
        Set<String> out = new HashSet<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(FIND_REJECTED)) {
            ps.setString(1, runs.toString());
            ps.setString(2, seqs.toString());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(key((UUID) rs.getObject(1), rs.getLong(2)));
            }
        }
        return out;
    }

    private static String key(UUID run, long seq) {
        return run + ":" + seq;
    }

    /** The entry's API JSON form; metadata as a string if it cannot even be parsed back. */
    private static String json(LogEntry e) {
        try {
            return LogEntryJson.toJson(e).toString();
        } catch (RuntimeException ex) {
            return org.phong.zenflow.logging.codec.JsonSupport.JSON.createObjectBuilder().add("runId", e.runId().toString()).add("seq", e.seq())
                    .add("workflowId", e.workflowId().toString()).add("nodeKey", e.nodeKey()).add("ts", e.ts().toString())
                    .add("level", e.level().name()).add("message", e.message())
                    .add("metadataText", String.valueOf(e.metadata())).build().toString();
        }
    }

    /** Every character outside printable ASCII as {@code \\uXXXX}. */
    static String ascii(String s) {
        if (s == null) return null;
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F) b.append(c);
            else b.append(String.format("\\u%04x", (int) c));
        }
        return b.toString();
    }
}
