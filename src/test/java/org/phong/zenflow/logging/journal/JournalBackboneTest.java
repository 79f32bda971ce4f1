package org.phong.zenflow.logging.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.degradation.DegradationLevel;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.testing.CollectingSink;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.TestSettings;
import org.phong.zenflow.logging.time.ExecutorScheduler;

/**
 * The journal as the backbone: the durable sink follows the journal, so a database outage is absorbed by
 * disk, not memory (no rejection far beyond the router's capacity), the drain after it is made of large
 * batches merged across runs, and a journal near its budget sheds by level and then refuses, never
 * accepting what it cannot hold. Real threads and files; timeouts are failure bounds, not timings.
 */
class JournalBackboneTest {
    private static final long WAIT_S = 30;
    private static final int CAPACITY = 1_000;

    @TempDir
    Path dir;
    private ScheduledExecutorService timer;
    private ExecutorService executor;
    private final List<LoggingPipeline> started = new ArrayList<>();

    @BeforeEach
    void threads() {
        timer = Executors.newSingleThreadScheduledExecutor();
        executor = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stop() {
        for (LoggingPipeline p : started) p.shutdown(1000);
        timer.shutdownNow();
        executor.shutdownNow();
    }

    private LoggingPipeline pipeline(CollectingSink sink, long maxBytes) {
        LoggingSettings s = TestSettings.of(LoggingSettings.QUEUE_CAPACITY, String.valueOf(CAPACITY),
                LoggingSettings.RETRY_BACKOFF_MS, "20", LoggingSettings.RETRY_MAX_BACKOFF_MS, "50",
                LoggingSettings.MAX_DELAY_MS, "5");
        LoggingPipeline p = LoggingPipeline.builder().settings(s).sinks(List.of(sink))
                .scheduler(new ExecutorScheduler(timer)).executor(executor).threadFactory(Thread::new)
                .sequenceLookup(run -> 0L)
                .journal(new JournalSettings(true, dir.resolve("journal"), FsyncPolicy.INTERVAL, 5, maxBytes, 256 * 1024, 200, 10_000))
                .build().start();
        started.add(p);
        return p;
    }

    /** Polled on the test thread: it is called between routed entries, hundreds of times per test. */
    private static void await(String what, BooleanSupplier ok) {
        Awaitility.await(what).atMost(Duration.ofSeconds(WAIT_S)).pollInSameThread()
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .until(ok::getAsBoolean);
    }

    @Test
    void aDeadDatabaseCostsNoRejectionWhileTheJournalHasRoomAndTheDrainIsMadeOfLargeMergedBatches() throws Exception {
        CollectingSink db = CollectingSink.durable("pg").failAlways(true);
        LoggingPipeline p = pipeline(db, 1L << 30);
        UUID wf = UUID.randomUUID();
        List<UUID> runs = new ArrayList<>();
        for (int r = 0; r < 20; r++) runs.add(UUID.randomUUID());
        int perRun = 1_000;     // 20 times the router's capacity, with the database down the whole time
        for (int i = 0; i < perRun; i++) {
            for (UUID run : runs) assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, run + "/" + (i + 1))));
            if (i % 10 == 0) await("the router keeps up", () -> p.admission().inFlight() < CAPACITY / 4);
        }
        for (UUID run : runs) assertEquals((long) perRun, p.durability().whenRunDurable(run).get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(0, db.entryCount());
        assertEquals(0, p.admission().rejected());
        assertEquals(0, p.admission().droppedTotal());
        assertEquals(DegradationLevel.DATABASE_FAILING, p.degradation().evaluate().level());
        assertTrue(p.sinkStatus().stream().anyMatch(s -> s.name().equals("pg") && s.backlog() >= runs.size() * perRun * 9L / 10),
                p.sinkStatus().toString());

        int callsBefore = db.calls();
        db.failAlways(false);
        await("the database has every entry", () -> db.entryCount() >= runs.size() * perRun);
        Map<UUID, Long> last = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (LogEntry e : db.entries()) {
            assertTrue(seen.add(e.message()), "stored once: " + e.message());
            long prev = last.getOrDefault(e.runId(), 0L);
            assertEquals(prev + 1, e.seq(), "each run in seq order, gap-free");
            assertEquals(e.runId() + "/" + e.seq(), e.message());
            last.put(e.runId(), e.seq());
        }
        assertEquals(runs.size() * perRun, seen.size());
        // The drain reads the journal in order: batches hold many runs and are large (the sink takes up to its max).
        List<List<LogEntry>> drained = db.batches();
        int largest = drained.stream().mapToInt(List::size).max().orElse(0);
        long runsInLargest = drained.stream().filter(b -> b.size() == largest).findFirst().orElseThrow()
                .stream().map(LogEntry::runId).distinct().count();
        assertTrue(largest >= 5_000, "largest drain batch " + largest);
        assertEquals(runs.size(), runsInLargest, "a drain batch merges every run");
        assertTrue(db.calls() - callsBefore < 40, "few large writes: " + (db.calls() - callsBefore));
        for (UUID run : runs) assertEquals((long) perRun, p.durability().whenRunPersisted(run).get(WAIT_S, TimeUnit.SECONDS));
        await("the backlog is gone", () -> p.sinkStatus().stream().allMatch(s -> s.backlog() == 0));
    }

    @Test
    void aJournalNearItsBudgetShedsByLevelThenRefusesAndLosesNothingItAccepted() throws Exception {
        CollectingSink db = CollectingSink.durable("pg").failAlways(true);
        long max = 2L << 20;
        LoggingPipeline p = pipeline(db, max);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        String pad = "x".repeat(400);
        List<String> accepted = new ArrayList<>();
        Map<LogLevel, Integer> firstRefusedAt = new HashMap<>();
        LogLevel[] levels = {LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR};
        for (int i = 0; i < 20_000 && firstRefusedAt.size() < 4; i++) {
            LogLevel level = levels[i % 4];
            String msg = "m" + i + " " + pad;
            RouteResult r = p.router().route(Entries.valid().workflowId(wf).runId(run).level(level).message(msg).build());
            if (r == RouteResult.ACCEPTED) accepted.add(msg);
            else firstRefusedAt.putIfAbsent(level, i);
            if (r == RouteResult.REJECTED) assertTrue(level == LogLevel.WARN || level == LogLevel.ERROR, "only WARN/ERROR are rejected");
            if (r == RouteResult.DROPPED) assertTrue(level == LogLevel.DEBUG || level == LogLevel.INFO, "only DEBUG/INFO are dropped");
            if (i % 20 == 0) await("the router keeps up", () -> p.admission().inFlight() == 0);
        }
        assertTrue(firstRefusedAt.containsKey(LogLevel.ERROR), "the journal filled up: " + p.journalStats());
        assertEquals(4, firstRefusedAt.size(), firstRefusedAt + " " + p.journalStats() + " rejected " + p.admission().rejected());
        assertTrue(firstRefusedAt.get(LogLevel.DEBUG) < firstRefusedAt.get(LogLevel.ERROR), firstRefusedAt.toString());
        assertTrue(firstRefusedAt.get(LogLevel.INFO) < firstRefusedAt.get(LogLevel.WARN), firstRefusedAt.toString());
        assertEquals(0, p.journalStats().unjournaledEntries(), "refused before full: every accepted entry is in the journal");
        assertTrue(p.journalStats().bytesOnDisk() <= max, p.journalStats().toString());

        db.failAlways(false);
        await("the database has every accepted entry", () -> db.entryCount() >= accepted.size());
        List<String> stored = new ArrayList<>();
        for (LogEntry e : db.entries()) stored.add(e.message());
        assertEquals(accepted, stored);
        await("room again", () -> p.router().route(Entries.valid().workflowId(wf).runId(run).level(LogLevel.ERROR)
                .message("after").build()) == RouteResult.ACCEPTED);
    }
}
