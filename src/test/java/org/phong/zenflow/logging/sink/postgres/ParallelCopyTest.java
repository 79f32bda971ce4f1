package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.testing.TestSettings;

/**
 * copy-connections against a real PostgreSQL: a deep backlog's batch split by run over several connections stores
 * every row once in per-run order with exact runs-table counts; a part that fails fails the batch only after the
 * other parts finished, and the retry finds their rows through the staging path; poison stays within its part;
 * small batches, batches of one run and sinks without an executor write on one connection.
 */
class ParallelCopyTest {
    private static final Instant BASE = Instant.parse("2026-11-20T08:00:00.123456Z");
    /** Longest wait for a state the test brings about (a backend blocked, a part finished). */
    private static final long WAIT_MS = 30_000;
    private static Pg pg;
    private static ExecutorService pool;
    private static PostgresLogReader reader;

    @BeforeAll
    static void start() throws Exception {
        pg = Pg.startMigrated();
        pool = Executors.newFixedThreadPool(LoggingSettings.MAX_COPY_CONNECTIONS);
        reader = new PostgresLogReader(pg.ds);
    }

    @AfterAll
    static void stop() throws Exception {
        pool.shutdownNow();
        pg.close();
    }

    /** Counts the parts handed to the executor. */
    private static final class CountingExecutor implements Executor {
        final AtomicInteger tasks = new AtomicInteger();
        private final Executor delegate;

        CountingExecutor(Executor delegate) {
            this.delegate = delegate;
        }

        @Override
        public void execute(Runnable r) {
            tasks.incrementAndGet();
            delegate.execute(r);
        }
    }

    private static PostgresLogSink sink(Executor executor, String... keyValues) {
        LoggingSettings s = TestSettings.of(keyValues);
        return new PostgresLogSink(pg.ds, s, new PartitionMaintainer(pg.ds), new RunsTableWriter("node-p"), executor);
    }

    /** Runs of the given sizes (seq 1..size each), their entries interleaved one by one as far as they go. */
    private static Map<UUID, List<LogEntry>> runs(int... sizes) {
        Map<UUID, List<LogEntry>> out = new LinkedHashMap<>();
        for (int n : sizes) {
            UUID run = UUID.randomUUID();
            out.put(run, Pg.entries(UUID.randomUUID(), run, 1, n, BASE));
        }
        return out;
    }

    private static List<LogEntry> interleaved(Map<UUID, List<LogEntry>> runs) {
        List<LogEntry> out = new ArrayList<>();
        int longest = runs.values().stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (List<LogEntry> r : runs.values()) if (i < r.size()) out.add(r.get(i));
        }
        return out;
    }

    /** Every run holds seq 1..n exactly once in logs, in order for a reader, and its runs row counts n up to seq n. */
    private static void assertStoredOnce(Map<UUID, List<LogEntry>> runs) throws Exception {
        Map<UUID, List<Long>> logs = new HashMap<>();
        Map<UUID, List<Long>> counted = new HashMap<>();
        try (Connection c = pg.ds.getConnection()) {
            java.sql.Array ids = c.createArrayOf("uuid", runs.keySet().toArray());
            try (PreparedStatement ps = c.prepareStatement("SELECT run_id, count(*), count(DISTINCT seq), min(seq), max(seq)"
                    + " FROM logs WHERE run_id = ANY(?) GROUP BY run_id")) {
                ps.setArray(1, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) logs.put((UUID) rs.getObject(1), List.of(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT run_id, entries, last_seq FROM runs WHERE run_id = ANY(?)")) {
                ps.setArray(1, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) counted.put((UUID) rs.getObject(1), List.of(rs.getLong(2), rs.getLong(3)));
                }
            }
        }
        for (Map.Entry<UUID, List<LogEntry>> r : runs.entrySet()) {
            long n = r.getValue().size();
            assertEquals(List.of(n, n, 1L, n), logs.get(r.getKey()), "count, distinct seqs, min and max seq in logs");
            assertEquals(List.of(n, n), counted.get(r.getKey()), "runs.entries and runs.last_seq");
            assertEquals(r.getValue(), reader.readAfter(r.getKey(), 0, (int) (2 * n), null, null));
        }
    }

    @Test
    void aBatchOfManyRunsIsSplitOverTwoConnectionsAndStoresEveryRowOnceInOrder() throws Exception {
        int[] sizes = new int[40];
        for (int i = 0; i < sizes.length; i++) sizes[i] = 20 + 5 * i;
        Map<UUID, List<LogEntry>> runs = runs(sizes);
        List<LogEntry> batch = interleaved(runs);
        CountingExecutor ex = new CountingExecutor(pool);
        PostgresLogSink s = sink(ex, LoggingSettings.COPY_CONNECTIONS, "2");
        assertEquals(2, s.copyConnections());

        s.process(batch);

        assertStoredOnce(runs);
        assertEquals(1, s.parallelBatches());
        assertEquals(1, ex.tasks.get(), "one part on the executor, one on the calling thread");
        assertEquals(batch.size(), s.rowsWritten());
        assertEquals(0, s.duplicatesSkipped());
        assertEquals(0, s.idempotentBatches());
        assertTrue(s.isHealthy());
    }

    @Test
    void theSplitKeepsEachRunInOnePartInOrderAndBalancesTheParts() {
        Map<UUID, List<LogEntry>> runs = runs(500, 400, 300, 300, 200, 100, 50, 7);
        List<LogEntry> batch = interleaved(runs);
        for (int k = 2; k <= 4; k++) {
            PostgresLogSink s = sink(pool, LoggingSettings.COPY_CONNECTIONS, Integer.toString(k));
            List<List<LogEntry>> parts = s.split(batch);
            assertEquals(k, parts.size());
            assertEquals(parts, s.split(batch), "the same batch splits the same way");
            Set<UUID> seen = new HashSet<>();
            int total = 0;
            for (List<LogEntry> part : parts) {
                total += part.size();
                Set<UUID> mine = new HashSet<>();
                for (LogEntry e : part) mine.add(e.runId());
                for (UUID run : mine) {
                    assertTrue(seen.add(run), "a run in two parts");
                    assertEquals(runs.get(run), part.stream().filter(e -> e.runId().equals(run)).toList(), "a run's order");
                }
                // a subsequence of the batch's rows in index order (runs by id, each run's rows in batch order)
                List<LogEntry> expected = PostgresLogSink.inIndexOrder(batch).stream().filter(e -> mine.contains(e.runId())).toList();
                assertEquals(expected, part);
            }
            assertEquals(batch.size(), total);
            int max = parts.stream().mapToInt(List::size).max().orElseThrow();
            int min = parts.stream().mapToInt(List::size).min().orElseThrow();
            assertTrue(max - min <= 500, "balanced within the largest run: " + parts.stream().map(List::size).toList());
        }
        // largest first onto the lightest part: 500+300+100+50 and 400+300+200+7
        assertEquals(List.of(950, 907), sink(pool, LoggingSettings.COPY_CONNECTIONS, "2").split(batch).stream().map(List::size).toList());
        // never more parts than runs
        assertEquals(3, sink(pool, LoggingSettings.COPY_CONNECTIONS, "8").split(interleaved(runs(600, 300, 200))).size());
    }

    @Test
    void smallBatchesOneRunOneConnectionOrNoExecutorAreOneWrite() throws Exception {
        CountingExecutor ex = new CountingExecutor(pool);
        PostgresLogSink s = sink(ex, LoggingSettings.COPY_CONNECTIONS, "2");
        Map<UUID, List<LogEntry>> below = runs(100, 100, 100, 100, 100, 100, 100, 100, 100, 99); // 999 < 1000
        s.process(interleaved(below));
        Map<UUID, List<LogEntry>> oneRun = runs(3000);
        s.process(interleaved(oneRun));
        assertEquals(0, s.parallelBatches());
        assertEquals(0, ex.tasks.get());
        assertStoredOnce(below);
        assertStoredOnce(oneRun);

        Map<UUID, List<LogEntry>> atThreshold = runs(500, 500);
        s.process(interleaved(atThreshold));
        assertEquals(1, s.parallelBatches(), "parallel-copy-min-rows entries are enough");
        assertEquals(1, ex.tasks.get());
        assertStoredOnce(atThreshold);

        PostgresLogSink single = sink(ex, LoggingSettings.COPY_CONNECTIONS, "1");
        single.process(interleaved(runs(1000, 1000)));
        assertEquals(0, single.parallelBatches());
        PostgresLogSink noExecutor = new PostgresLogSink(pg.ds, LoggingSettings.defaults());
        assertEquals(1, noExecutor.copyConnections(), "parts need threads the sink does not create");
        noExecutor.process(interleaved(runs(1000, 1000)));
        assertEquals(0, noExecutor.parallelBatches());
        PostgresLogSink higherThreshold = sink(ex, LoggingSettings.COPY_CONNECTIONS, "2", LoggingSettings.PARALLEL_COPY_MIN_ROWS, "5000");
        higherThreshold.process(interleaved(runs(2000, 2000)));
        assertEquals(0, higherThreshold.parallelBatches());
        assertEquals(1, ex.tasks.get());
    }

    @Test
    void theSameParallelBatchTwiceIsStoredOnce() throws Exception {
        Map<UUID, List<LogEntry>> runs = runs(700, 600, 500, 400);
        List<LogEntry> batch = interleaved(runs);
        PostgresLogSink s = sink(pool, LoggingSettings.COPY_CONNECTIONS, "3");
        s.process(batch);
        s.process(batch);
        assertStoredOnce(runs);
        assertEquals(2, s.parallelBatches());
        assertEquals(batch.size(), s.rowsWritten());
        assertEquals(batch.size(), s.duplicatesSkipped());
        assertEquals(3, s.idempotentBatches(), "each part of the replay went through staging");
    }

    /**
     * Two runs, one per part, each blocked on its runs row by a lock this test holds. The backend of X's part is
     * terminated (a connection lost mid-write); Y's part is still waiting, so process must not have returned; once
     * Y's lock is released Y commits and only then does process throw. The retry stores X and skips Y's rows.
     */
    @Test
    void aFailedPartFailsTheBatchAfterTheOtherCommittedAndTheRetryStoresEveryRowOnce() throws Exception {
        Map<UUID, List<LogEntry>> runs = runs(301, 301);
        List<UUID> ids = new ArrayList<>(runs.keySet());
        UUID x = ids.get(0);
        UUID y = ids.get(1);
        PostgresLogSink s = sink(pool, LoggingSettings.COPY_CONNECTIONS, "2", LoggingSettings.PARALLEL_COPY_MIN_ROWS, "100",
                LoggingSettings.BATCH_TIMEOUT_MS, Long.toString(2 * WAIT_MS));
        s.process(List.of(runs.get(x).get(0), runs.get(y).get(0))); // seq 1 of each: their runs rows exist
        List<LogEntry> rest = new ArrayList<>(runs.get(x).subList(1, 301));
        rest.addAll(runs.get(y).subList(1, 301));
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (Connection lockX = lockRunsRow(x); Connection lockY = lockRunsRow(y)) {
            Future<?> call = caller.submit(() -> {
                s.process(rest);
                return null;
            });
            int blockedX = blockedBy(lockX);
            blockedBy(lockY);
            pg.exec("SELECT pg_terminate_backend(" + blockedX + ")");
            Thread.sleep(300);
            assertFalse(call.isDone(), "process returned while Y's part was still writing");
            assertEquals(1, pg.count("SELECT count(*) FROM logs WHERE run_id = ?", y));
            lockY.rollback();
            ExecutionException failed = assertThrows(ExecutionException.class, () -> call.get(WAIT_MS, TimeUnit.MILLISECONDS));
            assertInstanceOf(SQLException.class, failed.getCause());
            lockX.rollback();
        } finally {
            caller.shutdownNow();
        }
        assertEquals(1, pg.count("SELECT count(*) FROM logs WHERE run_id = ?", x), "X's part rolled back");
        assertEquals(301, pg.count("SELECT count(*) FROM logs WHERE run_id = ?", y), "Y's part committed before the throw");
        assertEquals(1, pg.count("SELECT entries FROM runs WHERE run_id = ?", x));
        assertEquals(301, pg.count("SELECT entries FROM runs WHERE run_id = ?", y));
        assertFalse(s.isHealthy(), "a part failed: the batch failed, whatever the other part did");
        long writtenBefore = s.rowsWritten();

        s.process(rest); // the collector's retry of the whole batch

        assertStoredOnce(runs);
        assertEquals(300, s.duplicatesSkipped(), "Y's committed rows are skipped, not stored twice");
        assertEquals(1, s.idempotentBatches(), "Y's part went through staging; X's took the fast path");
        assertEquals(writtenBefore + 300, s.rowsWritten());
        assertEquals(2, s.parallelBatches());
        assertTrue(s.isHealthy());
    }

    /**
     * Fault Tolerance's {@code @Timeout} interrupts the calling thread: process keeps waiting for the part on the
     * executor (nothing of the batch may still be written after it returns) and hands the interrupt back.
     */
    @Test
    void anInterruptDoesNotCutTheWaitForTheOtherPartShort() throws Exception {
        Map<UUID, List<LogEntry>> runs = runs(601, 401);
        List<UUID> ids = new ArrayList<>(runs.keySet());
        UUID small = ids.get(1); // the second part: the largest run goes to part 0, the calling thread's
        PostgresLogSink s = sink(pool, LoggingSettings.COPY_CONNECTIONS, "2", LoggingSettings.PARALLEL_COPY_MIN_ROWS, "100",
                LoggingSettings.BATCH_TIMEOUT_MS, Long.toString(2 * WAIT_MS));
        s.process(List.of(runs.get(small).get(0)));
        List<LogEntry> batch = new ArrayList<>(runs.get(ids.get(0)));
        batch.addAll(runs.get(small).subList(1, 401));
        Thread test = Thread.currentThread();
        ExecutorService helper = Executors.newSingleThreadExecutor();
        try (Connection lock = lockRunsRow(small)) {
            Future<?> interruptThenRelease = helper.submit(() -> {
                blockedBy(lock);
                Thread.sleep(200);
                test.interrupt();
                Thread.sleep(300);
                lock.rollback();
                return null;
            });
            s.process(batch);
            assertTrue(Thread.interrupted(), "the interrupt is handed back to the caller");
            assertEquals(401, pg.count("SELECT count(*) FROM logs WHERE run_id = ?", small), "the other part had committed");
            interruptThenRelease.get(WAIT_MS, TimeUnit.MILLISECONDS);
        } finally {
            Thread.interrupted();
            helper.shutdownNow();
        }
        assertStoredOnce(runs);
    }

    @Test
    void anExecutorThatRefusesOrNeverRunsThePartsLeavesThemToTheCallingThread() throws Exception {
        Executor refusing = r -> {
            throw new RejectedExecutionException("saturated");
        };
        List<Runnable> neverRun = new ArrayList<>();
        for (Executor ex : List.<Executor>of(refusing, neverRun::add)) {
            Map<UUID, List<LogEntry>> runs = runs(800, 700, 600);
            PostgresLogSink s = sink(ex, LoggingSettings.COPY_CONNECTIONS, "3");
            s.process(interleaved(runs));
            assertEquals(1, s.parallelBatches());
            assertStoredOnce(runs);
        }
        assertEquals(2, neverRun.size());
        for (Runnable late : neverRun) late.run(); // a pool thread that starts a part the caller already wrote: no-op
        assertEquals(0, pg.count("SELECT count(*) FROM (SELECT run_id, seq FROM logs GROUP BY run_id, seq HAVING count(*) > 1) d"));
    }

    /** A refused entry in one part is isolated there: the other parts commit as they are, every seq lands once. */
    @Test
    void poisonInOnePartIsIsolatedWithinItAndEverythingElseIsStored() throws Exception {
        pg.exec("ALTER TABLE logs ADD CONSTRAINT test_parallel_poison CHECK (message NOT LIKE 'POISON%')");
        try {
            Map<UUID, List<LogEntry>> runs = runs(400, 400, 400, 400);
            UUID victim = new ArrayList<>(runs.keySet()).get(2);
            List<LogEntry> v = new ArrayList<>(runs.get(victim));
            LogEntry e = v.get(199);
            v.set(199, LogEntry.builder().workflowId(e.workflowId()).runId(victim).nodeKey(e.nodeKey()).ts(e.ts())
                    .level(e.level()).message("POISON " + e.seq()).build().withSeq(e.seq()));
            runs.put(victim, v);
            PostgresLogSink s = sink(pool, LoggingSettings.COPY_CONNECTIONS, "2");
            s.process(interleaved(runs));
            assertEquals(1, s.parallelBatches());
            assertEquals(1, s.rejections().rejected());
            assertEquals(1, s.rejections().isolatedBatches(), "only the victim's part was split");
            assertEquals(1, pg.count("SELECT count(*) FROM logs_rejected WHERE run_id = ? AND seq = 200", victim));
            for (UUID run : runs.keySet()) {
                long stored = pg.count("SELECT count(*) FROM logs WHERE run_id = ?", run);
                long rejected = pg.count("SELECT count(*) FROM logs_rejected WHERE run_id = ?", run);
                assertEquals(400, stored + rejected, "gap-free over both tables");
                assertEquals(run.equals(victim) ? 399 : 400, stored);
                assertEquals(stored, pg.count("SELECT entries FROM runs WHERE run_id = ?", run));
            }
        } finally {
            pg.exec("ALTER TABLE logs DROP CONSTRAINT IF EXISTS test_parallel_poison");
        }
    }

    /** A connection of its own holding the runs row of {@code run} (FOR UPDATE) until rolled back. */
    private static Connection lockRunsRow(UUID run) throws SQLException {
        Connection c = pg.ds.getConnection();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM runs WHERE run_id = ? FOR UPDATE")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "runs row of " + run);
            }
        }
        return c;
    }

    /** @return the pid of the backend waiting for a lock {@code holder} holds, once there is one */
    private static int blockedBy(Connection holder) throws Exception {
        int holderPid;
        try (Statement st = holder.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            holderPid = rs.getInt(1);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (System.nanoTime() < deadline) {
            try (Connection c = pg.ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
                ps.setInt(1, holderPid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) return rs.getInt(1);
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no backend waited for the lock of " + holderPid);
    }
}
