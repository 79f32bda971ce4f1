package org.phong.zenflow.logging.stats;

import static org.junit.jupiter.api.Assertions.*;
import static org.phong.zenflow.logging.config.LoggingSettings.*;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.router.AdmissionControl;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.testing.CollectingSink;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.ManualExecutor;
import org.phong.zenflow.logging.testing.ManualScheduler;
import org.phong.zenflow.logging.testing.RecordingObserver;
import org.phong.zenflow.logging.testing.TestSettings;

/**
 * What the core tells its observer, end to end on the real core with a manual clock: exact counts
 * per level, every flushed batch with its wait, every sink call, failures and retries, and sampled
 * entries followed to the durable sink.
 */
class PipelineObserverTest {
    private final ManualScheduler clock = new ManualScheduler();
    private LoggingPipeline pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) pipeline.router().shutdown(1000);
    }

    private LoggingPipeline start(LoggingSettings settings, RecordingObserver observer, CollectingSink... sinks) {
        pipeline = LoggingPipeline.builder().settings(settings).sinks(List.of(sinks)).scheduler(clock)
                .executor(ManualExecutor.DIRECT).threadFactory(Thread::new).sequenceLookup(r -> 0)
                .observer(observer).build().start();
        return pipeline;
    }

    @Test
    void everyEntryAndBatchIsCountedAndSampledEntriesAreFollowedToTheDurableSink() throws Exception {
        RecordingObserver o = new RecordingObserver(1); // every route sampled
        CollectingSink db = CollectingSink.durable("db");
        CollectingSink live = CollectingSink.bestEffort("live");
        LoggingPipeline p = start(TestSettings.of(DEFAULT_BATCH_SIZE, "50", MIN_BATCH_SIZE, "20", MAX_BATCH_SIZE, "50"), o, db, live);
        assertEquals(List.of("db/durable", "live/best-effort"), o.attached);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        p.router().runStarted(new WorkflowRunStarted(wf, run));
        LogLevel[] levels = {LogLevel.DEBUG, LogLevel.INFO, LogLevel.INFO, LogLevel.WARN};
        for (int i = 0; i < 120; i++) assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.entry(wf, run, levels[i % 4], "m" + i)));
        p.router().barrier().get(5, TimeUnit.SECONDS);
        // 120 entries, batch target 50: two full batches left at once; 20 wait for the age timer.
        assertEquals(2, o.flushed.size());
        clock.advance(p.settings().maxDelayMs());
        assertEquals(3, o.flushed.size());
        assertEquals(20, o.flushed.get(2)[0]);
        assertEquals(p.settings().maxDelayMs(), o.flushed.get(2)[1], "the last batch waited max-delay-ms");
        assertEquals(0, o.flushed.get(0)[1], "a full batch leaves without waiting on a still clock");
        p.router().runCompleted(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED)).get(5, TimeUnit.SECONDS);

        assertEquals(30, o.accepted.get(LogLevel.DEBUG).get());
        assertEquals(60, o.accepted.get(LogLevel.INFO).get());
        assertEquals(30, o.accepted.get(LogLevel.WARN).get());
        assertEquals(120, o.routeNanos.size(), "every route timed at sampleEvery=1");
        assertEquals(120, RecordingObserver.get(o.written, "db"));
        assertEquals(120, RecordingObserver.get(o.written, "live"));
        assertEquals(120, o.endToEndNanos.size(), "every sampled entry reached the durable sink");
        assertTrue(o.endToEndNanos.stream().allMatch(n -> n > 0));
        int flushedEntries = o.flushed.stream().mapToInt(f -> f[0]).sum();
        assertEquals(120, flushedEntries);
    }

    @Test
    void aFailedDurableCallIsCountedAndItsRetryIsMarked() throws Exception {
        RecordingObserver o = new RecordingObserver(0);
        CollectingSink db = CollectingSink.durable("db").failNext(2);
        LoggingPipeline p = start(TestSettings.of(), o, db);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        p.router().runStarted(new WorkflowRunStarted(wf, run));
        p.router().route(Entries.entry(wf, run, LogLevel.ERROR, "boom")); // ERROR flushes at once
        p.router().barrier().get(5, TimeUnit.SECONDS);
        assertEquals(1, RecordingObserver.get(o.failedCalls, "db"));
        assertEquals(0, RecordingObserver.get(o.retries, "db"));
        clock.advance(p.settings().retryMaxBackoffMs()); // first retry fails again
        assertEquals(2, RecordingObserver.get(o.failedCalls, "db"));
        clock.advance(p.settings().retryMaxBackoffMs()); // second retry succeeds
        assertEquals(1, RecordingObserver.get(o.written, "db"));
        assertEquals(2, RecordingObserver.get(o.retries, "db"), "both calls after the first failure are retries");
        assertTrue(o.routeNanos.isEmpty(), "sampleEvery=0 times nothing");
        assertTrue(o.endToEndNanos.isEmpty());
    }

    @Test
    void dropsAndRejectionsAreReportedWithReasonAndLevel() {
        RecordingObserver o = new RecordingObserver(0);
        LoggingSettings s = TestSettings.of(QUEUE_CAPACITY, "10", BACKPRESSURE_THRESHOLD, "0.5", RESERVE_CAPACITY, "2");
        AdmissionControl a = new AdmissionControl(s, clock, o);
        UUID wf = UUID.randomUUID();
        for (int i = 0; i < 5; i++) assertEquals(RouteResult.ACCEPTED, a.admit(Entries.of(wf, LogLevel.INFO)));
        assertEquals(RouteResult.DROPPED, a.admit(Entries.of(wf, LogLevel.DEBUG)));
        for (int i = 0; i < 7; i++) a.admit(Entries.of(wf, LogLevel.WARN)); // up to capacity + reserve
        assertEquals(RouteResult.REJECTED, a.admit(Entries.of(wf, LogLevel.ERROR)));
        assertEquals(1, RecordingObserver.get(o.dropped, "DEBUG_FIRST/DEBUG"));
        assertEquals(1, RecordingObserver.get(o.rejected, "RESERVE_FULL/ERROR"));
        assertEquals(a.droppedTotal(), o.dropped.values().stream().mapToLong(x -> x.get()).sum(), "observer and core agree");
        assertEquals(a.rejected(), o.rejected.values().stream().mapToLong(x -> x.get()).sum());
    }

    @Test
    void aRouteAfterShutdownIsReportedAsRejected() {
        RecordingObserver o = new RecordingObserver(0);
        LoggingPipeline p = start(TestSettings.of(), o, CollectingSink.durable("db"));
        p.router().shutdown(1000);
        assertEquals(RouteResult.REJECTED, p.router().route(Entries.of(UUID.randomUUID(), LogLevel.WARN)));
        assertEquals(1, RecordingObserver.get(o.rejected, "SHUTTING_DOWN/WARN"));
    }

    @Test
    void aSampleIntervalThatIsNotAPowerOfTwoIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LoggingPipeline.builder().settings(TestSettings.of())
                .sinks(List.of()).scheduler(clock).executor(ManualExecutor.DIRECT).threadFactory(Thread::new)
                .sequenceLookup(r -> 0).observer(new RecordingObserver(3)).build());
    }
}
