package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.phong.zenflow.logging.testing.PerClass;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.sink.postgres.RetentionMaintainer.Observer;
import org.phong.zenflow.logging.sink.postgres.RetentionMaintainer.Pass;
import org.phong.zenflow.logging.sink.postgres.RetentionMaintainer.RetainedTable;

/**
 * Retention against a real PostgreSQL with a moved clock: old partitions go, current data stays,
 * and two maintainers (two nodes) never drop at once.
 */
class RetentionMaintainerTest {
    /** The moved clock: mid-June 2031, far from the real date, so partitions are the test's own. */
    private static final Instant NOW = Instant.parse("2031-06-15T12:00:00Z");

    @RegisterExtension
    static final PerClass<Pg> PG = PerClass.of(Pg::start);

    /** A migrated database with rows in every month from January to July 2031 (3 per month) and their runs. */
    private static DataSource withMonths(String name) throws Exception {
        DataSource ds = PG.get().newDatabase(name);
        SchemaMigrator.migrate(ds);
        try (var c = ds.getConnection(); var s = c.createStatement()) {
            // Without the months the migration made around the real date: the test's months are all there is.
            s.execute("DO $$ DECLARE r record; BEGIN FOR r IN SELECT k.relname FROM pg_inherits i JOIN pg_class k"
                    + " ON k.oid = i.inhrelid WHERE i.inhparent = 'logs'::regclass LOOP"
                    + " EXECUTE format('DROP TABLE %I', r.relname); END LOOP; END $$");
        }
        PostgresLogSink sink = new PostgresLogSink(ds, LoggingSettings.defaults(), new PartitionMaintainer(ds),
                new RunsTableWriter("node-a"));
        RunEventQueue events = new RunEventQueue(new RunsTableWriter("node-a"));
        UUID wf = UUID.randomUUID();
        for (int m = 1; m <= 7; m++) {
            UUID run = new UUID(0, m); // one run per month, its id says which
            Instant mid = YearMonth.of(2031, m).atDay(10).atStartOfDay(ZoneOffset.UTC).toInstant();
            sink.process(Pg.entries(wf, run, 1, 3, mid));
            events.started(wf, run, mid);
            events.ended(wf, run, RunOutcome.SUCCEEDED, mid.plusSeconds(60));
        }
        events.flush(ds);
        return ds;
    }

    private static Set<String> partitions(DataSource ds) throws Exception {
        Set<String> out = new TreeSet<>();
        try (var c = ds.getConnection(); var s = c.createStatement(); var rs = s.executeQuery(
                "SELECT k.relname FROM pg_inherits i JOIN pg_class k ON k.oid = i.inhrelid WHERE i.inhparent = 'logs'::regclass")) {
            while (rs.next()) if (rs.getString(1).startsWith("logs_y2031")) out.add(rs.getString(1));
        }
        return out;
    }

    @Test
    void dropsWholeMonthsBeforeTheCutoffAndKeepsCurrentData() throws Exception {
        DataSource ds = withMonths("ret_basic");
        AtomicReference<Instant> clock = new AtomicReference<>(NOW);
        RetentionMaintainer r = new RetentionMaintainer(ds, 30, clock::get);
        // Cutoff 2031-05-16T12:00Z: January..April end before it; May ends after it and stays.
        Pass p = r.runOnce();
        assertTrue(p.ran());
        assertEquals(Instant.parse("2031-05-16T12:00:00Z"), p.cutoff());
        assertEquals(List.of("logs.logs_y2031m01", "logs.logs_y2031m02", "logs.logs_y2031m03", "logs.logs_y2031m04"),
                p.droppedPartitions());
        assertEquals(Set.of("logs_y2031m05", "logs_y2031m06", "logs_y2031m07"), partitions(ds));
        assertEquals(9, Pg.count(ds, "SELECT count(*) FROM logs"), "May, June and July rows intact");
        assertEquals(3, Pg.count(ds, "SELECT count(*) FROM logs WHERE ts >= '2031-06-01' AND ts < '2031-07-01'"));
        assertEquals(4, p.deletedRuns(), "the runs of January..April went with their rows");
        assertEquals(3, Pg.count(ds, "SELECT count(*) FROM runs"));
        assertEquals(0, Pg.count(ds, "SELECT count(*) FROM pg_class WHERE relname = 'logs_y2031m04'"), "dropped, not just detached");
        assertEquals(4, r.partitionsDropped());
        assertEquals(1, r.passes());

        // Nothing more to do the same day; a month later May goes too.
        assertEquals(List.of(), r.runOnce().droppedPartitions());
        clock.set(NOW.plus(java.time.Duration.ofDays(31)));
        assertEquals(List.of("logs.logs_y2031m05"), r.runOnce().droppedPartitions());
        assertEquals(6, Pg.count(ds, "SELECT count(*) FROM logs"));

        // A late entry for a dropped month: the sink re-creates the month (23514 path) and stores it.
        PostgresLogSink late = new PostgresLogSink(ds, LoggingSettings.defaults());
        late.partitions().ensureMonthsAround(Instant.parse("2031-02-10T00:00:00Z"), 0); // cache says February exists
        assertTrue(late.partitions().isEnsured(YearMonth.of(2031, 2)));
        try (var c = ds.getConnection(); var s = c.createStatement()) {
            s.execute("DROP TABLE logs_y2031m02"); // as a retention pass on another node would
        }
        late.process(Pg.entries(UUID.randomUUID(), UUID.randomUUID(), 1, 2, Instant.parse("2031-02-11T00:00:00Z")));
        assertEquals(2, Pg.count(ds, "SELECT count(*) FROM logs WHERE ts < '2031-03-01'"));
        assertEquals(List.of("logs.logs_y2031m01", "logs.logs_y2031m02"), r.runOnce().droppedPartitions());
    }

    @Test
    void zeroDaysKeepsEverything() throws Exception {
        DataSource ds = withMonths("ret_forever");
        RetentionMaintainer r = new RetentionMaintainer(ds, 0, () -> NOW.plus(java.time.Duration.ofDays(10_000)));
        assertFalse(r.runOnce().ran());
        assertEquals(21, Pg.count(ds, "SELECT count(*) FROM logs"));
        assertEquals(7, partitions(ds).size());
        assertThrows(IllegalArgumentException.class, () -> new RetentionMaintainer(ds, -1, () -> NOW));
    }

    @Test
    void aTableThatIsNotPartitionedLosesItsOldRowsAndAMissingTableIsSkipped() throws Exception {
        DataSource ds = withMonths("ret_plain");
        try (var c = ds.getConnection(); var s = c.createStatement()) {
            s.execute("CREATE TABLE plain_rejected (id int, ts timestamptz NOT NULL)");
            s.execute("INSERT INTO plain_rejected VALUES (1, '2031-01-01Z'), (2, '2031-05-17Z'), (3, '2031-06-15Z')");
        }
        RetentionMaintainer r = new RetentionMaintainer(ds, 30, () -> NOW, List.of(new RetainedTable("logs", "ts"),
                new RetainedTable("plain_rejected", "ts"), new RetainedTable("not_there_yet", "ts")), Observer.NONE);
        Pass p = r.runOnce();
        assertEquals(4, p.droppedPartitions().size());
        assertEquals(1, p.deletedRows());
        assertEquals(2, Pg.count(ds, "SELECT count(*) FROM plain_rejected"));
        assertThrows(IllegalArgumentException.class, () -> new RetainedTable("logs; DROP TABLE runs", "ts"));
    }

    @Test
    void aSecondNodeSkipsWhileTheFirstHoldsTheLock() throws Exception {
        DataSource ds = withMonths("ret_lock");
        CountDownLatch aInside = new CountDownLatch(1);
        CountDownLatch bDone = new CountDownLatch(1);
        RetentionMaintainer a = new RetentionMaintainer(ds, 30, () -> NOW, RetentionMaintainer.TABLES, (t, part) -> {
            aInside.countDown();
            await(bDone);
        });
        RetentionMaintainer b = new RetentionMaintainer(ds, 30, () -> NOW);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Pass> fa = pool.submit(a::runOnce);
            assertTrue(aInside.await(30, TimeUnit.SECONDS));
            Pass pb = b.runOnce(); // a holds the lock, in the middle of its first drop
            assertFalse(pb.ran());
            assertEquals(List.of(), pb.droppedPartitions());
            assertEquals(1, b.skippedPasses());
            bDone.countDown();
            assertEquals(4, fa.get(60, TimeUnit.SECONDS).droppedPartitions().size());
        } finally {
            bDone.countDown();
            pool.shutdownNow();
        }
        // The lock was released: b runs now (nothing left to drop).
        assertTrue(b.runOnce().ran());
    }

    @Test
    void twoNodesRacingManyPassesNeverDropAtOnceAndDropEachPartitionOnce() throws Exception {
        DataSource ds = PG.get().newDatabase("ret_race");
        SchemaMigrator.migrate(ds);
        PartitionMaintainer pm = new PartitionMaintainer(ds);
        // Sixty old months, 2026..2030: plenty of drops to overlap.
        for (int i = 0; i < 60; i++) pm.ensureFor(List.of(YearMonth.of(2026, 1).plusMonths(i).atDay(2).atStartOfDay(ZoneOffset.UTC).toInstant()));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        List<String> droppedByAll = Collections.synchronizedList(new ArrayList<>());
        Observer watch = (t, part) -> {
            int n = inside.incrementAndGet();
            maxInside.accumulateAndGet(n, Math::max);
            sleep(2);
            inside.decrementAndGet();
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int node = 0; node < 2; node++) {
                RetentionMaintainer m = new RetentionMaintainer(ds, 30, () -> NOW, RetentionMaintainer.TABLES, watch);
                fs.add(pool.submit(() -> {
                    for (int round = 0; round < 20; round++) droppedByAll.addAll(m.runOnce().droppedPartitions());
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, maxInside.get(), "never two drops at once");
        assertEquals(60, droppedByAll.size(), "each old partition dropped exactly once: " + droppedByAll);
        assertEquals(60, new TreeSet<>(droppedByAll).size());
        assertEquals(0, Pg.count(ds, "SELECT count(*) FROM pg_class WHERE relname LIKE 'logs_y202%'"));
    }

    private static void await(CountDownLatch l) {
        try {
            if (!l.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
