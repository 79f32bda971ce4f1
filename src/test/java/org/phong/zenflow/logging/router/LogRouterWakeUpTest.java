package org.phong.zenflow.logging.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.testing.CollectingSink;
import org.phong.zenflow.logging.testing.PipelineFixture;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.TestSettings;

/**
 * The router workers' wake-up protocol on real threads: an idle worker goes to sleep, the next item
 * wakes it at once (not its idle poll), and an interrupted worker (Liberty stopping the application)
 * leaves whatever is queued to {@code shutdown()}, which delivers it.
 */
class LogRouterWakeUpTest {
    /** The idle poll of a sleeping worker (LogRouter.IDLE_POLL_MS): a lost wake-up costs about this much. */
    private static final long IDLE_POLL_MS = 200;
    private static final int ROUNDS = 10;

    private final PipelineFixture pipelines = new PipelineFixture();
    private final List<Thread> workerThreads = new CopyOnWriteArrayList<>();
    private LoggingPipeline pipeline;

    @AfterEach
    void tearDown() throws InterruptedException {
        pipelines.close();
    }

    private LoggingPipeline start(LoggingSettings settings, CollectingSink sink) {
        pipeline = pipelines.start(pipelines.builder(settings, List.of(sink))
                .threadFactory(r -> {
                    Thread t = new Thread(r);
                    workerThreads.add(t);
                    return t;
                }));
        return pipeline;
    }

    @Test
    void aSleepingWorkerIsWokenByTheNextItemNotByItsIdlePoll() throws Exception {
        LoggingPipeline p = start(TestSettings.of(LoggingSettings.WORKERS, "1"), CollectingSink.durable("db"));
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        p.router().runStarted(new WorkflowRunStarted(wf, run));
        long waitedNanos = 0;
        for (int i = 0; i < ROUNDS; i++) {
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10))
                    .until(() -> p.router().sleepingWorkers() == 1);
            long t0 = System.nanoTime();
            assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, "m" + i)));
            p.router().barrier().get(10, TimeUnit.SECONDS);
            waitedNanos += System.nanoTime() - t0;
        }
        // Lost wake-ups would each wait out the idle poll: ROUNDS x IDLE_POLL_MS in all. Woken ones take
        // microseconds; half of that total leaves a slow, shared machine plenty of room.
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(waitedNanos);
        assertTrue(waitedMs < ROUNDS * IDLE_POLL_MS / 2, "items waited " + waitedMs + " ms for a sleeping worker");
        assertEquals(ROUNDS, p.buffers().lastSeq(run).orElseThrow());
    }

    @Test
    void interruptedWorkersLeaveTheirQueueToShutdown() throws Exception {
        CollectingSink db = CollectingSink.durable("db");
        LoggingPipeline p = start(TestSettings.of(LoggingSettings.WORKERS, "2"), db);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        p.router().runStarted(new WorkflowRunStarted(wf, run));
        for (int i = 0; i < 100; i++) p.router().route(Entries.info(wf, run, "before " + i));
        for (Thread t : workerThreads) t.interrupt();
        for (Thread t : workerThreads) t.join(10_000);
        assertTrue(workerThreads.stream().noneMatch(Thread::isAlive), "interrupted workers end");
        for (int i = 0; i < 100; i++) assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, "after " + i)));
        assertTrue(p.shutdown(10_000));
        assertEquals(200, db.entryCount());
        assertEquals(200, p.buffers().lastSeq(run).orElseThrow());
    }
}
