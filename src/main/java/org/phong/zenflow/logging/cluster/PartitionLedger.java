package org.phong.zenflow.logging.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@code cluster_partitions} table: who owns each ingest partition, under which epoch, and
 * where its consumption resumes.
 *
 * <p>{@link #claim} is what a node does when the consumer group assigns it a partition: one
 * upsert raises the epoch (1 for a partition never seen) and names the node. It waits for a write
 * of the previous owner that holds the row ({@code FOR UPDATE} in {@link FencedPartitionWriter}) to
 * commit or roll back, so the claim reads the offset that write left, and every later write of the
 * previous owner finds a newer epoch and is refused. Ownership is thus decided by PostgreSQL, never by
 * the group's view alone: two nodes that both believe they own a partition (a rebalance, a paused
 * process) cannot both write it.
 */
public final class PartitionLedger {
    private static final String CLAIM = "INSERT INTO cluster_partitions AS p (topic, partition, epoch, owner)"
            + " VALUES (?, ?, 1, ?)"
            + " ON CONFLICT (topic, partition) DO UPDATE SET epoch = p.epoch + 1, owner = excluded.owner,"
            + " claimed = now(), updated = now()"
            + " RETURNING epoch, next_offset";
    private static final String READ = "SELECT epoch, owner, next_offset FROM cluster_partitions WHERE topic = ? AND partition = ?";

    private final DataSource ds;

    /** @param ds the log database (migrated: V4 creates the table) */
    public PartitionLedger(DataSource ds) {
        this.ds = Objects.requireNonNull(ds);
    }

    /**
     * Takes the partition over.
     *
     * @param topic     the ingest topic
     * @param partition the partition
     * @param owner     this node
     * @return the claim: the new epoch and the offset to resume at
     * @throws SQLException when the database refuses
     */
    public PartitionClaim claim(String topic, int partition, String owner) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(CLAIM)) {
            boolean auto = c.getAutoCommit();
            if (!auto) c.setAutoCommit(true);
            try {
                ps.setString(1, topic);
                ps.setInt(2, partition);
                ps.setString(3, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new PartitionClaim(topic, partition, rs.getLong(1), owner, rs.getLong(2));
                }
            } finally {
                if (!auto) c.setAutoCommit(false);
            }
        }
    }

    /**
     * @param topic     the ingest topic
     * @param partition the partition
     * @return the partition's current claim, or empty when nobody ever claimed it
     * @throws SQLException when the database refuses
     */
    public Optional<PartitionClaim> current(String topic, int partition) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setString(1, topic);
            ps.setInt(2, partition);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new PartitionClaim(topic, partition, rs.getLong(1), rs.getString(2), rs.getLong(3)));
            }
        }
    }
}
