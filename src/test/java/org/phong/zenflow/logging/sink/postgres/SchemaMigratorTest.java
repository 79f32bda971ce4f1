package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.phong.zenflow.logging.testing.PerClass;

/** The migrations against a real PostgreSQL. */
class SchemaMigratorTest {
    @RegisterExtension
    static final PerClass<Pg> PG = PerClass.of(Pg::start);

    @Test
    void createsTableIndexesKeyFunctionAndPartitionsAndIsIdempotent() throws Exception {
        DataSource ds = PG.get().newDatabase("mig_basic");
        SchemaMigrator.Outcome first = SchemaMigrator.migrate(ds);
        assertEquals(List.of("1 logs", "2 runs", "3 logs rejected", "4 cluster", "5 runs fillfactor", "6 cluster unpublished"), first.applied());
        assertEquals("6", first.schemaVersion());
        assertFalse(first.explicitResources(), "classpath scanning works outside Liberty");

        assertEquals("p", string(ds, "SELECT relkind::text FROM pg_class WHERE oid = 'logs'::regclass"));
        assertEquals("RANGE", string(ds, "SELECT CASE partstrat WHEN 'r' THEN 'RANGE' ELSE partstrat::text END"
                + " FROM pg_partitioned_table WHERE partrelid = 'logs'::regclass"));
        assertEquals("UNIQUE (run_id, seq, ts)", string(ds, "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE conrelid = 'logs'::regclass AND contype = 'u'"));
        assertTrue(string(ds, "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_logs_workflow_run_time'")
                .endsWith("(workflow_id, run_id, ts)"));
        String partial = string(ds, "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_logs_level_time'");
        assertTrue(partial.contains("(level, ts) WHERE (level = ANY (ARRAY['ERROR'::text, 'WARN'::text]))"), partial);
        assertEquals(1, Pg.count(ds, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'logs'::regclass"
                + " AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%DEBUG%INFO%WARN%ERROR%'"));
        assertEquals("text", string(ds, "SELECT pg_get_function_result('zenflow_ensure_log_partition(timestamptz)'::regprocedure)"));
        // room on the runs table's pages, so the per-COPY upserts of counts stay heap-only (V5)
        assertEquals("{fillfactor=50}", string(ds, "SELECT reloptions::text FROM pg_class WHERE oid = 'runs'::regclass"));

        YearMonth now = PartitionMaintainer.month(Instant.now());
        Set<String> expected = new TreeSet<>();
        for (int i = -1; i <= 2; i++) expected.add(PartitionMaintainer.partitionName(now.plusMonths(i)));
        assertEquals(expected, partitions(ds));
        // UTC month bounds
        YearMonth cur = now;
        assertEquals(String.format("FOR VALUES FROM ('%04d-%02d-01 00:00:00+00') TO ('%04d-%02d-01 00:00:00+00')",
                        cur.getYear(), cur.getMonthValue(), cur.plusMonths(1).getYear(), cur.plusMonths(1).getMonthValue()),
                string(ds, "SET TimeZone = 'UTC'; SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = '"
                        + PartitionMaintainer.partitionName(cur) + "'"));

        SchemaMigrator.Outcome second = SchemaMigrator.migrate(ds);
        assertEquals(List.of(), second.applied());
        assertEquals("6", second.schemaVersion());
        assertEquals(expected, partitions(ds));
        assertEquals(1, Pg.count(ds, "SELECT count(*) FROM zenflow_logging_schema_history WHERE version = '1' AND success"));
        assertEquals("PRIMARY KEY (run_id, seq)", string(ds, "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE conrelid = 'logs_rejected'::regclass AND contype = 'p'"));
    }

    @Test
    void explicitFallbackIsInterchangeableWithScanning() throws Exception {
        DataSource ds = PG.get().newDatabase("mig_explicit");
        SchemaMigrator.Outcome explicit = SchemaMigrator.migrate(ds, true);
        assertTrue(explicit.explicitResources());
        assertEquals(List.of("1 logs", "2 runs", "3 logs rejected", "4 cluster", "5 runs fillfactor", "6 cluster unpublished"), explicit.applied());
        // Scanning afterwards validates the checksum/script of the explicitly applied V1: no-op, no error.
        assertEquals(List.of(), SchemaMigrator.migrate(ds).applied());
        assertEquals(List.of(), SchemaMigrator.migrate(ds, true).applied());
    }

    @Test
    void migratesASchemaThatAlreadyHoldsOtherTables() throws Exception {
        DataSource ds = PG.get().newDatabase("mig_shared");
        try (Connection c = ds.getConnection()) {
            c.createStatement().execute("CREATE TABLE engine_workflows (id uuid PRIMARY KEY)");
            c.createStatement().execute("CREATE TABLE flyway_schema_history (installed_rank int)"); // the engine's own
        }
        SchemaMigrator.Outcome o = SchemaMigrator.migrate(ds);
        assertTrue(o.applied().contains("1 logs"), o.applied().toString());
        assertEquals(1, Pg.count(ds, "SELECT count(*) FROM pg_class WHERE relname = 'logs'"));
    }

    @Test
    void everyMigrationFileIsInTheExplicitList() throws Exception {
        URL dir = SchemaMigrator.class.getClassLoader().getResource(SchemaMigrator.LOCATION_PATH);
        File[] files = new File(dir.toURI()).listFiles((d, n) -> n.endsWith(".sql"));
        assertEquals(new TreeSet<>(SchemaMigrator.KNOWN_MIGRATIONS),
                Arrays.stream(files).map(File::getName).collect(Collectors.toCollection(TreeSet::new)));
    }

    private static Set<String> partitions(DataSource ds) throws Exception {
        Set<String> out = new TreeSet<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'logs'::regclass");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    private static String string(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); var s = c.createStatement()) {
            boolean rs = s.execute(sql);
            while (!rs) {
                if (s.getUpdateCount() == -1) throw new AssertionError("no result: " + sql);
                rs = s.getMoreResults();
            }
            try (ResultSet r = s.getResultSet()) {
                assertTrue(r.next(), sql);
                return r.getString(1);
            }
        }
    }
}
