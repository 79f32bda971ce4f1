package org.phong.zenflow.logging.sink.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;

/** Test support: a real embedded PostgreSQL (one per test class) and small SQL/entry helpers. */
final class Pg implements AutoCloseable {
    final EmbeddedPostgres pg;
    final DataSource ds;

    private Pg(EmbeddedPostgres pg) {
        this.pg = pg;
        this.ds = pg.getPostgresDatabase();
    }

    /** Starts PostgreSQL; the caller migrates when it wants the schema. */
    static Pg start() throws IOException {
        return new Pg(EmbeddedPostgres.start());
    }

    /** Starts PostgreSQL and applies the schema. */
    static Pg startMigrated() throws IOException {
        Pg p = start();
        SchemaMigrator.migrate(p.ds);
        return p;
    }

    /** Creates an empty database and returns a DataSource for it. */
    DataSource newDatabase(String name) throws SQLException {
        exec("CREATE DATABASE " + name);
        return pg.getDatabase("postgres", name);
    }

    void exec(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    long count(String sql, Object... params) throws SQLException {
        return count(ds, sql, params);
    }

    static long count(DataSource ds, String sql, Object... params) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Entries seq from..to of one run, levels and nodes cycling, ts one ms apart (micro-precise). */
    static List<LogEntry> entries(UUID workflow, UUID run, long from, long to, Instant base) {
        List<LogEntry> out = new ArrayList<>();
        LogLevel[] levels = LogLevel.values();
        for (long s = from; s <= to; s++) {
            out.add(LogEntry.builder().workflowId(workflow).runId(run)
                    .nodeKey("node-" + (s % 3))
                    .ts(base.plusMillis(s))
                    .level(levels[(int) (s % levels.length)])
                    .message("message " + s)
                    .build().withSeq(s));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }
}
