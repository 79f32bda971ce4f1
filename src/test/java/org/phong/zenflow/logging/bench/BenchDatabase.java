package org.phong.zenflow.logging.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.phong.zenflow.logging.sink.postgres.PartitionMaintainer;
import org.phong.zenflow.logging.sink.postgres.SchemaMigrator;

/**
 * The embedded PostgreSQL of one benchmark run: zonky's binaries on an ephemeral port (zonky picks a
 * free one), a fresh data directory, the production schema ({@link SchemaMigrator}), and a connection
 * pool of the server's size in place of Liberty's dataSource. Also the exactness check.
 */
final class BenchDatabase implements AutoCloseable {
    /**
     * Liberty's {@code DB_POOL_MAX} default (server.xml): room for the sink's {@code --copy-connections} (2 by default,
     * at most 8) beside the seq lookups, the live-tail phase's history reads and the checks, as in the server
     * (docs/configuration.md, "Pool size"); a borrower that finds it empty waits (HikariCP's 30 s), it does not fail.
     */
    static final int POOL_SIZE = 10;
    /** Partitions around now, as the server creates them at startup. */
    private static final int PARTITIONS_AHEAD = 2;
    /** Server settings worth printing next to the figures. */
    private static final List<String> SHOWN = List.of("server_version", "shared_buffers", "synchronous_commit",
            "fsync", "wal_level", "max_wal_size");

    private final EmbeddedPostgres pg;
    final HikariDataSource ds;

    private BenchDatabase(EmbeddedPostgres pg, HikariDataSource ds) {
        this.pg = pg;
        this.ds = ds;
    }

    static BenchDatabase start() throws IOException, SQLException {
        return start(Map.of());
    }

    /** @param config PostgreSQL settings over zonky's defaults (e.g. shared_buffers) */
    static BenchDatabase start(Map<String, String> config) throws IOException, SQLException {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder();
        config.forEach(b::setServerConfig);
        EmbeddedPostgres pg = b.start();
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
        c.setUsername("postgres");
        c.setMaximumPoolSize(POOL_SIZE);
        c.setMinimumIdle(1);
        c.setPoolName("bench");
        HikariDataSource ds = new HikariDataSource(c);
        SchemaMigrator.migrate(ds);
        new PartitionMaintainer(ds).ensureMonthsAround(Instant.now(), PARTITIONS_AHEAD);
        return new BenchDatabase(pg, ds);
    }

    int port() {
        return pg.getPort();
    }

    /**
     * CPU time the database server has used so far (user + system): the postmaster, its live processes
     * (backends, WAL writer, checkpointer, autovacuum) and, through the postmaster's reaped-children
     * times, those that have exited. Read from {@code /proc} (Linux); -1 where that is not available.
     * The difference over a phase divided by its rows is the database's cost per row, the figure that
     * tells whether a slower phase made PostgreSQL work harder or only gave it less CPU.
     */
    long cpuNanos() {
        long backend;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            backend = rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
        java.util.Optional<ProcessHandle> postmaster = ProcessHandle.of(backend).flatMap(ProcessHandle::parent);
        if (postmaster.isEmpty()) return -1;
        long ticks = procTicks(postmaster.get().pid(), true);
        if (ticks < 0) return -1;
        for (ProcessHandle child : (Iterable<ProcessHandle>) postmaster.get().descendants()::iterator) {
            long t = procTicks(child.pid(), false);
            if (t > 0) ticks += t;
        }
        return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    /**
     * Starts counting statements from zero, when the server was started with
     * {@code --pg=shared_preload_libraries:pg_stat_statements}; else does nothing.
     * @return true when statements are counted
     */
    boolean resetStatements() {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            s.execute("SELECT pg_stat_statements_reset()");
            return true;
        } catch (SQLException notLoaded) {
            return false;
        }
    }

    /** @return the statements that took most of the server's time since {@link #resetStatements}, one line each */
    List<String> topStatements(int n) throws SQLException {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT calls, rows, total_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 110)"
                     + " FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT " + n)) {
            while (rs.next()) {
                out.add(String.format("%,10d calls %,12d rows %,10.0f ms  %s", rs.getLong(1), rs.getLong(2), rs.getDouble(3), rs.getString(4)));
            }
        }
        return out;
    }

    /** USER_HZ: the unit of /proc/PID/stat times (100 on every Linux build in use). */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    /** @return utime + stime (+ cutime + cstime) of /proc/PID/stat in clock ticks, or -1 */
    private static long procTicks(long pid, boolean withReapedChildren) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the command (which may hold spaces) in parentheses: state is field 3, utime 14, stime 15, cutime 16, cstime 17
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            if (withReapedChildren) t += Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return t;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** @return the server settings that shape write speed, for the report */
    Map<String, String> settings() throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String name : SHOWN) {
                try (ResultSet rs = s.executeQuery("SHOW " + name)) {
                    rs.next();
                    out.put(name, rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Empties {@code logs} (every partition, indexes kept), so each phase starts from the same state. */
    void truncate() throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE logs");
            s.execute("CHECKPOINT");
        }
    }

    long count() throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM logs")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Compares the table with what {@code route()} accepted: each run exactly {@code expected} rows
     * with seq 1..expected (no gap, no duplicate), and no rows of any other run.
     *
     * @param expected accepted entries per run (runs with 0 must have no row)
     * @return every difference found, empty when exact
     */
    List<String> verify(Map<UUID, Long> expected) throws SQLException {
        List<String> problems = new ArrayList<>();
        Map<UUID, long[]> stored = new HashMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(
                     "SELECT run_id, count(*), count(DISTINCT seq), min(seq), max(seq) FROM logs GROUP BY run_id")) {
            while (rs.next()) {
                stored.put(rs.getObject(1, UUID.class), new long[]{rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)});
            }
        }
        for (Map.Entry<UUID, Long> e : expected.entrySet()) {
            long want = e.getValue();
            long[] got = stored.remove(e.getKey());
            if (got == null) {
                if (want > 0) add(problems, "run " + e.getKey() + ": expected " + want + " rows, found none");
                continue;
            }
            if (got[0] != want || got[1] != want || got[2] != 1 || got[3] != want) {
                add(problems, "run " + e.getKey() + ": expected seq 1.." + want + " once each, found " + got[0]
                        + " rows, " + got[1] + " distinct seq, min " + got[2] + ", max " + got[3]);
            }
        }
        for (UUID unknown : stored.keySet()) add(problems, "rows of a run never routed: " + unknown);
        return problems;
    }

    /**
     * The content check of a writer that maps the fields itself (the Log4j2 peer): every row of the
     * given runs must equal the {@link Workload}'s entry field for field (workflow id, seq, node key,
     * level, message, error code and NULL where there is none, metadata as jsonb, trace id, hierarchy;
     * ts is "now" at logging and not compared). One query per run, the expected rows as arrays.
     *
     * @return every difference found, empty when the rows are the workload's
     */
    List<String> sameRows(Workload workload, List<LoadGenerator.RunRecord> runs) throws SQLException {
        List<String> problems = new ArrayList<>();
        String sql = "SELECT count(*) FROM logs l JOIN unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
                + " AS e(seq, node_key, level, message, error_code, metadata, trace_id, hierarchy)"
                + " ON l.seq = e.seq AND l.node_key = e.node_key AND l.level = e.level AND l.message = e.message"
                + " AND l.error_code IS NOT DISTINCT FROM e.error_code AND l.metadata IS NOT DISTINCT FROM e.metadata::jsonb"
                + " AND l.trace_id IS NOT DISTINCT FROM e.trace_id AND l.hierarchy IS NOT DISTINCT FROM e.hierarchy"
                + " WHERE l.run_id = ? AND l.workflow_id = ?";
        try (Connection c = ds.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
            for (LoadGenerator.RunRecord r : runs) {
                int n = (int) r.accepted();
                Long[] seq = new Long[n];
                String[][] t = new String[7][n];
                for (int k = 1; k <= n; k++) {
                    org.phong.zenflow.logging.api.LogEntry e = workload.entry(r.runIndex(), r.workflowId(), r.runId(), k, null);
                    seq[k - 1] = (long) k;
                    t[0][k - 1] = e.nodeKey();
                    t[1][k - 1] = e.level().name();
                    t[2][k - 1] = e.message();
                    t[3][k - 1] = e.errorCode();
                    t[4][k - 1] = e.metadata();
                    t[5][k - 1] = e.traceId();
                    t[6][k - 1] = e.hierarchy();
                }
                ps.setArray(1, c.createArrayOf("bigint", seq));
                for (int i = 0; i < 7; i++) ps.setArray(2 + i, c.createArrayOf("text", t[i]));
                ps.setObject(9, r.runId());
                ps.setObject(10, r.workflowId());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long same = rs.getLong(1);
                    if (same != n) add(problems, "run " + r.runId() + ": " + same + " of " + n + " rows equal the workload's entries");
                }
            }
        }
        return problems;
    }

    private static void add(List<String> problems, String p) {
        if (problems.size() < 20) problems.add(p);
        else if (problems.size() == 20) problems.add("... (more)");
    }

    DataSource dataSource() {
        return ds;
    }

    @Override
    public void close() throws IOException {
        ds.close();
        pg.close();
    }
}
