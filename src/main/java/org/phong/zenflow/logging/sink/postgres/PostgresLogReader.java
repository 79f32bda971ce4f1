package org.phong.zenflow.logging.sink.postgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogFilter;
import org.phong.zenflow.logging.api.LogLevel;

/**
 * Reads a run's stored entries back, in {@code seq} order, for the resume-by-cursor API.
 *
 * <p>Every query is built from constant SQL fragments (one per {@link LogFilter} field in use);
 * input only ever travels as bind parameters. {@code run_id = ? AND seq > ? ORDER BY seq
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

    /** The columns {@link #row} reads, in its order (unqualified: only {@code logs} has these names in any query here). */
    private static final String COLUMNS = "workflow_id, run_id, seq, node_key, ts, level, message, error_code,"
            + " metadata::text, trace_id, hierarchy";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM logs WHERE run_id = ?";
    /**
     * Seq ranges of several runs in one statement: the ranges are unnested into rows ({@code r}, whose column
     * names differ from the log columns) and each probes the per-partition unique index {@code (run_id, seq, ts)}.
     */
    private static final String RANGES = "SELECT " + COLUMNS + " FROM unnest(?::uuid[], ?::bigint[], ?::bigint[]) AS r(rid, lo, hi)"
            + " JOIN logs ON run_id = r.rid AND seq BETWEEN r.lo AND r.hi ORDER BY run_id, seq";
    private static final String AFTER = " AND seq > ?";
    private static final String BEFORE = " AND seq < ?";
    private static final String LEVEL_FILTER = " AND level = ANY (?)";
    private static final String NODE_FILTER = " AND node_key = ?";
    /** Backslash is the LIKE escape (standard_conforming_strings: the literal is one backslash). */
    private static final String TEXT_FILTER = " AND (message ILIKE ? ESCAPE '\\' OR error_code ILIKE ? ESCAPE '\\')";
    private static final String FROM_FILTER = " AND ts >= ?";
    private static final String TO_FILTER = " AND ts < ?";
    private static final String ORDER = " ORDER BY seq";
    private static final String PAGE = ORDER + " LIMIT ?";
    private static final String PAGE_DESC = " ORDER BY seq DESC LIMIT ?";
    private static final String NODES = "SELECT node_key, count(*), count(*) FILTER (WHERE level = 'WARN'),"
            + " count(*) FILTER (WHERE level = 'ERROR'), min(seq), max(seq) FROM logs WHERE run_id = ?"
            + " GROUP BY node_key ORDER BY min(seq)";
    /** A run's highest seq over logs and the dead-letter table: a continuing run never reuses a rejected seq. */
    private static final String LAST_SEQ = "SELECT greatest((SELECT coalesce(max(seq), 0) FROM logs WHERE run_id = ?),"
            + " (SELECT coalesce(max(seq), 0) FROM logs_rejected WHERE run_id = ?))";
    private static final String REJECTED = "SELECT seq, workflow_id, node_key, ts, entry, sqlstate, error, rejected_at"
            + " FROM logs_rejected WHERE run_id = ? AND seq > ? AND seq <= ?";

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
        return readAfter(runId, afterSeq, limit, new LogFilter(minLevel, nodeKey, null, null, null));
    }

    /**
     * One page of a run's entries after a cursor that pass a filter.
     *
     * @param runId    the run
     * @param afterSeq return entries with seq greater than this (0 for the start)
     * @param limit    the most entries to return, at least 1
     * @param filter   only entries that pass ({@link LogFilter#ALL} for all)
     * @return the entries ordered by seq ascending; empty for an unknown run
     * @throws SQLException when the database refuses
     */
    public List<LogEntry> readAfter(UUID runId, long afterSeq, int limit, LogFilter filter) throws SQLException {
        return page(runId, afterSeq, limit, filter, AFTER, PAGE);
    }

    /**
     * The page just before a cursor: the last {@code limit} entries with seq below {@code beforeSeq}
     * that pass the filter (for scrolling up through a run and "previous error").
     *
     * @return those entries in ascending seq; empty when there are none
     * @throws SQLException when the database refuses
     */
    public List<LogEntry> readBefore(UUID runId, long beforeSeq, int limit, LogFilter filter) throws SQLException {
        List<LogEntry> out = page(runId, beforeSeq, limit, filter, BEFORE, PAGE_DESC);
        java.util.Collections.reverse(out);
        return out;
    }

    /** One page of at most {@code limit} rows, in the query's order. */
    private List<LogEntry> page(UUID runId, long cursor, int limit, LogFilter filter, String seqClause, String tail)
            throws SQLException {
        if (runId == null) throw new IllegalArgumentException("runId is required");
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql(filter, seqClause, tail))) {
            int p = bind(c, ps, runId, cursor, filter);
            ps.setInt(p, limit);
            List<LogEntry> out = new ArrayList<>(Math.min(limit, PAGE_INITIAL_CAPACITY));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row(rs));
            }
            return out;
        }
    }

    /**
     * The stored entries of several runs' seq ranges, for republishing what a write stored (cluster mode's
     * output outbox). Entries that are not in {@code logs} (dropped by retention, or never stored there) are
     * simply absent; the caller compares the count with the ranges' size.
     *
     * @param runIds  the runs, one per range
     * @param fromSeq each range's first seq (inclusive)
     * @param toSeq   each range's last seq (inclusive)
     * @return the entries found, ordered by run, then seq ascending
     * @throws SQLException when the database refuses
     */
    public List<LogEntry> readRanges(List<UUID> runIds, List<Long> fromSeq, List<Long> toSeq) throws SQLException {
        if (runIds.size() != fromSeq.size() || runIds.size() != toSeq.size()) {
            throw new IllegalArgumentException("ranges of unequal length: " + runIds.size() + ", " + fromSeq.size() + ", " + toSeq.size());
        }
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(RANGES)) {
            ps.setArray(1, c.createArrayOf("text", runIds.stream().map(UUID::toString).toArray(String[]::new)));
            ps.setArray(2, c.createArrayOf("int8", fromSeq.toArray(Long[]::new)));
            ps.setArray(3, c.createArrayOf("int8", toSeq.toArray(Long[]::new)));
            List<LogEntry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row(rs));
            }
            return out;
        }
    }

    /**
     * Per node of a run: stored entries, warnings, errors, first and last seq.
     *
     * @param nodeKey  the node
     * @param entries  its stored entries
     * @param warnings its WARN entries
     * @param errors   its ERROR entries
     * @param firstSeq seq of its first entry
     * @param lastSeq  seq of its last entry
     */
    public record NodeSummary(String nodeKey, long entries, long warnings, long errors, long firstSeq, long lastSeq) {
    }

    /**
     * @param runId the run
     * @return one summary per node that has stored entries, in order of each node's first entry
     * @throws SQLException when the database refuses
     */
    public List<NodeSummary> nodes(UUID runId) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(NODES)) {
            ps.setObject(1, runId);
            List<NodeSummary> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new NodeSummary(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)));
                }
            }
            return out;
        }
    }

    /** Receives the rows of {@link #stream}, one at a time. */
    @FunctionalInterface
    public interface RowConsumer {
        /** @param e the next entry @throws IOException when the receiver is gone (the read stops) */
        void accept(LogEntry e) throws IOException;
    }

    /**
     * Every entry of a run after a cursor that passes a filter, in seq order, in constant memory:
     * one query read through a server-side cursor ({@code fetchSize} rows at a time; PostgreSQL's
     * JDBC driver does that only inside a transaction, on a forward-only statement), each row handed
     * to {@code out} before the next is read. A run of any size costs one fetch of rows.
     *
     * @param runId     the run
     * @param afterSeq  entries with seq greater than this
     * @param filter    only entries that pass
     * @param fetchSize rows per round trip to the database
     * @param out       receives each entry
     * @return how many entries were handed over
     * @throws SQLException when the database refuses (possibly after some rows were handed over)
     * @throws IOException  when {@code out} failed (the client left); the read stops
     */
    public long stream(UUID runId, long afterSeq, LogFilter filter, int fetchSize, RowConsumer out)
            throws SQLException, IOException {
        if (runId == null) throw new IllegalArgumentException("runId is required");
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql(filter, AFTER, ORDER), ResultSet.TYPE_FORWARD_ONLY,
                    ResultSet.CONCUR_READ_ONLY)) {
                bind(c, ps, runId, afterSeq, filter);
                ps.setFetchSize(fetchSize);
                long n = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.accept(row(rs));
                        n++;
                    }
                }
                return n;
            } finally {
                try {
                    c.rollback(); // read-only: nothing to keep; ends the transaction that held the cursor
                } finally {
                    c.setAutoCommit(auto);
                }
            }
        }
    }

    /** The query for a filter: constant fragments only; every value travels as a bind parameter. */
    private static String sql(LogFilter f, String cursor, String tail) {
        StringBuilder b = new StringBuilder(SELECT).append(cursor);
        if (f.minLevel() != null) b.append(LEVEL_FILTER);
        if (f.nodeKey() != null) b.append(NODE_FILTER);
        if (f.text() != null) b.append(TEXT_FILTER);
        if (f.from() != null) b.append(FROM_FILTER);
        if (f.to() != null) b.append(TO_FILTER);
        return b.append(tail).toString();
    }

    /** @return the index of the next parameter */
    private static int bind(Connection c, PreparedStatement ps, UUID runId, long cursorSeq, LogFilter f) throws SQLException {
        int p = 1;
        ps.setObject(p++, runId);
        ps.setLong(p++, cursorSeq);
        if (f.minLevel() != null) ps.setArray(p++, c.createArrayOf("text", levelsFrom(f.minLevel())));
        if (f.nodeKey() != null) ps.setString(p++, f.nodeKey());
        if (f.text() != null) {
            String like = "%" + likeEscape(f.text()) + "%";
            ps.setString(p++, like);
            ps.setString(p++, like);
        }
        if (f.from() != null) ps.setObject(p++, OffsetDateTime.ofInstant(f.from(), ZoneOffset.UTC));
        if (f.to() != null) ps.setObject(p++, OffsetDateTime.ofInstant(f.to(), ZoneOffset.UTC));
        return p;
    }

    /** @return {@code s} with LIKE's wildcards and its escape character escaped */
    static String likeEscape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '%' || ch == '_' || ch == '\\') b.append('\\');
            b.append(ch);
        }
        return b.toString();
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
     * A run's rejected entries in a seq window that pass a filter's node and time range (their level and
     * message are only in their JSON text: a filter on those never selects a rejected entry, see
     * {@link RunHistory}).
     *
     * @param runId      the run
     * @param afterSeq   exclusive lower bound
     * @param upToSeq    inclusive upper bound
     * @param limit      the most returned
     * @param filter     node and time range to apply
     * @param descending true: the {@code limit} highest of the window (returned ascending all the same)
     * @return the rejected entries with {@code afterSeq < seq <= upToSeq}, ascending
     * @throws SQLException when the database refuses
     */
    public List<Rejected> rejectedBetween(UUID runId, long afterSeq, long upToSeq, int limit, LogFilter filter, boolean descending)
            throws SQLException {
        StringBuilder sql = new StringBuilder(REJECTED);
        if (filter.nodeKey() != null) sql.append(NODE_FILTER);
        if (filter.from() != null) sql.append(FROM_FILTER);
        if (filter.to() != null) sql.append(TO_FILTER);
        sql.append(descending ? PAGE_DESC : PAGE);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int p = 1;
            ps.setObject(p++, runId);
            ps.setLong(p++, afterSeq);
            ps.setLong(p++, upToSeq);
            if (filter.nodeKey() != null) ps.setString(p++, filter.nodeKey());
            if (filter.from() != null) ps.setObject(p++, OffsetDateTime.ofInstant(filter.from(), ZoneOffset.UTC));
            if (filter.to() != null) ps.setObject(p++, OffsetDateTime.ofInstant(filter.to(), ZoneOffset.UTC));
            ps.setInt(p, limit);
            List<Rejected> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Rejected(runId, rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3),
                            rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getString(5), rs.getString(6),
                            rs.getString(7), rs.getObject(8, OffsetDateTime.class).toInstant()));
                }
            }
            if (descending) java.util.Collections.reverse(out);
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
