package org.phong.zenflow.logging.cluster;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.sink.postgres.PostgresLogReader;

/**
 * The output outbox, table {@code cluster_unpublished} (migration V6): which committed writes may not be
 * wholly on the output topic yet, and what they stored, so that the next owner of a partition can
 * republish them from PostgreSQL.
 *
 * <p><b>Life of a row.</b>
 * <ol>
 *   <li>{@link #apply} inserts the write's row inside the write's fenced transaction (after the fence, so
 *       a refused write leaves no row, and a committed one always has its row): its key is the write's
 *       {@code (topic, partition, first_offset)}, its payload one seq range per run.</li>
 *   <li>The publisher ({@link ConfirmingListener}) confirms the write once Kafka acknowledged every entry of
 *       it. The loop hands the partition's confirmed offsets to its next write, and {@link #apply} deletes
 *       them in that same transaction ({@code first_offset = ANY (?)}): confirmation costs no transaction of
 *       its own while the partition is busy. A partition that goes quiet, or that this node loses, has its
 *       confirmed rows deleted by {@link #delete} (the loop's idle sweep, its revocation and fencing).</li>
 *   <li>Otherwise (a crash, a failed send, a lost commit reply) the row stays, and the next claim of the
 *       partition reads it ({@link #pending}), reads the entries back ({@link #entries}) and publishes them
 *       as a write of its own; their confirmation deletes the row like any other.</li>
 * </ol>
 * {@link #delete} runs outside the fence on purpose: a confirmed row's entries are on the output topic
 * whoever owns the partition now, so deleting it is right for any node; a new owner that is republishing
 * the same row at that moment loses nothing (its sends go on, its own later delete finds no row).
 *
 * <p>Stateless apart from the data source; thread-safe.
 */
public final class OutputOutbox {
    private static final String INSERT = "INSERT INTO cluster_unpublished (topic, partition, first_offset, run_ids, from_seq, to_seq)"
            + " VALUES (?, ?, ?, ?::uuid[], ?, ?)";
    private static final String DELETE_CONFIRMED = "DELETE FROM cluster_unpublished WHERE topic = ? AND partition = ? AND first_offset = ANY (?)";
    private static final String DELETE_MANY = "DELETE FROM cluster_unpublished u USING unnest(?::int[], ?::bigint[]) AS d(p, o)"
            + " WHERE u.topic = ? AND u.partition = d.p AND u.first_offset = d.o";
    private static final String PENDING = "SELECT first_offset, run_ids, from_seq, to_seq FROM cluster_unpublished"
            + " WHERE topic = ? AND partition = ? ORDER BY first_offset";

    /**
     * What a write does to the outbox besides its rows.
     *
     * @param record    insert this write's row (false: the listener does not confirm, nothing would delete it)
     * @param confirmed first offsets of this partition's writes the publisher confirmed: deleted
     */
    public record Update(boolean record, Set<Long> confirmed) {
        /** No outbox at all: the write is what it was before the outbox existed. */
        public static final Update NONE = new Update(false, Set.of());

        /** Copies the set. */
        public Update {
            confirmed = Set.copyOf(confirmed);
        }
    }

    /**
     * One write's seq range of one run.
     *
     * @param runId the run
     * @param from  its first seq in the write
     * @param to    its last seq in the write
     */
    public record Range(UUID runId, long from, long to) {
        /** @return how many seqs it covers */
        public long size() {
            return to - from + 1;
        }
    }

    /**
     * A row: a committed write whose output is not confirmed.
     *
     * @param firstOffset the write's first offset (its identity within the partition)
     * @param ranges      what it stored, one range per run
     */
    public record Row(long firstOffset, List<Range> ranges) {
        /** Copies the list. */
        public Row {
            ranges = List.copyOf(ranges);
        }

        /** @return how many entries the write stored */
        public long entries() {
            return ranges.stream().mapToLong(Range::size).sum();
        }
    }

    private final DataSource ds;
    private final PostgresLogReader reader;

    /** @param ds the log database (migrated: V6 creates the table) */
    public OutputOutbox(DataSource ds) {
        this.ds = Objects.requireNonNull(ds);
        this.reader = new PostgresLogReader(ds);
    }

    /**
     * @param sequenced a write's entries with their seqs, in partition order
     * @return one range per run in order of first appearance: a write numbers each run consecutively, so the
     *         run's first and last entry bound every entry of it
     */
    static List<Range> ranges(List<LogEntry> sequenced) {
        Map<UUID, long[]> byRun = new LinkedHashMap<>();
        for (LogEntry e : sequenced) {
            long[] r = byRun.computeIfAbsent(e.runId(), k -> new long[] {e.seq(), e.seq()});
            r[0] = Math.min(r[0], e.seq());
            r[1] = Math.max(r[1], e.seq());
        }
        List<Range> out = new ArrayList<>(byRun.size());
        for (Map.Entry<UUID, long[]> e : byRun.entrySet()) out.add(new Range(e.getKey(), e.getValue()[0], e.getValue()[1]));
        return out;
    }

    /**
     * The write's outbox work, in its transaction, after the fence and the rows: deletes the confirmed rows,
     * inserts the write's own row when it stored entries.
     *
     * @param c           the write's connection, in its transaction
     * @param claim       the write's claim (its topic and partition)
     * @param firstOffset the write's first offset
     * @param update      what to do
     * @param written     what the write stored
     * @return {@code written}
     * @throws SQLException when the database refuses (the whole write rolls back)
     */
    FencedPartitionWriter.Written apply(Connection c, PartitionClaim claim, long firstOffset, Update update,
                                        FencedPartitionWriter.Written written) throws SQLException {
        if (!update.confirmed().isEmpty()) try (PreparedStatement ps = c.prepareStatement(DELETE_CONFIRMED)) {
            ps.setString(1, claim.topic());
            ps.setInt(2, claim.partition());
            ps.setArray(3, c.createArrayOf("int8", update.confirmed().toArray(Long[]::new)));
            ps.executeUpdate();
        }
        if (update.record() && !written.sequenced().isEmpty()) try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            List<Range> ranges = ranges(written.sequenced());
            ps.setString(1, claim.topic());
            ps.setInt(2, claim.partition());
            ps.setLong(3, firstOffset);
            ps.setArray(4, c.createArrayOf("text", ranges.stream().map(r -> r.runId().toString()).toArray(String[]::new)));
            ps.setArray(5, c.createArrayOf("int8", ranges.stream().map(Range::from).toArray(Long[]::new)));
            ps.setArray(6, c.createArrayOf("int8", ranges.stream().map(Range::to).toArray(Long[]::new)));
            ps.executeUpdate();
        }
        return written;
    }

    /**
     * @param topic     the ingest topic
     * @param partition the partition
     * @return the partition's rows, oldest write first (so a run's entries are republished in seq order)
     * @throws SQLException when the database refuses
     */
    public List<Row> pending(String topic, int partition) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(PENDING)) {
            ps.setString(1, topic);
            ps.setInt(2, partition);
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID[] runs = (UUID[]) array(rs.getArray(2));
                    Long[] from = (Long[]) array(rs.getArray(3));
                    Long[] to = (Long[]) array(rs.getArray(4));
                    List<Range> ranges = new ArrayList<>(runs.length);
                    for (int i = 0; i < runs.length; i++) ranges.add(new Range(runs[i], from[i], to[i]));
                    out.add(new Row(rs.getLong(1), ranges));
                }
            }
            return out;
        }
    }

    private static Object array(Array a) throws SQLException {
        try {
            return a.getArray();
        } finally {
            a.free();
        }
    }

    /**
     * @param row a row of {@link #pending}
     * @return its entries as stored in {@code logs}, each run's in seq order; fewer than {@link Row#entries()}
     *         when retention dropped some
     * @throws SQLException when the database refuses
     */
    public List<LogEntry> entries(Row row) throws SQLException {
        return reader.readRanges(row.ranges().stream().map(Range::runId).toList(), row.ranges().stream().map(Range::from).toList(),
                row.ranges().stream().map(Range::to).toList());
    }

    /**
     * Deletes rows outside any write (auto-commit, one statement).
     *
     * @param topic       the ingest topic
     * @param byPartition first offsets to delete, per partition
     * @return rows deleted
     * @throws SQLException when the database refuses
     */
    public int delete(String topic, Map<Integer, Set<Long>> byPartition) throws SQLException {
        List<Integer> parts = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        for (Map.Entry<Integer, Set<Long>> e : byPartition.entrySet()) {
            for (Long o : e.getValue()) {
                parts.add(e.getKey());
                offsets.add(o);
            }
        }
        if (parts.isEmpty()) return 0;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(DELETE_MANY)) {
            boolean auto = c.getAutoCommit();
            if (!auto) c.setAutoCommit(true);
            try {
                ps.setArray(1, c.createArrayOf("int4", parts.toArray(Integer[]::new)));
                ps.setArray(2, c.createArrayOf("int8", offsets.toArray(Long[]::new)));
                ps.setString(3, topic);
                return ps.executeUpdate();
            } finally {
                if (!auto) c.setAutoCommit(false);
            }
        }
    }
}
