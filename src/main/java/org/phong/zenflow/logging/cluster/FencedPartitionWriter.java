package org.phong.zenflow.logging.cluster;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.phong.zenflow.logging.sink.postgres.PartitionMaintainer;
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
 * <p>Partitions of {@code logs} for the records' months are ensured before the transaction (that
 * DDL must never run inside a transaction that writes {@code logs}; see {@link PartitionMaintainer}).
 *
 * <p>Driven by {@link PartitionOwnerLoop}, which is not wired into the server yet (see docs/cluster.md).
 */
public final class FencedPartitionWriter {
    private static final Logger LOG = Logger.getLogger(FencedPartitionWriter.class.getName());
    private static final String COPY_LOGS = "COPY logs (" + CopyEncoder.COLUMNS + ") FROM STDIN";
    private static final String FENCE = "SELECT epoch, next_offset FROM cluster_partitions WHERE topic = ? AND partition = ? FOR UPDATE";
    private static final String RUNS = "SELECT run_id, workflow_id, last_seq FROM runs WHERE run_id = ANY (?::uuid[])";
    private static final String ADVANCE = "UPDATE cluster_partitions SET next_offset = ?, updated = now() WHERE topic = ? AND partition = ?";
    /** Buffer of the driver's copyIn stream. */
    private static final int COPY_STREAM_BUFFER_BYTES = 64 * 1024;

    /**
     * What a write committed.
     *
     * @param sequenced  the entries with their seq, in partition order (what goes to the output topic)
     * @param nextOffset the partition's next offset now
     * @param endsIgnored ends of runs that have neither a start nor an entry stored (nothing to end)
     */
    public record Written(List<LogEntry> sequenced, long nextOffset, int endsIgnored) {
        /** Copies the list. */
        public Written {
            sequenced = List.copyOf(sequenced);
        }
    }

    private final DataSource ds;
    private final PartitionMaintainer partitions;
    private final RunsTableWriter runs;
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
        this.outbox = new OutputOutbox(ds);
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
                return Transactions.commit(c, tx -> this.outbox.apply(tx, claim, firstOffset, outbox,
                        inTransaction(tx, claim, firstOffset, consumed, records, touched)));
            } finally {
                try {
                    c.setAutoCommit(auto);
                } catch (SQLException e) {
                    LOG.log(Level.FINE, "could not restore auto-commit", e);
                }
            }
        }
    }

    private Written inTransaction(Connection c, PartitionClaim claim, long firstOffset, long consumed, List<IngestRecord> records,
                                  Set<UUID> touched) throws SQLException {
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
        if (!sequenced.isEmpty()) {
            CopyEncoder enc = new CopyEncoder();
            enc.encode(sequenced);
            try {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_LOGS, enc.asInputStream(), COPY_STREAM_BUFFER_BYTES);
            } catch (IOException e) {
                throw new SQLException("COPY source failed", "58030", e);
            }
            runs.copied(c, sequenced);
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
        return new Written(sequenced, next, endsIgnored);
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
