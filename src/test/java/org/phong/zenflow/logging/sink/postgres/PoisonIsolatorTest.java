package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.phong.zenflow.logging.testing.PerClass;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogFilter;
import org.phong.zenflow.logging.codec.JsonSupport;
import org.phong.zenflow.logging.config.LoggingSettings;

/**
 * Poison entries against a real PostgreSQL: a batch of 1,000 with 3 entries the database refuses
 * (an operator's CHECK constraint, a character the database encoding lacks) stores the other 997,
 * dead-letters the 3 with their SQLState, within a bounded number of statements, idempotently.
 */
class PoisonIsolatorTest {
    private static final Instant BASE = Instant.parse("2026-11-20T08:00:00Z");
    private static final Instant NOW = Instant.parse("2026-12-01T09:00:00Z");

    @RegisterExtension
    static final PerClass<Pg> PG = PerClass.of(Pg::startMigrated);

    @AfterEach
    void dropCheck() throws Exception {
        PG.get().exec("ALTER TABLE logs DROP CONSTRAINT IF EXISTS test_poison_check");
    }

    @Test
    void threePoisonRowsOfAThousandAreIsolatedByTheirCopyLine() throws Exception {
        addPoisonCheck();
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        List<LogEntry> batch = poisoned(wf, run, 1, 1000, Set.of(1L, 500L, 1000L));
        CountingWriter writer = new CountingWriter(new PostgresLogSink(PG.get().ds, LoggingSettings.defaults()));
        PoisonIsolator isolator = isolator(PG.get().ds);

        processTimed("line hints: 1,000 entries, 3 poison", isolator, batch, writer);

        assertEquals(997, PG.get().count("SELECT count(*) FROM logs WHERE run_id = ?", run));
        assertEquals(Set.of(1L, 500L, 1000L), rejectedSeqs(PG.get().ds, run));
        assertGapFree(run, 1000);
        // 1 first write; per poison at most: the rows before it, itself alone; 1 final rest.
        assertTrue(writer.calls.get() <= 2 * 3 + 2, "writes: " + writer.calls.get());
        RejectionStats s = isolator.stats();
        assertEquals(3, s.rejected());
        assertEquals(1, s.isolatedBatches());
        assertEquals(NOW, s.lastRejectedAt());
        assertEquals("23514", s.lastSqlState());
        assertTrue(s.lastError().contains("test_poison_check"), s.lastError());

        try (Connection c = PG.get().ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT workflow_id, node_key, ts, entry, sqlstate, error, rejected_at FROM logs_rejected WHERE run_id = ? AND seq = 500")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(wf, rs.getObject(1));
                assertEquals(batch.get(499).nodeKey(), rs.getString(2));
                assertEquals(batch.get(499).ts(), rs.getObject(3, java.time.OffsetDateTime.class).toInstant());
                JsonObject entry = JsonSupport.JSON.createReader(new StringReader(rs.getString(4))).readObject();
                assertEquals(500, entry.getJsonNumber("seq").longValue());
                assertEquals("POISON 500", entry.getString("message"));
                assertEquals("23514", rs.getString(5));
                assertTrue(rs.getString(6).contains("test_poison_check"));
                assertEquals(NOW, rs.getObject(7, java.time.OffsetDateTime.class).toInstant());
            }
        }

        // Readers: the history has every seq in order, the rejected ones in their place; a continuing
        // run never reuses a rejected seq.
        PostgresLogReader reader = new PostgresLogReader(PG.get().ds);
        assertEquals(1000, reader.lastSeq(run));
        List<RunHistory.Item> page = RunHistory.page(reader, run, 0, 1000, null, null);
        assertEquals(1000, page.size());
        for (int i = 0; i < 1000; i++) assertEquals(i + 1, page.get(i).seq());
        assertEquals("POISON 500", page.get(499).rejected() == null ? null : "POISON 500");
        List<LogEntry> revived = RunHistory.entries(page);
        assertEquals(batch, revived, "a catching-up reader gets the entries as accepted");
        List<RunHistory.Item> short1 = RunHistory.page(reader, run, 498, 3, null, null);
        assertEquals(List.of(499L, 500L, 501L), short1.stream().map(RunHistory.Item::seq).toList());
        assertEquals(List.of(1000L), RunHistory.page(reader, run, 999, 10, null, null).stream().map(RunHistory.Item::seq).toList());
        // Scrolling up meets the rejected entries in their place too: full pages, a short one at the start.
        assertEquals(List.of(499L, 500L, 501L), seqs(RunHistory.pageBefore(reader, run, 502, 3, LogFilter.ALL)));
        assertEquals(List.of(998L, 999L, 1000L), seqs(RunHistory.pageBefore(reader, run, 1001, 3, LogFilter.ALL)));
        assertEquals(List.of(1L, 2L), seqs(RunHistory.pageBefore(reader, run, 3, 10, LogFilter.ALL)));
        // A text search lists stored entries only (a rejected entry's message is only in its JSON text).
        assertEquals(List.of(), seqs(RunHistory.page(reader, run, 0, 10, new LogFilter(null, null, "POISON", null, null))));
        // The download: every seq once, in order, the rejected ones as accepted; a filter applies to them alike.
        List<LogEntry> downloaded = new java.util.ArrayList<>();
        assertEquals(1000, RunHistory.stream(reader, run, 0, LogFilter.ALL, 7, downloaded::add));
        assertEquals(batch, downloaded);
        List<LogEntry> poisonOnly = new java.util.ArrayList<>();
        RunHistory.stream(reader, run, 1, new LogFilter(null, null, "poison", null, null), 2, poisonOnly::add);
        assertEquals(List.of(500L, 1000L), poisonOnly.stream().map(LogEntry::seq).toList());

        // Replaying the same batch (a crash before the acknowledgement) changes nothing and counts nothing.
        writer.calls.set(0);
        isolator.process(batch, writer);
        assertEquals(997, PG.get().count("SELECT count(*) FROM logs WHERE run_id = ?", run));
        assertEquals(3, PG.get().count("SELECT count(*) FROM logs_rejected WHERE run_id = ?", run));
        assertEquals(3, isolator.stats().rejected());
        assertEquals(2, writer.calls.get(), "the replay skips the known rejections: the whole batch, then the rest once");
    }

    @Test
    void withoutACopyLineTheBatchIsBisected() throws Exception {
        addPoisonCheck();
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        List<LogEntry> batch = new ArrayList<>(poisoned(wf, run, 1, 500, Set.of(7L, 250L, 499L)));
        batch.addAll(Pg.entries(wf, other, 1, 500, BASE));
        PostgresLogSink sink = new PostgresLogSink(PG.get().ds, LoggingSettings.defaults());
        // Stored rows ahead of the poison: the COPY fails on them first (23505) and the idempotent
        // path's merge then meets the CHECK with no line to name.
        sink.process(batch.subList(0, 5));
        CountingWriter writer = new CountingWriter(sink);
        PoisonIsolator isolator = isolator(PG.get().ds);

        processTimed("bisection: 1,000 entries, 3 poison, 5 already stored", isolator, batch, writer);

        assertEquals(497, PG.get().count("SELECT count(*) FROM logs WHERE run_id = ?", run));
        assertEquals(500, PG.get().count("SELECT count(*) FROM logs WHERE run_id = ?", other));
        assertEquals(Set.of(7L, 250L, 499L), rejectedSeqs(PG.get().ds, run));
        assertGapFree(run, 500);
        // Bisection: each poison costs at most 2 writes per halving level (log2 1000 < 10).
        assertTrue(writer.calls.get() <= 1 + 3 * 2 * 10, "writes: " + writer.calls.get());
    }

    @Test
    void aCharacterTheDatabaseEncodingLacksIsDeadLetteredAsciiEscaped() throws Exception {
        PG.get().exec("CREATE DATABASE latin TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
        DataSource latin = PG.get().pg.getDatabase("postgres", "latin");
        SchemaMigrator.migrate(latin);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        List<LogEntry> batch = new ArrayList<>();
        for (LogEntry e : Pg.entries(wf, run, 1, 100, BASE)) {
            batch.add(e.seq() == 42 ? LogEntry.builder().workflowId(wf).runId(run).nodeKey("n\u4e2d").ts(e.ts())
                    .level(e.level()).message("\u4e2d\u6587 caf\u00e9").build().withSeq(42) : e);
        }
        PoisonIsolator isolator = isolator(latin);
        PostgresLogSink sink = new PostgresLogSink(latin, LoggingSettings.defaults());

        isolator.process(batch, sink::writeBatch);

        assertEquals(99, Pg.count(latin, "SELECT count(*) FROM logs WHERE run_id = ?", run));
        assertEquals(Set.of(42L), rejectedSeqs(latin, run));
        try (Connection c = latin.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT node_key, entry, sqlstate FROM logs_rejected WHERE run_id = ?")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("n\\u4e2d", rs.getString(1));
                JsonObject entry = JsonSupport.JSON.createReader(new StringReader(rs.getString(2))).readObject();
                assertEquals("\u4e2d\u6587 caf\u00e9", entry.getString("message"), "the escaped JSON is the same value");
                assertEquals("22P05", rs.getString(3));
            }
        }
    }

    @Test
    void theSinkIsolatesByItselfAndCountsItsRejections() throws Exception {
        addPoisonCheck();
        UUID run = UUID.randomUUID();
        PostgresLogSink sink = new PostgresLogSink(PG.get().ds, LoggingSettings.defaults());
        sink.process(poisoned(UUID.randomUUID(), run, 1, 50, Set.of(20L)));
        assertEquals(49, PG.get().count("SELECT count(*) FROM logs WHERE run_id = ?", run));
        assertEquals(1, sink.rejections().rejected());
        assertNotNull(sink.rejections().lastRejectedAt());
        assertTrue(sink.isHealthy(), "a batch whose poison was dead-lettered is a success");
    }

    @Test
    void aTransientErrorIsThrownUnchangedAndNothingIsRejected() throws Exception {
        UUID run = UUID.randomUUID();
        List<LogEntry> batch = Pg.entries(UUID.randomUUID(), run, 1, 10, BASE);
        PoisonIsolator isolator = isolator(PG.get().ds);
        SQLException down = new SQLException("connection refused", "08001");
        assertThrows(SQLException.class, () -> isolator.process(batch, b -> {
            throw down;
        }));
        // A transient error in the middle of isolation aborts it too (the batch is retried whole).
        AtomicInteger calls = new AtomicInteger();
        SQLException e = assertThrows(SQLException.class, () -> isolator.process(batch, b -> {
            throw calls.incrementAndGet() == 1 ? new SQLException("bad", "22003") : down;
        }));
        assertEquals("08001", e.getSQLState());
        assertEquals(0, PG.get().count("SELECT count(*) FROM logs_rejected WHERE run_id = ?", run));
        assertEquals(0, isolator.stats().rejected());
    }

    private static List<LogEntry> poisoned(UUID wf, UUID run, long from, long to, Set<Long> poison) {
        List<LogEntry> out = new ArrayList<>();
        for (LogEntry e : Pg.entries(wf, run, from, to, BASE)) {
            out.add(poison.contains(e.seq())
                    ? LogEntry.builder().workflowId(wf).runId(run).nodeKey(e.nodeKey()).ts(e.ts()).level(e.level())
                            .message("POISON " + e.seq()).build().withSeq(e.seq())
                    : e);
        }
        return out;
    }

    private static List<Long> seqs(List<RunHistory.Item> items) {
        return items.stream().map(RunHistory.Item::seq).toList();
    }

    /** Makes every entry whose message starts with POISON a row the database refuses (23514); dropped after each test. */
    private static void addPoisonCheck() throws SQLException {
        PG.get().exec("ALTER TABLE logs ADD CONSTRAINT test_poison_check CHECK (message NOT LIKE 'POISON%')");
    }

    /** @return an isolator on {@code ds} whose clock stands at {@link #NOW} */
    private static PoisonIsolator isolator(DataSource ds) {
        return new PoisonIsolator(ds, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** Runs the isolator over the batch and prints how many writes it took and how long. */
    private static void processTimed(String what, PoisonIsolator isolator, List<LogEntry> batch, CountingWriter writer)
            throws SQLException {
        long t0 = System.nanoTime();
        isolator.process(batch, writer);
        System.out.printf("%s: %d writes, %d ms%n", what, writer.calls.get(), (System.nanoTime() - t0) / 1_000_000);
    }

    private static Set<Long> rejectedSeqs(DataSource ds, UUID run) throws SQLException {
        Set<Long> out = new TreeSet<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT seq FROM logs_rejected WHERE run_id = ?")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /** seq 1..n each exactly once over logs and logs_rejected together. */
    private static void assertGapFree(UUID run, long n) throws SQLException {
        assertEquals(n, PG.get().count("SELECT count(DISTINCT seq) FROM (SELECT seq FROM logs WHERE run_id = ?"
                + " UNION ALL SELECT seq FROM logs_rejected WHERE run_id = ?) s WHERE seq BETWEEN 1 AND " + n, run, run));
        assertEquals(n, PG.get().count("SELECT count(*) FROM (SELECT seq FROM logs WHERE run_id = ?"
                + " UNION ALL SELECT seq FROM logs_rejected WHERE run_id = ?) s", run, run));
    }

    /** The sink's all-or-nothing write, counted. */
    private static final class CountingWriter implements PoisonIsolator.BatchWriter {
        final AtomicInteger calls = new AtomicInteger();
        private final PostgresLogSink sink;

        CountingWriter(PostgresLogSink sink) {
            this.sink = sink;
        }

        @Override
        public void write(List<LogEntry> batch) throws SQLException {
            calls.incrementAndGet();
            sink.writeBatch(batch); // the plain all-or-nothing write (process() would isolate by itself)
        }
    }
}
