package org.phong.zenflow.logging.sink.postgres;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;

/**
 * Reads a run's stored entries back, in {@code seq} order, for the resume-by-cursor API.
 *
 * <p>Every query is one of four constant SQL texts (with/without level filter, with/without node
 * filter); input only ever travels as bind parameters. {@code run_id = ? AND seq > ? ORDER BY seq
 * LIMIT ?} is served by the unique index {@code (run_id, seq, ts)} of each partition (a merge of
 * per-partition index scans), so paging does not sort the run.
 *
 * <p>Entries come back through {@link LogEntry#builder()} (so the same validation and
 * normalisation as at ingest) with their stored seq. Two things differ from what was written:
 * ts is truncated to microseconds (see {@link CopyEncoder#truncate}), and metadata is the compact
 * form of PostgreSQL's jsonb text: same JSON value, but jsonb orders object keys (shorter first,
 * then bytewise), keeps the last of duplicate keys and normalises numbers ({@code 1e3} becomes
 * {@code 1000}).
 */
public final class PostgresLogReader {
    /** Initial allocation of a page (it grows up to the page's limit). */
    private static final int PAGE_INITIAL_CAPACITY = 1024;

    private static final String SELECT = "SELECT workflow_id, run_id, seq, node_key, ts, level, message, error_code,"
            + " metadata::text, trace_id, hierarchy FROM logs WHERE run_id = ? AND seq > ?";
    private static final String LEVEL_FILTER = " AND level = ANY (?)";
    private static final String NODE_FILTER = " AND node_key = ?";
    private static final String PAGE = " ORDER BY seq LIMIT ?";
    private static final String[] QUERIES = {
        SELECT + PAGE,
        SELECT + LEVEL_FILTER + PAGE,
        SELECT + NODE_FILTER + PAGE,
        SELECT + LEVEL_FILTER + NODE_FILTER + PAGE,
    };
    /** A run's highest seq over logs and the dead-letter table: a continuing run never reuses a rejected seq. */
    private static final String LAST_SEQ = "SELECT greatest((SELECT coalesce(max(seq), 0) FROM logs WHERE run_id = ?),"
            + " (SELECT coalesce(max(seq), 0) FROM logs_rejected WHERE run_id = ?))";
    private static final String REJECTED = "SELECT seq, workflow_id, node_key, ts, entry, sqlstate, error, rejected_at"
            + " FROM logs_rejected WHERE run_id = ? AND seq > ? AND seq <= ?";
    private static final String REJECTED_PAGE = " ORDER BY seq LIMIT ?";

    private final javax.sql.DataSource ds;

    /** @param ds the log database */
    public PostgresLogReader(javax.sql.DataSource ds) {
        this.ds = ds;
    }

    /**
     * One page of a run's entries after a cursor.
     *
     * @param runId    the run
     * @param afterSeq return entries with seq greater than this (0 for the start)
     * @param limit    the most entries to return, at least 1
     * @param minLevel return only this level and more severe ones; null for all
     * @param nodeKey  return only this node's entries; null for all
     * @return the entries ordered by seq ascending; empty for an unknown run
     * @throws SQLException when the database refuses
     */
    public List<LogEntry> readAfter(UUID runId, long afterSeq, int limit, LogLevel minLevel, String nodeKey)
            throws SQLException {
        if (runId == null) throw new IllegalArgumentException("runId is required");
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        boolean byLevel = minLevel != null && minLevel != LogLevel.DEBUG; // DEBUG and above = all
        boolean byNode = nodeKey != null;
        String sql = QUERIES[(byLevel ? 1 : 0) + (byNode ? 2 : 0)];
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            ps.setObject(p++, runId);
            ps.setLong(p++, afterSeq);
            Array levels = null;
            if (byLevel) {
                levels = c.createArrayOf("text", levelsFrom(minLevel));
                ps.setArray(p++, levels);
            }
            if (byNode) ps.setString(p++, nodeKey);
            ps.setInt(p, limit);
            List<LogEntry> out = new ArrayList<>(Math.min(limit, PAGE_INITIAL_CAPACITY));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row(rs));
            } finally {
                if (levels != null) levels.free();
            }
            return out;
        }
    }

    /**
     * @param runId the run
     * @return the highest seq of the run stored in {@code logs} or {@code logs_rejected}, or 0 when it has none
     * @throws SQLException when the database refuses
     */
    public long lastSeq(UUID runId) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(LAST_SEQ)) {
            ps.setObject(1, runId);
            ps.setObject(2, runId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * An entry the database refused, as {@code logs_rejected} keeps it.
     *
     * @param runId      its run
     * @param seq        its seq (the run's seq stays gap-free over logs and logs_rejected)
     * @param workflowId its workflow
     * @param nodeKey    its node (ASCII-escaped when the database encoding could not hold it)
     * @param ts         its ts
     * @param entryJson  the entry's JSON form, as text
     * @param sqlState   the database's SQLState, or null
     * @param error      the database's words
     * @param rejectedAt when it was rejected
     */
    public record Rejected(UUID runId, long seq, UUID workflowId, String nodeKey, java.time.Instant ts, String entryJson,
                           String sqlState, String error, java.time.Instant rejectedAt) {
    }

    /**
     * A run's rejected entries in a seq window, ascending.
     *
     * @param runId    the run
     * @param afterSeq exclusive lower bound
     * @param upToSeq  inclusive upper bound
     * @param limit    the most returned
     * @param nodeKey  only this node's, or null for all
     * @return the rejected entries with {@code afterSeq < seq <= upToSeq}
     * @throws SQLException when the database refuses
     */
    public List<Rejected> rejectedBetween(UUID runId, long afterSeq, long upToSeq, int limit, String nodeKey) throws SQLException {
        String sql = REJECTED + (nodeKey == null ? "" : NODE_FILTER) + REJECTED_PAGE;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            ps.setObject(p++, runId);
            ps.setLong(p++, afterSeq);
            ps.setLong(p++, upToSeq);
            if (nodeKey != null) ps.setString(p++, nodeKey);
            ps.setInt(p, limit);
            List<Rejected> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Rejected(runId, rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3),
                            rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getString(5), rs.getString(6),
                            rs.getString(7), rs.getObject(8, OffsetDateTime.class).toInstant()));
                }
            }
            return out;
        }
    }

    private static String[] levelsFrom(LogLevel min) {
        List<String> names = new ArrayList<>();
        for (LogLevel l : LogLevel.values()) if (l.isAtLeast(min)) names.add(l.name());
        return names.toArray(new String[0]);
    }

    private static LogEntry row(ResultSet rs) throws SQLException {
        LogEntry e = LogEntry.builder()
                .workflowId(rs.getObject(1, UUID.class))
                .runId(rs.getObject(2, UUID.class))
                .nodeKey(rs.getString(4))
                .ts(rs.getObject(5, OffsetDateTime.class).toInstant())
                .level(LogLevel.valueOf(rs.getString(6)))
                .message(rs.getString(7))
                .errorCode(rs.getString(8))
                .metadata(rs.getString(9))
                .traceId(rs.getString(10))
                .hierarchy(rs.getString(11))
                .build();
        long seq = rs.getLong(3);
        return seq >= 1 ? e.withSeq(seq) : e;
    }
}
