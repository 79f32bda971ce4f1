package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.sink.postgres.RunsTableReader.Cursor;
import org.phong.zenflow.logging.sink.postgres.RunsTableReader.Page;
import org.phong.zenflow.logging.sink.postgres.RunsTableReader.Run;
import org.phong.zenflow.logging.sink.postgres.RunsTableReader.State;

/** The runs table against a real PostgreSQL: counts in the rows' transaction, events, the paged list. */
class RunsTableTest {
    private static final Instant BASE = Instant.parse("2026-11-20T08:00:00.123456Z");
    private static Pg pg;
    private static DataSource ds;
    private static PostgresLogSink sink;
    private static RunsTableReader reader;

    @BeforeAll
    static void start() throws Exception {
        pg = Pg.start();
        ds = pg.newDatabase("runs_table");
        SchemaMigrator.migrate(ds);
        sink = new PostgresLogSink(ds, LoggingSettings.defaults(), new PartitionMaintainer(ds), new RunsTableWriter("node-a"));
        reader = new RunsTableReader(ds);
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private static Run run(UUID id) throws SQLException {
        for (Run r : reader.list(State.ALL, null, null, 10_000).runs()) if (r.runId().equals(id)) return r;
        return null;
    }

    @Test
    void aBatchCountsItsRowsInTheSameTransactionAndAReplayCountsNothing() throws Exception {
        UUID wf = UUID.randomUUID();
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        List<LogEntry> batch = new ArrayList<>(Pg.entries(wf, a, 1, 50, BASE)); // 13 WARN, 12 ERROR
        batch.addAll(Pg.entries(wf, b, 1, 4, BASE.plusSeconds(60)));          // 1 WARN, 1 ERROR
        sink.process(batch);
        Run ra = run(a);
        assertEquals(new Run(a, wf, CopyEncoder.truncate(BASE.plusMillis(1)), null, null, 50, 12, 13, 50, "node-a"), ra);
        assertEquals(4, run(b).entries());
        assertEquals(1, run(b).errors());

        sink.process(batch); // replay: every key stored, staging path inserts nothing
        assertEquals(ra, run(a));
        assertEquals(4, run(b).entries());

        // Half overlap: 26..75; only 51..75 are new (6 WARN: 54..74 step 4; 7 ERROR: 51..75 step 4).
        sink.process(Pg.entries(wf, a, 26, 75, BASE));
        Run after = run(a);
        assertEquals(75, after.entries());
        assertEquals(12 + 7, after.errors());
        assertEquals(13 + 6, after.warnings());
        assertEquals(75, after.lastSeq());
        assertEquals(75, Pg.count(ds, "SELECT count(*) FROM logs WHERE run_id = ?", a));
        assertEquals(after.entries(), Pg.count(ds, "SELECT count(*) FROM logs WHERE run_id = ?", a), "counts = stored rows");
    }

    @Test
    void aBatchThatFailsCountsNothing() throws Exception {
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        sink.process(Pg.entries(wf, run, 1, 10, BASE));
        // A trigger that refuses node-b's upsert makes the runs upsert, and so the whole batch, fail.
        PostgresLogSink broken = new PostgresLogSink(ds, LoggingSettings.defaults(), new PartitionMaintainer(ds),
                new RunsTableWriter("node-b"));
        try (var c = ds.getConnection(); var s = c.createStatement()) {
            s.execute("CREATE FUNCTION refuse_b() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.owner = 'node-b'"
                    + " THEN RAISE EXCEPTION 'refused' USING ERRCODE = 'P0001'; END IF; RETURN NEW; END $$");
            s.execute("CREATE TRIGGER refuse_b BEFORE INSERT OR UPDATE ON runs FOR EACH ROW EXECUTE FUNCTION refuse_b()");
        }
        try {
            assertThrows(SQLException.class, () -> broken.process(Pg.entries(wf, run, 11, 20, BASE)));
            assertEquals(10, Pg.count(ds, "SELECT count(*) FROM logs WHERE run_id = ?", run), "rows rolled back with the counts");
            assertEquals(10, run(run).entries());
        } finally {
            try (var c = ds.getConnection(); var s = c.createStatement()) {
                s.execute("DROP TRIGGER refuse_b ON runs");
            }
        }
        broken.process(Pg.entries(wf, run, 11, 20, BASE));
        assertEquals(20, run(run).entries());
        assertEquals("node-b", run(run).owner());
    }

    @Test
    void startAndEndLandWithOrWithoutRowsAndInAnyOrder() throws Exception {
        RunEventQueue q = new RunEventQueue(new RunsTableWriter("node-a"));
        UUID wf = UUID.randomUUID();
        UUID quiet = UUID.randomUUID();    // start and end, never a row
        UUID endFirst = UUID.randomUUID(); // end written before its rows
        Instant t0 = Instant.parse("2026-11-20T09:00:00Z");
        q.started(wf, quiet, t0);
        q.ended(wf, quiet, RunOutcome.CANCELLED, t0.plusSeconds(5));
        q.ended(wf, endFirst, RunOutcome.FAILED, t0.plusSeconds(9));
        assertEquals(2, q.pendingCount(), "a start and an end of one run merge");
        assertEquals(2, q.flush(ds));
        assertEquals(0, q.pendingCount());
        assertEquals(new Run(quiet, wf, t0, t0.plusSeconds(5), RunOutcome.CANCELLED, 0, 0, 0, 0, "node-a"), run(quiet));

        sink.process(Pg.entries(wf, endFirst, 1, 8, BASE)); // older than the end: started moves back to the first row
        Run r = run(endFirst);
        assertEquals(RunOutcome.FAILED, r.outcome());
        assertEquals(t0.plusSeconds(9), r.ended());
        assertEquals(CopyEncoder.truncate(BASE.plusMillis(1)), r.started());
        assertEquals(8, r.entries());

        // Writing the same events again is harmless; a later start event does not move started forward.
        q.started(wf, endFirst, t0.plusSeconds(60));
        q.flush(ds);
        assertEquals(r.started(), run(endFirst).started());
        assertEquals(RunOutcome.FAILED, run(endFirst).outcome());
    }

    @Test
    void aFailedFlushKeepsItsEventsUnderNewerOnes() throws Exception {
        RunEventQueue q = new RunEventQueue(new RunsTableWriter("node-a"));
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
        q.started(wf, run, t0);
        DataSource down = pg.pg.getDatabase("postgres", "no_such_database");
        assertThrows(SQLException.class, () -> q.flush(down));
        assertEquals(1, q.failedFlushes());
        q.ended(wf, run, RunOutcome.SUCCEEDED, t0.plusSeconds(3));
        assertEquals(1, q.pendingCount());
        q.flush(ds);
        Run r = run(run);
        assertEquals(t0, r.started());
        assertEquals(RunOutcome.SUCCEEDED, r.outcome());
        assertEquals(1, q.written(), "one merged event written");
    }

    @Test
    void listsNewestFirstInKeysetPagesFilteredByWorkflowAndState() throws Exception {
        DataSource own = pg.newDatabase("runs_list");
        SchemaMigrator.migrate(own);
        RunEventQueue q = new RunEventQueue(new RunsTableWriter("node-a"));
        UUID wf = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<UUID> mine = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            UUID run = UUID.randomUUID();
            mine.add(run);
            // Pairs share a start time: the keyset must order by run_id inside a tie.
            q.started(wf, run, now.minusSeconds(100 - i / 2));
            if (i % 3 == 0) q.ended(wf, run, RunOutcome.SUCCEEDED, now.minusSeconds(10));
        }
        UUID old = UUID.randomUUID();
        q.started(other, old, now.minusSeconds(3 * 86_400));
        q.ended(other, old, RunOutcome.FAILED, now.minusSeconds(2 * 86_400)); // ended, but not recent
        q.flush(own);
        RunsTableReader r = new RunsTableReader(own);

        List<UUID> seen = new ArrayList<>();
        Cursor cursor = null;
        int pages = 0;
        do {
            Page p = r.list(State.ALL, wf, cursor == null ? null : Cursor.parse("cursor", cursor.encode()), 10);
            for (Run run : p.runs()) seen.add(run.runId());
            cursor = p.next();
            pages++;
        } while (cursor != null);
        assertEquals(3, pages);
        assertEquals(25, seen.size());
        assertEquals(25, new HashSet<>(seen).size(), "no run twice across pages");
        for (int i = 1; i < seen.size(); i++) {
            Run prev = run(own, seen.get(i - 1));
            Run cur = run(own, seen.get(i));
            assertTrue(prev.started().isAfter(cur.started())
                    || prev.started().equals(cur.started()) && RunsTableWriter.PG_UUID_ORDER.compare(prev.runId(), cur.runId()) > 0,
                    "start desc, run_id desc");
        }

        Set<UUID> ended = new HashSet<>();
        for (int i = 0; i < 25; i += 3) ended.add(mine.get(i));
        assertEquals(ended, ids(r.list(State.ENDED, wf, null, 100)));
        assertEquals(ended, ids(r.list(State.RECENT, wf, null, 100)));
        Set<UUID> active = new HashSet<>(mine);
        active.removeAll(ended);
        assertEquals(active, ids(r.list(State.ACTIVE, null, null, 100)));
        assertTrue(ids(r.list(State.ENDED, null, null, 100)).contains(old));
        assertTrue(!ids(r.list(State.RECENT, null, null, 100)).contains(old), "ended two days ago is not recent");
        assertEquals(Set.of(old), ids(r.list(State.ALL, other, null, 100)));
        assertNull(r.list(State.ALL, other, null, 1).next());
        assertNotNull(r.list(State.ALL, wf, null, 24).next());
        assertNull(r.list(State.ALL, wf, null, 25).next());
    }

    @Test
    void badStatesAndCursorsNameTheirParameter() {
        assertEquals(State.ACTIVE, State.parse("state", null, State.ACTIVE));
        assertEquals(State.RECENT, State.parse("state", " Recent ", State.ACTIVE));
        assertEquals("state", assertThrows(InvalidLogEntryException.class, () -> State.parse("state", "sleeping", State.ACTIVE)).field());
        for (String bad : List.of("x", "%%%", "MTIz", "bm90IGEgY3Vyc29y",
                java.util.Base64.getUrlEncoder().encodeToString("1.0|not-a-uuid".getBytes()),
                java.util.Base64.getUrlEncoder().encodeToString("1.5000000000|1f0e4a52-3f7c-4d0e-9a0b-2b1c3d4e5f60".getBytes()))) {
            assertEquals("cursor", assertThrows(InvalidLogEntryException.class, () -> Cursor.parse("cursor", bad), bad).field());
        }
        Cursor c = new Cursor(Instant.parse("2026-11-28T18:00:00.123456Z"), UUID.randomUUID());
        assertEquals(c, Cursor.parse("cursor", c.encode()));
    }

    @Test
    void concurrentWritersOfTheSameRunsNeitherDeadlockNorLoseCounts() throws Exception {
        UUID wf = UUID.randomUUID();
        List<UUID> runs = new ArrayList<>();
        for (int i = 0; i < 20; i++) runs.add(UUID.randomUUID());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                PostgresLogSink own = new PostgresLogSink(ds, LoggingSettings.defaults(), new PartitionMaintainer(ds),
                        new RunsTableWriter("w" + writer));
                fs.add(pool.submit(() -> {
                    for (int round = 0; round < 10; round++) {
                        // Every writer touches every run, each in its own order; seq ranges do not overlap.
                        List<LogEntry> batch = new ArrayList<>();
                        List<UUID> order = new ArrayList<>(runs);
                        java.util.Collections.shuffle(order);
                        long from = (long) (writer * 10 + round) * 5 + 1;
                        for (UUID run : order) batch.addAll(Pg.entries(wf, run, from, from + 4, BASE));
                        own.process(batch);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        for (UUID run : runs) {
            assertEquals(200, run(run).entries());
            assertEquals(200, run(run).lastSeq());
            assertEquals(200, Pg.count(ds, "SELECT count(*) FROM logs WHERE run_id = ?", run));
        }
    }

    private static Run run(DataSource d, UUID id) throws SQLException {
        for (Run r : new RunsTableReader(d).list(State.ALL, null, null, 10_000).runs()) if (r.runId().equals(id)) return r;
        return null;
    }

    private static Set<UUID> ids(Page p) {
        Set<UUID> out = new HashSet<>();
        for (Run r : p.runs()) out.add(r.runId());
        return out;
    }
}
