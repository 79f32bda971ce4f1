package org.phong.zenflow.logging.cluster;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.cluster.IngestRecord.Ended;
import org.phong.zenflow.logging.cluster.IngestRecord.Entry;
import org.phong.zenflow.logging.cluster.IngestRecord.Started;
import org.phong.zenflow.logging.sink.postgres.CopyEncoder;
import org.phong.zenflow.logging.sink.postgres.ErrorClassifier;
import org.phong.zenflow.logging.sink.postgres.PartitionMaintainer;
import org.phong.zenflow.logging.sink.postgres.PoisonIsolator;
import org.phong.zenflow.logging.sink.postgres.PoisonIsolator.Rejection;
import org.phong.zenflow.logging.sink.postgres.RejectionStats;
import org.phong.zenflow.logging.sink.postgres.RunsTableWriter;
import org.phong.zenflow.logging.sink.postgres.RunsTableWriter.RunEvent;
import org.phong.zenflow.logging.sink.postgres.Transactions;
import org.postgresql.PGConnection;

/**
 * The partition owner's write: a run of consumed records (offsets {@code firstOffset ..
 * firstOffset + n - 1} of one ingest partition) becomes, in ONE PostgreSQL transaction,
 * <ol>
 *   <li>the fence: the partition's ledger row locked {@code FOR UPDATE}, its epoch equal to the
 *       writer's claim ({@link FencedException} otherwise) and its next offset equal to
 *       {@code firstOffset} ({@link OffsetMismatchException} otherwise);</li>
 *   <li>seq assignment: each run continues from its {@code runs.last_seq} as stored (read under the
 *       fence, so it is the previous owner's last committed value after a takeover), gap-free in
 *       partition order;</li>
 *   <li>the rows, by {@code COPY}; the runs' counts and last seq ({@link RunsTableWriter#copied});
 *       the runs' start/end events ({@link RunsTableWriter#writeEvents});</li>
 *   <li>the ledger's next offset moved past the records;</li>
 *   <li>when the caller asks ({@link OutputOutbox.Update}), the output outbox: the write's row (which
 *       entries it stored, to republish them if their publishing does not complete) and the deletion of
 *       the rows the publisher confirmed since the partition's last write.</li>
 * </ol>
 * So a crash, a kill -9 or a rebalance at any point leaves either all of it or none of it, and the
 * next owner resumes at the stored offset with the stored seqs: no duplicate, no gap, no seq handed
 * out twice. Nothing is cached between writes: the database is the only state.
 *
 * <p><b>Entries PostgreSQL refuses for their content</b> (a data error of the rows' COPY,
 * {@link ErrorClassifier.Kind#DATA}: an operator's CHECK or trigger on {@code logs}, a character the
 * database encoding lacks; validation at ingest and on decode keeps out what PostgreSQL is known to
 * refuse) are dead-lettered as the single-node sink does, by the same {@link PoisonIsolator}: the
 * transaction is rolled back and done again (fence and seqs again), the rows copied under savepoints
 * and split until the refused entries are isolated; those go to {@code logs_rejected}, in that same
 * transaction with the other rows, the counts and the offset. So every consumed record ends in exactly
 * one of {@code logs} and {@code logs_rejected} (or is a run event, or a malformed offset), once, and a
 * poison entry never stalls its partition. Seq as in single-node mode: a rejected entry keeps the seq
 * it was given in partition order (a run's seq stays gap-free over both tables; the history lists it in
 * its place, the live tail gets it from the output topic or, filling a hole, from
 * {@code logs_rejected}); {@code runs} counts and {@code last_seq} move for stored rows only, and the
 * next seq is read as the maximum over {@code runs.last_seq} and the run's rejected seqs, so a
 * continuing run never reuses a rejected seq. A data error that is not the rows' COPY (the runs table,
 * the events, the ledger, a rejection the database refuses as well) is not dead-lettered: the write
 * fails and the owner retries it, as every other failure; nothing is dropped.
 *
 * <p>Partitions of {@code logs} for the records' months are ensured before the transaction (that
 * DDL must never run inside a transaction that writes {@code logs}; see {@link PartitionMaintainer}).
 *
 * <p>Driven by {@link PartitionOwnerLoop} (one per cluster node, started by the server in cluster mode).
 */
public final class FencedPartitionWriter {
    private static final Logger LOG = Logger.getLogger(FencedPartitionWriter.class.getName());
    private static final String COPY_LOGS = "COPY logs (" + CopyEncoder.COLUMNS + ") FROM STDIN";
    private static final String FENCE = "SELECT epoch, next_offset FROM cluster_partitions WHERE topic = ? AND partition = ? FOR UPDATE";
    /**
     * Per run touched: its workflow and the highest seq handed out, over {@code runs} (stored rows) and
     * {@code logs_rejected} (rejected ones, whose seq {@code runs.last_seq} does not cover); a run known only
     * from rejected entries has no {@code runs} row yet. One index probe of the dead-letter table per run.
     */
    private static final String RUNS = "SELECT k.run_id, coalesce(r.workflow_id, x.workflow_id),"
            + " greatest(coalesce(r.last_seq, 0), coalesce(x.seq, 0))"
            + " FROM unnest(?::uuid[]) AS k(run_id) LEFT JOIN runs r ON r.run_id = k.run_id"
            + " LEFT JOIN LATERAL (SELECT j.workflow_id, j.seq FROM logs_rejected j WHERE j.run_id = k.run_id"
            + " ORDER BY j.seq DESC LIMIT 1) x ON true WHERE r.run_id IS NOT NULL OR x.seq IS NOT NULL";
    private static final String ADVANCE = "UPDATE cluster_partitions SET next_offset = ?, updated = now() WHERE topic = ? AND partition = ?";
    /** SQLState 55000: not a data error, so a missing partition is retried, never dead-lettered. */
    private static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
    /** Buffer of the driver's copyIn stream. */
    private static final int COPY_STREAM_BUFFER_BYTES = 64 * 1024;

    /**
     * What a write committed.
     *
     * @param sequenced  the entries with their seq, in partition order (what goes to the output topic),
     *                   including the rejected ones: the single-node sinks other than PostgreSQL get them too
     * @param nextOffset the partition's next offset now
     * @param endsIgnored ends of runs that have neither a start nor an entry stored (nothing to end)
     * @param rejected   those of {@code sequenced} PostgreSQL refused for their content, now in
     *                   {@code logs_rejected} (the rest are in {@code logs}), in partition order
     */
    public record Written(List<LogEntry> sequenced, long nextOffset, int endsIgnored, List<LogEntry> rejected) {
        /** Copies the lists. */
        public Written {
            sequenced = List.copyOf(sequenced);
            rejected = List.copyOf(rejected);
        }

        /** @return entries stored in {@code logs} */
        public int stored() {
            return sequenced.size() - rejected.size();
        }
    }

    /**
     * The rows' COPY was refused for their content (a data error): the write is done again, isolating the
     * refused entries. Never leaves {@link #write}.
     */
    private static final class RowsRefused extends SQLException {
        private static final long serialVersionUID = 1L;
        final transient Exception refusal;

        RowsRefused(Exception refusal) {
            super("rows refused for their content", ErrorClassifier.sqlState(refusal), refusal);
            this.refusal = refusal;
        }
    }

    private final DataSource ds;
    private final PartitionMaintainer partitions;
    private final RunsTableWriter runs;
    /** The single-node sink's dead-letter search, here inside the fenced transaction; its counters are this writer's. */
    private final PoisonIsolator poison;
    private final OutputOutbox outbox;

    /**
     * @param ds         the log database (migrated)
     * @param partitions ensures the months of the entries
     * @param runs       keeps the runs table (its owner names this node)
     */
    public FencedPartitionWriter(DataSource ds, PartitionMaintainer partitions, RunsTableWriter runs) {
        this.ds = Objects.requireNonNull(ds);
        this.partitions = Objects.requireNonNull(partitions);
        this.runs = Objects.requireNonNull(runs);
        this.poison = new PoisonIsolator(ds, Clock.systemUTC());
        this.outbox = new OutputOutbox(ds);
    }

    /** @return what this writer moved to {@code logs_rejected} since start (committed writes only) */
    public RejectionStats rejections() {
        return poison.stats();
    }

    /** @return the output outbox on this writer's database (what the owner loop republishes from) */
    public OutputOutbox outbox() {
        return outbox;
    }

    /**
     * @param claim       the writer's claim (from {@link PartitionLedger#claim})
     * @param firstOffset the offset of {@code records.get(0)}
     * @param records     consecutive records of the partition, in offset order, at least one
     * @return what was committed
     * @throws FencedException         when the partition has a newer owner (stop consuming it)
     * @throws OffsetMismatchException when the ledger continues elsewhere (seek there)
     * @throws SQLException            when the database refused; nothing was committed, retry
     */
    public Written write(PartitionClaim claim, long firstOffset, List<IngestRecord> records) throws SQLException {
        if (records.isEmpty()) throw new IllegalArgumentException("no records");
        return write(claim, firstOffset, records.size(), records);
    }

    /**
     * As {@link #write(PartitionClaim, long, List)} over offsets {@code firstOffset .. firstOffset +
     * consumed - 1}, of which only {@code records} (in offset order) become rows or run events: the other
     * offsets are consumed without a row, in the same fenced transaction. They are the records the consumer
     * could not decode (counted and logged by it: a poison record must not stall its partition, and
     * skipping it outside the transaction would leave the ledger behind it forever) and offsets that hold no
     * record (transaction markers, compaction). {@code records} may be empty: the write then only fences
     * and advances the offset.
     *
     * @param claim       the writer's claim
     * @param firstOffset the first offset the write consumes (the ledger's next offset)
     * @param consumed    how many offsets it consumes, at least 1 and at least {@code records.size()}
     * @param records     the decodable records among them, in offset order
     * @return what was committed ({@code nextOffset = firstOffset + consumed})
     * @throws FencedException         when the partition has a newer owner
     * @throws OffsetMismatchException when the ledger continues elsewhere
     * @throws SQLException            when the database refused; nothing was committed, retry
     */
    public Written write(PartitionClaim claim, long firstOffset, long consumed, List<IngestRecord> records) throws SQLException {
        return write(claim, firstOffset, consumed, records, OutputOutbox.Update.NONE);
    }

    /**
     * As {@link #write(PartitionClaim, long, long, List)}, plus the output outbox's part in the same
     * transaction ({@link OutputOutbox#apply}, after the fence and the rows): the rows of {@code
     * outbox.confirmed()} are deleted and, when {@code outbox.record()} and the write stored entries, the
     * write's own row is inserted under key {@code (topic, partition, firstOffset)}. So a committed write with
     * entries always has its row, a refused one never has, and confirmations piggy-back on the partition's
     * writes instead of costing a transaction each.
     *
     * @param outbox what to do to the outbox ({@link OutputOutbox.Update#NONE}: nothing)
     */
    public Written write(PartitionClaim claim, long firstOffset, long consumed, List<IngestRecord> records, OutputOutbox.Update outbox)
            throws SQLException {
        Objects.requireNonNull(outbox);
        if (consumed < 1 || consumed < records.size()) {
            throw new IllegalArgumentException("consumed " + consumed + " offsets for " + records.size() + " records");
        }
        Set<YearMonth> months = new TreeSet<>();
        Set<UUID> touched = new TreeSet<>(RunsTableWriter.PG_UUID_ORDER);
        for (IngestRecord r : records) {
            touched.add(r.runId());
            if (r instanceof Entry e) months.add(PartitionMaintainer.month(e.entry().ts()));
        }
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            partitions.ensureMonths(c, months);
            c.setAutoCommit(false);
            try {
                try {
                    return Transactions.commit(c, tx -> this.outbox.apply(tx, claim, firstOffset, outbox,
                            inTransaction(tx, claim, firstOffset, consumed, records, touched, null, null)));
                } catch (RowsRefused refused) {
                    // Rolled back whole; the same write again, isolating the refused entries (a new fence: the
                    // partition may have moved meanwhile). Counted only once this transaction committed.
                    List<Rejection> out = new ArrayList<>();
                    Written w = Transactions.commit(c, tx -> this.outbox.apply(tx, claim, firstOffset, outbox,
                            inTransaction(tx, claim, firstOffset, consumed, records, touched, refused.refusal, out)));
                    poison.committed(out);
                    return w;
                }
            } finally {
                try {
                    c.setAutoCommit(auto);
                } catch (SQLException e) {
                    LOG.log(Level.FINE, "could not restore auto-commit", e);
                }
            }
        }
    }

    /**
     * @param refusal null: copy the rows as one COPY (a data error of it is thrown as {@link RowsRefused});
     *                otherwise the data error that COPY met: isolate the refused rows, adding them to {@code out}
     */
    private Written inTransaction(Connection c, PartitionClaim claim, long firstOffset, long consumed, List<IngestRecord> records,
                                  Set<UUID> touched, Exception refusal, List<Rejection> out) throws SQLException {
        fence(c, claim, firstOffset);
        Map<UUID, Long> lastSeq = new HashMap<>();
        Map<UUID, UUID> workflowOf = new HashMap<>();
        if (!touched.isEmpty()) try (PreparedStatement ps = c.prepareStatement(RUNS)) {
            ps.setArray(1, c.createArrayOf("text", touched.stream().map(UUID::toString).toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID run = rs.getObject(1, UUID.class);
                    workflowOf.put(run, rs.getObject(2, UUID.class));
                    lastSeq.put(run, rs.getLong(3));
                }
            }
        }
        List<LogEntry> sequenced = new ArrayList<>();
        Map<UUID, RunEvent> events = new LinkedHashMap<>();
        int endsIgnored = 0;
        for (IngestRecord r : records) {
            if (r instanceof Entry e) {
                LogEntry in = e.entry();
                long seq = lastSeq.merge(in.runId(), 1L, Long::sum);
                workflowOf.putIfAbsent(in.runId(), in.workflowId());
                sequenced.add(in.withSeq(seq));
            } else if (r instanceof Started s) {
                workflowOf.putIfAbsent(s.runId(), s.workflowId());
                events.merge(s.runId(), new RunEvent(s.runId(), s.workflowId(), s.at(), null, null), RunEvent::merge);
            } else if (r instanceof Ended end) {
                UUID wf = workflowOf.get(end.runId());
                if (wf == null) {
                    endsIgnored++; // an end of a run this partition never saw
                    continue;
                }
                events.merge(end.runId(), new RunEvent(end.runId(), wf, null, end.at(), end.outcome()), RunEvent::merge);
            }
        }
        List<LogEntry> rejected = List.of();
        if (!sequenced.isEmpty()) {
            List<LogEntry> stored = sequenced;
            if (refusal == null) {
                try {
                    copy(c, sequenced);
                } catch (SQLException | IllegalArgumentException e) {
                    if (ErrorClassifier.isDataError(e)) throw new RowsRefused(e);
                    throw e;
                }
            } else {
                out.addAll(poison.isolateInTransaction(c, sequenced, refusal, batch -> Transactions.underSavepoint(c, tx -> copy(tx, batch))));
                rejected = out.stream().map(Rejection::entry).toList();
                stored = storedOnly(sequenced, out);
            }
            // Counts and last seq of the stored rows only, as the single-node sink (see the class comment).
            if (!stored.isEmpty()) runs.copied(c, stored);
        }
        // Events after the counts: an end's run has its row from the start or the entries before it.
        runs.writeEvents(c, events.values());
        long next = firstOffset + consumed;
        try (PreparedStatement ps = c.prepareStatement(ADVANCE)) {
            ps.setLong(1, next);
            ps.setString(2, claim.topic());
            ps.setInt(3, claim.partition());
            ps.executeUpdate();
        }
        return new Written(sequenced, next, endsIgnored, rejected);
    }

    /**
     * COPY of {@code batch} into {@code logs} on the transaction. A refusal is thrown as it came, except a
     * missing partition (23514 without a constraint: a month dropped by retention after it was ensured),
     * which is no fault of the rows: its months are forgotten, so the retry creates them again, and it is
     * thrown as a state that is not a data error.
     *
     * @return null (a {@link Transactions.Work})
     * @throws IllegalArgumentException when the encoder cannot write an entry (a data error of that entry)
     */
    private Void copy(Connection c, List<LogEntry> batch) throws SQLException {
        CopyEncoder enc = new CopyEncoder();
        enc.encode(batch);
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_LOGS, enc.asInputStream(), COPY_STREAM_BUFFER_BYTES);
        } catch (IOException e) {
            throw new SQLException("COPY source failed", "58030", e);
        } catch (SQLException e) {
            if (!ErrorClassifier.isMissingPartition(e)) throw e;
            Set<YearMonth> months = new TreeSet<>();
            for (LogEntry x : batch) months.add(PartitionMaintainer.month(x.ts()));
            partitions.forget(months);
            throw new SQLException("no partition of logs for " + months + " although it was ensured (dropped by retention since?);"
                    + " ensured again on the retry", OBJECT_NOT_IN_PREREQUISITE_STATE, e);
        }
        return null;
    }

    /** @return {@code sequenced} without the rejected entries (the very instances), in order */
    private static List<LogEntry> storedOnly(List<LogEntry> sequenced, List<Rejection> rejected) {
        if (rejected.isEmpty()) return sequenced;
        Set<LogEntry> out = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Rejection r : rejected) out.add(r.entry());
        List<LogEntry> stored = new ArrayList<>(sequenced.size() - out.size());
        for (LogEntry e : sequenced) if (!out.contains(e)) stored.add(e);
        return stored;
    }

    private static void fence(Connection c, PartitionClaim claim, long firstOffset) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FENCE)) {
            ps.setString(1, claim.topic());
            ps.setInt(2, claim.partition());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new FencedException(claim, -1);
                long epoch = rs.getLong(1);
                long next = rs.getLong(2);
                if (epoch != claim.epoch()) throw new FencedException(claim, epoch);
                if (next != firstOffset) throw new OffsetMismatchException(claim, firstOffset, next);
            }
        }
    }
}
