package org.phong.zenflow.logging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.testing.CollectingSink;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.JournalFixtures;
import org.phong.zenflow.logging.testing.ManualExecutor;
import org.phong.zenflow.logging.testing.ManualScheduler;
import org.phong.zenflow.logging.testing.PipelineFixture;

/**
 * With a seq lookup that reads the durable sink ({@code lookupReadsDurableSinks}), runs started, completed and
 * written leave nothing per run behind, long before {@code cleanup-idle-after-ms}: no buffer, no tombstone, no
 * persisted high-water mark. A run not yet written keeps only its tombstone (its last seq) until it is. The memory
 * benchmark's churn (100,000 runs) measures the same on the heap, with the journal off.
 */
class CompletedRunsForgottenTest {
    private static final int RUNS = 2_000;
    private static final int ENTRIES = 3;
    private static final long WAIT_S = 20;

    private final ManualScheduler clock = new ManualScheduler();
    private final ManualExecutor executor = new ManualExecutor();
    private final CollectingSink db = CollectingSink.durable("db");
    private final PipelineFixture pipelines = new PipelineFixture();
    private LoggingPipeline manual;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws InterruptedException {
        if (manual != null) manual.router().shutdown(1000);
        pipelines.close();
    }

    /** What the database answers: the highest seq written for the run. */
    private long lastSeqInDb(UUID run) {
        long last = 0;
        for (LogEntry e : db.entries()) if (e.runId().equals(run)) last = Math.max(last, e.seq());
        return last;
    }

    @Test
    void withoutJournalCompletedRunsAreForgottenOnceWrittenNotWhenTheirTombstonesExpire() throws Exception {
        manual = LoggingPipeline.builder().settings(LoggingSettings.defaults()).sinks(List.of(db)).scheduler(clock)
                .executor(executor).threadFactory(Thread::new).sequenceLookup(this::lastSeqInDb)
                .lookupReadsDurableSinks(true).build().start();
        LoggingPipeline p = manual;
        WorkflowBufferManager buffers = p.buffers();
        int timersBefore = clock.pendingTasks();
        db.failAlways(true); // the database is down while the runs complete: nothing is written yet

        UUID wf = UUID.randomUUID();
        List<UUID> runs = new ArrayList<>();
        List<CompletableFuture<Long>> completed = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            UUID run = UUID.randomUUID();
            runs.add(run);
            p.router().runStarted(new WorkflowRunStarted(wf, run));
            for (int k = 0; k < ENTRIES; k++) assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, "m" + k)));
            completed.add(p.router().runCompleted(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED)));
        }
        p.router().barrier().get(WAIT_S, TimeUnit.SECONDS);
        executor.runAll(); // the seq lookups answer; every run is sequenced, flushed, released
        for (CompletableFuture<Long> c : completed) assertEquals(ENTRIES, c.get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(0, buffers.activeRuns());
        assertEquals(RUNS, buffers.tombstones(), "a run not written yet keeps its last seq, and only that");

        db.failAlways(false); // the database is back: the held batches are retried and written
        for (int i = 0; i < 10 && db.entryCount() < RUNS * ENTRIES; i++) {
            clock.advance(p.settings().retryMaxBackoffMs());
            executor.runAll();
        }
        assertEquals(RUNS * ENTRIES, db.entryCount());
        assertTrue(clock.nowMillis() < p.settings().cleanupIdleAfterMs(), "no tombstone has expired yet");

        assertEquals(0, buffers.activeRuns());
        assertEquals(0, buffers.tombstones(), "every run is written: nothing per run is left");
        assertEquals(0, p.durability().marks(), "nor a persisted high-water mark");
        assertEquals(0, p.durability().waiting());
        for (UUID run : runs) assertFalse(buffers.holds(run));
        assertEquals(timersBefore, clock.pendingTasks(), "no timer of a run is left behind");

        // A late entry of a forgotten run continues from what the database has.
        UUID first = runs.get(0);
        p.router().route(Entries.info(wf, first, "late"));
        p.router().barrier().get(WAIT_S, TimeUnit.SECONDS);
        executor.runAll();
        assertEquals(Optional.of((long) ENTRIES + 1), buffers.lastSeq(first));
    }

    @Test
    void withJournalCompletedRunsAreForgottenOnceTheFollowerWroteThem() throws Exception {
        LoggingPipeline p = pipelines.start(pipelines.builder(LoggingSettings.defaults(), List.of(db))
                .sequenceLookup(this::lastSeqInDb).lookupReadsDurableSinks(true)
                .journal(JournalFixtures.pipelineSettings(dir, JournalFixtures.ROOMY, 1 << 20)));
        UUID wf = UUID.randomUUID();
        List<CompletableFuture<Long>> completed = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            UUID run = UUID.randomUUID();
            p.router().runStarted(new WorkflowRunStarted(wf, run));
            for (int k = 0; k < ENTRIES; k++) assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, "m" + k)));
            completed.add(p.router().runCompleted(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED)));
        }
        for (CompletableFuture<Long> c : completed) assertEquals(ENTRIES, c.get(WAIT_S, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(WAIT_S)).until(() -> db.entryCount() == RUNS * ENTRIES
                && p.buffers().activeRuns() == 0 && p.buffers().tombstones() == 0 && p.durability().marks() == 0);
    }
    /**
     * Two durable followers: a run is persisted only when both have its entries (the slower one decides), and the
     * per-run marks that compare them are dropped once they agree, so they do not grow with every run ever written.
     */
    @Test
    void withTwoDurableFollowersPersistedWaitsForTheSlowerAndNoMarksAreLeft() throws Exception {
        CollectingSink second = CollectingSink.durable("db2");
        second.failAlways(true);
        LoggingPipeline p = pipelines.start(pipelines.builder(LoggingSettings.defaults(), List.of(db, second))
                .journal(JournalFixtures.pipelineSettings(dir, JournalFixtures.ROOMY, 1 << 20)));
        UUID wf = UUID.randomUUID();
        List<UUID> runs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            UUID run = UUID.randomUUID();
            runs.add(run);
            for (int k = 0; k < ENTRIES; k++) assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, "m" + k)));
            p.router().runCompleted(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED));
        }
        await().atMost(Duration.ofSeconds(WAIT_S)).until(() -> db.entryCount() == 200 * ENTRIES);
        CompletableFuture<Long> persisted = p.durability().whenRunPersisted(runs.get(0));
        assertFalse(persisted.isDone(), "the second follower has nothing yet: not persisted");
        assertEquals(200, p.followerMarkRuns(), "the followers disagree on every run");
        second.failAlways(false);
        assertEquals(ENTRIES, persisted.get(WAIT_S, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(WAIT_S)).until(() -> second.entryCount() == 200 * ENTRIES && p.followerMarkRuns() == 0);
    }
}
