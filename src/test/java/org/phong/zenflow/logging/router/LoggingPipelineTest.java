package org.phong.zenflow.logging.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;
import static org.phong.zenflow.logging.config.LoggingSettings.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.phong.zenflow.logging.router.RouteResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.testing.CollectingSink;
import org.phong.zenflow.logging.testing.PipelineFixture;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.TestSettings;
import org.phong.zenflow.logging.time.ExecutorScheduler;

/** The core end to end in memory, on real threads. */
class LoggingPipelineTest {
    private final PipelineFixture pipelines = new PipelineFixture();
    private final ScheduledExecutorService timer = pipelines.timer();
    private final ExecutorService executor = pipelines.executor();

    @AfterEach
    void tearDown() throws Exception {
        pipelines.close();
    }

    private LoggingPipeline pipeline(LoggingSettings settings, CollectingSink... sinks) {
        return pipelines.start(settings, sinks);
    }

    @Test
    void hundredRunsOfAThousandEntriesFromEightThreads() throws Exception {
        int runs = 100;
        int perRun = 1000;
        int threads = 8;
        CollectingSink db = CollectingSink.durable("db");
        CollectingSink live = CollectingSink.bestEffort("live");
        LoggingPipeline p = pipeline(TestSettings.of(QUEUE_CAPACITY, "1000000", WORKERS, "4", MAX_DELAY_MS, "20",
                SINK_QUEUE_ENTRIES, "1000000"), db, live);
        LogRouter router = p.router();
        assertTrue(router.workersAlive());
        UUID wf = UUID.randomUUID();
        List<UUID> runIds = new ArrayList<>();
        for (int i = 0; i < runs; i++) runIds.add(UUID.randomUUID());
        // half the runs are started by an event, the others are found by the lookup (answering 0)
        for (int i = 0; i < runs; i += 2) router.runStarted(new WorkflowRunStarted(wf, runIds.get(i)));

        ExecutorService producers = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Map<RouteResult, Integer>>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int me = t;
                results.add(producers.submit(() -> {
                    assertTrue(go.await(30, TimeUnit.SECONDS), "the producers were let go within 30 s");
                    Map<RouteResult, Integer> counts = new EnumMap<>(RouteResult.class);
                    // each producer owns the runs i % threads == me and interleaves them
                    for (int k = 1; k <= perRun; k++) {
                        for (int i = me; i < runs; i += threads) {
                            LogLevel level = k % 100 == 0 ? LogLevel.ERROR : k % 3 == 0 ? LogLevel.DEBUG : LogLevel.INFO;
                            counts.merge(router.route(Entries.entry(wf, runIds.get(i), level, Integer.toString(k))), 1, Integer::sum);
                        }
                    }
                    return counts;
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Map<RouteResult, Integer>> f : results) {
                Map<RouteResult, Integer> counts = f.get(60, TimeUnit.SECONDS);
                assertEquals(java.util.Set.of(RouteResult.ACCEPTED), counts.keySet(), "all accepted: " + counts);
                total += counts.get(RouteResult.ACCEPTED);
            }
            assertEquals(runs * perRun, total);
        } finally {
            producers.shutdownNow();
        }
        assertEquals((long) runs * perRun, router.routedTotal());

        // Workaround for the bug shown by completionWhileTheSeqLookupIsPending: the unstarted runs must
        // have their lookup answered before they are completed.
        router.barrier().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> runIds.stream().allMatch(r -> p.buffers().lastSeq(r).isPresent()));
        List<CompletableFuture<Long>> done = new ArrayList<>();
        for (UUID r : runIds) done.add(router.runCompleted(new WorkflowRunCompleted(r, RunOutcome.SUCCEEDED)));
        for (CompletableFuture<Long> f : done) assertEquals(perRun, f.get(30, TimeUnit.SECONDS));
        for (UUID r : runIds) assertFalse(p.buffers().isActive(r), "released after completion");
        assertTrue(p.collector().awaitDrained(30_000));
        await().atMost(Duration.ofSeconds(10)).until(() -> p.admission().inFlight() == 0);

        Map<UUID, List<LogEntry>> byRun = new HashMap<>();
        for (LogEntry e : db.entries()) byRun.computeIfAbsent(e.runId(), k -> new ArrayList<>()).add(e);
        assertEquals(runs, byRun.size());
        for (UUID r : runIds) {
            List<LogEntry> es = byRun.get(r);
            assertEquals(perRun, es.size(), "exactly once");
            for (int k = 0; k < perRun; k++) {
                assertEquals(k + 1, es.get(k).seq(), "gap-free, delivered in seq order");
                assertEquals(Integer.toString(k + 1), es.get(k).message(), "seq follows routing order");
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> live.entryCount() == runs * perRun);
        assertEquals(0, router.queueDepth());
        assertEquals(0, p.buffers().activeRuns());
        assertEquals(0, p.admission().droppedTotal());
        assertTrue(router.workersAlive());
        assertTrue(p.shutdown(5000));
        assertFalse(router.workersAlive());
    }

    /** The queue-depth gauge counts what waits for a worker: a held worker makes it rise, and it falls back to 0. */
    @Test
    void queueDepthCountsEntriesWaitingForAHeldWorker() throws Exception {
        LoggingSettings s = TestSettings.of(WORKERS, "1", MAX_DELAY_MS, "60000");
        AdmissionControl admission = new AdmissionControl(s, new ExecutorScheduler(timer));
        WorkflowBufferManager buffers = new WorkflowBufferManager(s, b -> { }, new ExecutorScheduler(timer), r -> 0, executor);
        LogRouter router = new LogRouter(s, admission, buffers, Thread::new);
        router.start();
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        try {
            UUID wf = UUID.randomUUID();
            UUID run = UUID.randomUUID();
            router.inRunOrder(run, () -> {
                entered.countDown();
                try {
                    held.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 25; i++) assertEquals(RouteResult.ACCEPTED, router.route(Entries.info(wf, run, "m" + i)));
            assertEquals(25, router.queueDepth(), "the held worker's queue");
            held.countDown();
            router.barrier().get(10, TimeUnit.SECONDS);
            assertEquals(0, router.queueDepth());
        } finally {
            held.countDown();
            router.shutdown(5000);
        }
    }

    @Test
    void runCompletedCompletesAfterTheRunsEntriesWereHandedOver() throws Exception {
        LoggingSettings s = TestSettings.of(WORKERS, "2", MAX_DELAY_MS, "60000");
        List<LogEntry> handed = Collections.synchronizedList(new ArrayList<>());
        AdmissionControl admission = new AdmissionControl(s, new ExecutorScheduler(timer));
        WorkflowBufferManager buffers = new WorkflowBufferManager(s, b -> handed.addAll(b.entries()), new ExecutorScheduler(timer),
                r -> 0, executor);
        LogRouter router = new LogRouter(s, admission, buffers, Thread::new);
        router.start();
        try {
            UUID wf = UUID.randomUUID();
            UUID run = UUID.randomUUID();
            router.runStarted(new WorkflowRunStarted(wf, run));
            for (int i = 0; i < 7; i++) assertEquals(RouteResult.ACCEPTED, router.route(Entries.info(wf, run, "m" + i)));
            long last = router.runCompleted(new WorkflowRunCompleted(run, RunOutcome.FAILED)).get(10, TimeUnit.SECONDS);
            assertEquals(7, last);
            assertEquals(7, handed.size(), "max-delay is a minute: only completion flushed them");
            assertFalse(buffers.isActive(run));
            assertEquals(0L, router.runCompleted(new WorkflowRunCompleted(UUID.randomUUID(), RunOutcome.FAILED))
                    .get(10, TimeUnit.SECONDS), "an unknown run completes with 0");
            router.barrier().get(10, TimeUnit.SECONDS);
            assertEquals(0, router.queueDepth());
            assertEquals(7, router.routedTotal());
            assertSame(admission, router.admission());
            assertSame(buffers, router.buffers());
        } finally {
            router.shutdown(1000);
        }
    }

    @Test
    void shutdownDrainsEverythingAccepted() {
        CollectingSink db = CollectingSink.durable("db");
        LoggingPipeline p = pipeline(TestSettings.of(MAX_DELAY_MS, "60000"), db);
        UUID wf = UUID.randomUUID();
        List<UUID> runs = new ArrayList<>();
        for (int r = 0; r < 10; r++) {
            UUID run = UUID.randomUUID();
            runs.add(run);
            p.router().runStarted(new WorkflowRunStarted(wf, run));
            for (int i = 0; i < 33; i++) assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, "m")));
        }
        assertTrue(p.shutdown(10_000));
        assertEquals(330, db.entryCount());
        assertEquals(RouteResult.REJECTED, p.router().route(Entries.info(wf, runs.get(0), "late")), "closed after shutdown");
        assertFalse(p.router().hasRoomFor(1));
        assertFalse(p.router().workersAlive());
        await().atMost(Duration.ofSeconds(5)).until(() -> p.admission().inFlight() == 0);
    }

    @Test
    void aDeadDurableSinkTurnsIntoBackpressureNotBlocking() {
        CollectingSink db = CollectingSink.durable("db").failAlways(true);
        LoggingPipeline p = pipeline(TestSettings.of(QUEUE_CAPACITY, "1000", BACKPRESSURE_THRESHOLD, "0.5",
                RESERVE_CAPACITY, "100", RETRY_BACKOFF_MS, "5", RETRY_MAX_BACKOFF_MS, "20", MAX_DELAY_MS, "10"), db);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        p.router().runStarted(new WorkflowRunStarted(wf, run));
        Map<RouteResult, Integer> info = new EnumMap<>(RouteResult.class);
        Map<RouteResult, Integer> warn = new EnumMap<>(RouteResult.class);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 10_000; i++) info.merge(p.router().route(Entries.info(wf, run, "i" + i)), 1, Integer::sum);
            for (int i = 0; i < 1_000; i++) {
                warn.merge(p.router().route(Entries.entry(wf, run, LogLevel.WARN, "w" + i)), 1, Integer::sum);
            }
        }, "route() must never block on a failing sink");
        assertEquals(1000, info.get(RouteResult.ACCEPTED), "INFO admitted up to capacity: " + info);
        assertEquals(9000, info.get(RouteResult.DROPPED));
        assertNull(info.get(RouteResult.REJECTED), "INFO is dropped, never rejected");
        assertEquals(100, warn.get(RouteResult.ACCEPTED), "WARN uses the reserve: " + warn);
        assertEquals(900, warn.get(RouteResult.REJECTED));
        assertNull(warn.get(RouteResult.DROPPED), "WARN is never dropped");
        assertEquals(1100, p.admission().inFlight(), "nothing released while the sink fails");
        assertEquals(9000, p.admission().dropped(org.phong.zenflow.logging.stats.PipelineObserver.DropReason.CAPACITY, LogLevel.INFO));
        assertEquals(900, p.admission().rejected());
        assertFalse(p.router().hasRoomFor(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> db.failures() >= 2);
        assertTrue(p.router().workersAlive());
        assertFalse(p.shutdown(200), "cannot drain into a dead sink");
        // the sink comes back: everything accepted is written and released
        db.failAlways(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> db.entryCount() == 1100);
        await().atMost(Duration.ofSeconds(10)).until(() -> p.admission().inFlight() == 0);
        List<LogEntry> all = db.entries();
        for (int i = 0; i < all.size(); i++) assertEquals(i + 1, all.get(i).seq());
    }

    /**
     * BUG (not fixed, needs a design decision): {@code WorkflowBufferManager.complete} returns empty for a run
     * whose seq lookup is still pending (RECOVERING), and {@code LogRouter.Worker.handle} completes the
     * runCompleted future with 0 at once, although the run's parked entries have not been handed over and
     * its buffer is not released (only the idle sweeper releases it later). This breaks the contract of
     * {@link LogRouter#runCompleted} and of {@link WorkflowRunCompleted}.
     */
    @Test
    void completionWhileTheSeqLookupIsPending() throws Exception {
        CountDownLatch lookupMayAnswer = new CountDownLatch(1);
        LoggingSettings s = TestSettings.of(WORKERS, "1", MAX_DELAY_MS, "60000");
        List<LogEntry> handed = Collections.synchronizedList(new ArrayList<>());
        WorkflowBufferManager buffers = new WorkflowBufferManager(s, b -> handed.addAll(b.entries()), new ExecutorScheduler(timer), r -> {
            if (!lookupMayAnswer.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("the test never let the lookup answer");
            return 5;
        }, executor);
        LogRouter router = new LogRouter(s, new AdmissionControl(s, new ExecutorScheduler(timer)), buffers, Thread::new);
        router.start();
        try {
            UUID wf = UUID.randomUUID();
            UUID run = UUID.randomUUID();
            router.route(Entries.info(wf, run, "a"));
            router.route(Entries.info(wf, run, "b"));
            CompletableFuture<Long> done = router.runCompleted(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED));
            router.barrier().get(10, TimeUnit.SECONDS);
            assertFalse(done.isDone() && handed.size() < 2, "completed with " + done.getNow(-1L) + " before its entries were handed over");
            lookupMayAnswer.countDown();
            assertEquals(7L, done.get(10, TimeUnit.SECONDS));
            assertEquals(2, handed.size());
            assertFalse(buffers.isActive(run));
        } finally {
            lookupMayAnswer.countDown();
            router.shutdown(1000);
        }
    }

    @Test
    void pipelineBuilderRequiresEveryPart() {
        assertThrows(NullPointerException.class, () -> LoggingPipeline.builder().settings(LoggingSettings.defaults()).build());
    }

    @Test
    void concurrentRoutesOfOneRunAreAllSequencedOnce() throws Exception {
        CollectingSink db = CollectingSink.durable("db");
        LoggingPipeline p = pipeline(TestSettings.of(WORKERS, "3", MAX_DELAY_MS, "10"), db);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        ExecutorService producers = Executors.newFixedThreadPool(4);
        Map<String, Boolean> sent = new ConcurrentHashMap<>();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int me = t;
                fs.add(producers.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        String m = me + "-" + i;
                        sent.put(m, true);
                        assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, m)));
                    }
                }));
            }
            for (Future<?> f : fs) f.get(30, TimeUnit.SECONDS);
        } finally {
            producers.shutdownNow();
        }
        // Workaround for the bug shown by completionWhileTheSeqLookupIsPending: wait until the lookup answered.
        await().atMost(Duration.ofSeconds(10)).until(() -> p.buffers().lastSeq(run).isPresent());
        assertEquals(2000L, p.router().runCompleted(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED)).get(10, TimeUnit.SECONDS));
        assertTrue(p.collector().awaitDrained(10_000));
        List<LogEntry> all = db.entries();
        assertEquals(2000, all.size());
        for (int i = 0; i < all.size(); i++) assertEquals(i + 1, all.get(i).seq());
        assertEquals(sent.keySet(), all.stream().map(LogEntry::message).collect(java.util.stream.Collectors.toSet()));
        // each producer's own entries keep their order
        Map<String, Integer> lastIndex = new HashMap<>();
        for (LogEntry e : all) {
            String[] parts = e.message().split("-");
            int idx = Integer.parseInt(parts[1]);
            assertTrue(idx > lastIndex.getOrDefault(parts[0], -1), "producer order broken at " + e);
            lastIndex.put(parts[0], idx);
        }
    }

    /** A caller that gives up on a persisted wait (the HTTP timeout cancels it) leaves no waiter behind. */
    @Test
    void anAbandonedPersistedWaitIsForgotten() throws Exception {
        CollectingSink sink = CollectingSink.durable("pg").block();
        LoggingPipeline p = pipeline(LoggingSettings.defaults(), sink);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        for (int i = 0; i < 10; i++) assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, "m" + i)));
        java.util.concurrent.CompletableFuture<Long> wait = p.durability().whenRunPersisted(run);
        assertTrue(sink.awaitEntered(TimeUnit.SECONDS.toMillis(30)), "the wait flushed the run's batch to the blocked sink");
        await("the waiter registered").atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .until(() -> p.durability().waiting() != 0);
        assertEquals(1, p.durability().waiting());
        wait.cancel(false);
        assertEquals(0, p.durability().waiting(), "the cancelled waiter is removed at once");
        sink.unblock();
    }
}
