package org.phong.zenflow.logging.buffer;

import static org.junit.jupiter.api.Assertions.*;
import static org.phong.zenflow.logging.config.LoggingSettings.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.SinkBatch;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.journal.Journal;
import org.phong.zenflow.logging.stats.EndToEndTracker;
import org.phong.zenflow.logging.stats.PipelineObserver;
import org.phong.zenflow.logging.testing.RecordingObserver;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.JournalFixtures;
import org.phong.zenflow.logging.testing.ManualExecutor;
import org.phong.zenflow.logging.testing.ManualScheduler;
import org.phong.zenflow.logging.testing.TestSettings;

/** default batch 4 (min 2, max 16), max delay 100 ms, ring 5, idle after 1000 ms, lookup backoff 100..1000 ms. */
class WorkflowBufferManagerTest {
    private static final LoggingSettings SETTINGS = TestSettings.of(DEFAULT_BATCH_SIZE, "4", MIN_BATCH_SIZE, "2",
            MAX_BATCH_SIZE, "16", MAX_DELAY_MS, "100", RING_BUFFER_SIZE, "5", CLEANUP_IDLE_AFTER_MS, "1000",
            RETRY_BACKOFF_MS, "100", RETRY_MAX_BACKOFF_MS, "1000");

    private final ManualScheduler clock = new ManualScheduler();
    private final List<List<LogEntry>> out = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger lookups = new AtomicInteger();
    private final UUID wf = UUID.randomUUID();
    private final UUID run = UUID.randomUUID();

    private WorkflowBufferManager manager(SequenceLookup lookup, Executor executor) {
        return new WorkflowBufferManager(SETTINGS, b -> out.add(b.entries()), clock, runId -> {
            lookups.incrementAndGet();
            return lookup.lastSeq(runId);
        }, executor);
    }

    /** A manager whose database knows no run (a started run's lookup answers 0 at once). */
    private WorkflowBufferManager manager() {
        return manager(r -> 0, ManualExecutor.DIRECT);
    }

    private List<LogEntry> delivered() {
        List<LogEntry> all = new ArrayList<>();
        synchronized (out) {
            for (List<LogEntry> b : out) all.addAll(b);
        }
        return all;
    }

    private List<Integer> batchSizes() {
        synchronized (out) {
            return out.stream().map(List::size).toList();
        }
    }

    private static List<Long> seqs(List<LogEntry> es) {
        return es.stream().map(LogEntry::seq).toList();
    }

    private static List<Long> range(long from, long to) {
        List<Long> r = new ArrayList<>();
        for (long i = from; i <= to; i++) r.add(i);
        return r;
    }

    @Test
    void seqIsGapFreePerRunAndIndependentAcrossRuns() {
        WorkflowBufferManager m = manager();
        UUID run2 = UUID.randomUUID();
        m.start(wf, run);
        m.start(wf, run2);
        for (int i = 1; i <= 10; i++) {
            m.append(Entries.info(wf, run, "a" + i));
            m.append(Entries.info(wf, run2, "b" + i));
        }
        m.flushAll();
        Map<UUID, List<LogEntry>> byRun = new HashMap<>();
        for (List<LogEntry> b : out) {
            assertEquals(1, b.stream().map(LogEntry::runId).distinct().count(), "a batch holds one run");
            for (LogEntry e : b) byRun.computeIfAbsent(e.runId(), k -> new ArrayList<>()).add(e);
        }
        assertEquals(range(1, 10), seqs(byRun.get(run)));
        assertEquals(range(1, 10), seqs(byRun.get(run2)));
        for (LogEntry e : byRun.get(run)) assertEquals("a" + e.seq(), e.message(), "seq follows append order");
        assertEquals(Optional.of(10L), m.lastSeq(run));
        assertEquals(2, lookups.get(), "one lookup per started run (new here: the database might know it)");
    }

    @Test
    void flushBySizeDoublesTheTargetUpToMax() {
        WorkflowBufferManager m = manager();
        m.start(wf, run);
        assertEquals(Optional.of(4), m.targetBatch(run));
        for (int i = 0; i < 3; i++) m.append(Entries.info(wf, run, "x"));
        assertEquals(List.of(), batchSizes());
        m.append(Entries.info(wf, run, "x"));
        assertEquals(List.of(4), batchSizes());
        assertEquals(Optional.of(8), m.targetBatch(run));
        assertEquals(0, clock.pendingTasks(), "a size flush cancels the timer");
        for (int i = 0; i < 8 + 16 + 16; i++) m.append(Entries.info(wf, run, "x"));
        assertEquals(List.of(4, 8, 16, 16), batchSizes());
        assertEquals(Optional.of(16), m.targetBatch(run), "capped at max-batch-size");
        assertEquals(range(1, 44), seqs(delivered()));
        assertEquals(4, m.flushedBatches());
    }

    @Test
    void flushByMaxDelayAndShrinkOnSparseTimerFlushes() {
        WorkflowBufferManager m = manager();
        m.start(wf, run);
        // grow to 16 first
        for (int i = 0; i < 4 + 8; i++) m.append(Entries.info(wf, run, "x"));
        assertEquals(Optional.of(16), m.targetBatch(run));
        out.clear();
        m.append(Entries.info(wf, run, "x"));
        assertEquals(1, clock.pendingTasks(), "one timer for the pending batch");
        clock.advance(50);
        m.append(Entries.info(wf, run, "x"));
        assertEquals(1, clock.pendingTasks(), "still one timer");
        clock.advance(49);
        assertEquals(List.of(), batchSizes());
        clock.advance(1); // 100 ms after the first entry of the batch
        assertEquals(List.of(2), batchSizes());
        assertEquals(Optional.of(8), m.targetBatch(run), "2 < 16/2: halved");
        int[] expected = {4, 2, 2};
        for (int want : expected) {
            m.append(Entries.info(wf, run, "x"));
            clock.advance(100);
            assertEquals(Optional.of(want), m.targetBatch(run));
        }
        assertEquals(0, clock.pendingTasks());
        assertEquals(range(13, 17), seqs(delivered()));
    }

    @Test
    void timerFlushOfAHalfFullBatchKeepsTheTarget() {
        WorkflowBufferManager m = manager();
        m.start(wf, run);
        m.append(Entries.info(wf, run, "x"));
        m.append(Entries.info(wf, run, "x"));
        clock.advance(100);
        assertEquals(List.of(2), batchSizes());
        assertEquals(Optional.of(4), m.targetBatch(run), "2 is not less than 4/2");
    }

    @Test
    void errorFlushesAtOnce() {
        WorkflowBufferManager m = manager();
        m.start(wf, run);
        m.append(Entries.info(wf, run, "x"));
        m.append(Entries.entry(wf, run, LogLevel.WARN, "w"));
        assertEquals(List.of(), batchSizes(), "WARN waits");
        m.append(Entries.entry(wf, run, LogLevel.ERROR, "boom"));
        assertEquals(List.of(3), batchSizes());
        assertEquals(0, clock.pendingTasks(), "the timer is cancelled");
        clock.advance(1000);
        assertEquals(List.of(3), batchSizes());
    }

    @Test
    void completeFlushesReleasesAndALaterEntryContinuesTheSeq() {
        WorkflowBufferManager m = manager();
        m.start(wf, run);
        for (int i = 0; i < 3; i++) m.append(Entries.info(wf, run, "x"));
        assertEquals(3L, complete(m, run, RunOutcome.SUCCEEDED));
        assertEquals(List.of(3), batchSizes());
        assertFalse(m.isActive(run));
        assertEquals(0, m.activeRuns());
        assertEquals(1, m.releasedRuns());
        assertEquals(0, clock.pendingTasks(), "no timer left behind");
        assertEquals(3L, complete(m, run, RunOutcome.SUCCEEDED), "completing twice answers from the tombstone");
        assertEquals(Optional.of(3L), m.lastSeq(run));
        m.append(Entries.info(wf, run, "late"));
        m.flushAll();
        assertEquals(range(1, 4), seqs(delivered()));
        assertEquals(1, lookups.get(), "the start asked once; then the tombstone answered, no lookup");
        assertEquals(0L, complete(m, UUID.randomUUID(), RunOutcome.FAILED));
    }

    @Test
    void startAfterCompleteContinuesTheSeq() {
        WorkflowBufferManager m = manager();
        m.start(wf, run);
        m.append(Entries.info(wf, run, "x"));
        complete(m, run, RunOutcome.CANCELLED);
        m.start(wf, run);
        m.append(Entries.info(wf, run, "y"));
        m.flushAll();
        assertEquals(List.of(1L, 2L), seqs(delivered()));
    }

    @Test
    void idleRunsAreReleasedAndTombstonesExpire() {
        WorkflowBufferManager m = manager(r -> 0, ManualExecutor.DIRECT);
        m.start();
        m.start(wf, run);
        m.append(Entries.info(wf, run, "x"));
        clock.advance(100);
        assertEquals(List.of(1), batchSizes(), "timer flush");
        assertTrue(m.isActive(run));
        clock.advance(899); // 999 ms idle
        assertTrue(m.isActive(run));
        clock.advance(250); // the next sweep sees >= 1000 ms idle
        assertFalse(m.isActive(run));
        assertEquals(1, m.releasedRuns());
        assertEquals(Optional.of(1L), m.lastSeq(run), "tombstone");
        clock.advance(1250);
        assertEquals(Optional.empty(), m.lastSeq(run), "tombstone expired");
        assertEquals(1, clock.pendingTasks(), "only the sweeper is scheduled");
        m.stop();
        assertEquals(0, clock.pendingTasks());
        // after expiry the run is unknown: its seq comes from the lookup (the start asked once before)
        m.append(Entries.info(wf, run, "again"));
        assertEquals(2, lookups.get());
    }

    @Test
    void idleSweepFlushesPendingEntriesBeforeReleasing() {
        // max-delay longer than the idle period: the sweep finds the batch still pending
        WorkflowBufferManager m = new WorkflowBufferManager(TestSettings.of(MAX_DELAY_MS, "5000",
                CLEANUP_IDLE_AFTER_MS, "1000"), b -> out.add(b.entries()), clock, r -> 0, ManualExecutor.DIRECT);
        m.start(wf, run);
        m.append(Entries.info(wf, run, "x"));
        clock.advance(999);
        m.sweepIdle();
        assertTrue(m.isActive(run));
        clock.advance(1);
        m.sweepIdle();
        assertFalse(m.isActive(run));
        assertEquals(List.of(1L), seqs(delivered()));
        assertEquals(0, clock.pendingTasks(), "its flush timer is cancelled");
    }

    @Test
    void activeRunIsNotReleasedWhileEntriesKeepComing() {
        WorkflowBufferManager m = manager();
        m.start();
        m.start(wf, run);
        for (int i = 0; i < 30; i++) {
            m.append(Entries.info(wf, run, "x"));
            clock.advance(200);
        }
        assertTrue(m.isActive(run));
        assertEquals(0, m.releasedRuns());
        m.stop();
    }

    @Test
    void unknownRunParksEntriesUntilTheLookupAnswers() {
        ManualExecutor lookupExecutor = new ManualExecutor();
        WorkflowBufferManager m = manager(r -> 41, lookupExecutor);
        for (int i = 1; i <= 3; i++) m.append(Entries.info(wf, run, "p" + i));
        assertEquals(List.of(), batchSizes());
        assertEquals(Optional.empty(), m.lastSeq(run), "unknown while recovering");
        assertEquals(3, m.bufferedEntries());
        assertEquals(1, lookupExecutor.queued(), "one lookup for the run, not one per entry");
        lookupExecutor.runAll();
        assertEquals(Optional.of(44L), m.lastSeq(run));
        m.append(Entries.info(wf, run, "p4"));
        m.append(Entries.info(wf, run, "p5")); // fills the batch of 4 ... then 1 pending
        m.flushAll();
        List<LogEntry> all = delivered();
        assertEquals(range(42, 46), seqs(all));
        for (int i = 0; i < 5; i++) assertEquals("p" + (i + 1), all.get(i).message(), "arrival order kept");
        assertEquals(1, lookups.get());
    }

    /**
     * A burst of new runs parks their first entries while each run's last seq is looked up; sampled ones among
     * them are followed once sequenced (they used to be skipped, and a CI run of MetricsIT saw under 100 of
     * ~1,560 expected end-to-end samples for 100 new runs).
     */
    @Test
    void sampledEntriesParkedDuringTheLookupAreFollowedEndToEnd() {
        ManualExecutor lookupExecutor = new ManualExecutor();
        RecordingObserver observer = new RecordingObserver(1);
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong(1_000);
        EndToEndTracker tracker = new EndToEndTracker(observer, nanos::get);
        WorkflowBufferManager m = new WorkflowBufferManager(SETTINGS, b -> {
            out.add(b.entries());
            tracker.durable(b.entries());
        }, clock, r -> 41, lookupExecutor, observer, tracker, null, BufferListener.NONE);
        long t0 = nanos.get();
        m.append(Entries.info(wf, run, "p1"), t0);
        m.append(Entries.info(wf, run, "p2"), 0L);
        m.append(Entries.info(wf, run, "p3"), t0);
        assertEquals(0, tracker.pendingSamples(), "parked: not sequenced yet");
        nanos.addAndGet(40_000_000L);
        lookupExecutor.runAll();
        assertEquals(2, tracker.pendingSamples(), "both sampled entries registered with their seqs once sequenced");
        m.flushAll();
        assertEquals(range(42, 44), seqs(delivered()));
        assertEquals(0, tracker.pendingSamples());
        assertEquals(List.of(40_000_000L, 40_000_000L), observer.endToEndNanos, "each measured from its own route()");
    }

    @Test
    void completeOfARecoveringRunDoesNotLoseItsEntries() {
        ManualExecutor lookupExecutor = new ManualExecutor();
        WorkflowBufferManager m = manager(r -> 7, lookupExecutor);
        m.append(Entries.info(wf, run, "p1"));
        complete(m, run, RunOutcome.SUCCEEDED);
        lookupExecutor.runAll();
        m.flushAll();
        assertEquals(List.of(8L), seqs(delivered()));
    }

    @Test
    void failingLookupIsRetriedAfterBackoffWithEntriesStillInOrder() {
        AtomicInteger failuresLeft = new AtomicInteger(2);
        WorkflowBufferManager m = manager(r -> {
            if (failuresLeft.getAndDecrement() > 0) throw new java.sql.SQLException("database down");
            return 10;
        }, ManualExecutor.DIRECT);
        m.append(Entries.info(wf, run, "p1"));
        assertEquals(1, lookups.get());
        assertEquals(1, clock.pendingTasks(), "one retry scheduled");
        long firstDelay = clock.pendingDelays().get(0);
        assertTrue(firstDelay >= 50 && firstDelay <= 100, "attempt 1 backoff " + firstDelay);
        m.append(Entries.info(wf, run, "p2"));
        m.append(Entries.info(wf, run, "p3"));
        clock.advance(firstDelay - 1);
        assertEquals(1, lookups.get(), "not before the backoff");
        clock.advance(1);
        assertEquals(2, lookups.get());
        long secondDelay = clock.pendingDelays().get(0);
        assertTrue(secondDelay >= 100 && secondDelay <= 200, "attempt 2 backoff " + secondDelay);
        assertEquals(List.of(), batchSizes());
        assertEquals(3, m.bufferedEntries());
        clock.advance(secondDelay);
        assertEquals(3, lookups.get());
        assertEquals(Optional.of(13L), m.lastSeq(run));
        m.flushAll();
        List<LogEntry> all = delivered();
        assertEquals(List.of(11L, 12L, 13L), seqs(all));
        assertEquals(List.of("p1", "p2", "p3"), all.stream().map(LogEntry::message).toList());
    }

    @Test
    void aStartedRunAsksTheDatabaseSoARestartAfterItsTombstoneExpiredContinuesItsSeq() {
        ManualExecutor lookupExecutor = new ManualExecutor();
        WorkflowBufferManager m = manager(r -> 41, lookupExecutor);
        m.start(wf, run);
        m.append(Entries.info(wf, run, "p1"));
        m.append(Entries.info(wf, run, "p2"));
        assertEquals(List.of(), batchSizes(), "parked until the database answers");
        lookupExecutor.runAll();
        m.flushAll();
        assertEquals(List.of(42L, 43L), seqs(delivered()), "continued, never 1 again");
        assertEquals(0, m.lateStartConflicts());
    }

    @Test
    void aStartedRunTheDatabaseDoesNotAnswerForIsTakenForNewAfterTheBatchTimeout() {
        ManualExecutor hung = new ManualExecutor(); // the lookup never runs: a stopped or frozen database
        LoggingSettings s = TestSettings.of(BATCH_TIMEOUT_MS, "5000", RETRY_BACKOFF_MS, "100", RETRY_MAX_BACKOFF_MS, "1000");
        WorkflowBufferManager m = new WorkflowBufferManager(s, b -> out.add(b.entries()), clock, r -> 7, hung);
        m.start(wf, run);
        m.append(Entries.info(wf, run, "p1"));
        clock.advance(4999);
        assertEquals(Optional.empty(), m.lastSeq(run), "still waiting for the database");
        clock.advance(1);
        assertEquals(Optional.of(1L), m.lastSeq(run), "taken for new: numbered from 1");
        m.append(Entries.info(wf, run, "p2"));
        m.flushAll();
        assertEquals(List.of(1L, 2L), seqs(delivered()));
        assertEquals(List.of("p1", "p2"), delivered().stream().map(LogEntry::message).toList());
        // the database answers late: the run had entries already, which is counted, and nothing changes
        hung.runAll();
        assertEquals(1, m.lateStartConflicts());
        assertEquals(Optional.of(2L), m.lastSeq(run));
    }

    @Test
    void aStartedRunWhoseLookupFailsIsRetriedUntilTheTimeoutThenTakenForNew() {
        WorkflowBufferManager m = manager(r -> {
            throw new java.sql.SQLException("database down");
        }, ManualExecutor.DIRECT);
        m.start(wf, run);
        m.append(Entries.info(wf, run, "p1"));
        clock.advance(LoggingSettings.defaults().batchTimeoutMs());
        assertEquals(Optional.of(1L), m.lastSeq(run));
        int asked = lookups.get();
        clock.advance(60_000);
        assertEquals(asked, lookups.get(), "no more retries once taken for new");
        assertEquals(0, m.lateStartConflicts());
    }

    @Test
    void recentReturnsThePendingBatchOfAnUnwatchedRunAndTheBoundedRingOfAWatchedOne() {
        WorkflowBufferManager m = manager();
        m.start(wf, run);
        for (int i = 0; i < 6; i++) m.append(Entries.info(wf, run, "x")); // 1-4 handed downstream, 5-6 pending
        assertEquals(List.of(5L, 6L), seqs(m.recent(run, 0)), "nobody watches the run: its pending batch, no ring");
        assertEquals(List.of(6L), seqs(m.recent(run, 5)));
        WorkflowBufferManager.MemorySnapshot first = m.snapshot(run, 0);
        assertEquals(List.of(5L, 6L), seqs(first.inMemory()));
        assertEquals(5, first.firstInMemory(), "seqs 1-4 are the sinks' to serve");
        m.flushAll();
        assertEquals(List.of(), m.recent(run, 0), "flushed, and the ring starts after the first look");
        for (int i = 0; i < 8; i++) m.append(Entries.info(wf, run, "x"));
        m.flushAll();
        assertEquals(List.of(10L, 11L, 12L, 13L, 14L), seqs(m.recent(run, 0)), "ring-buffer-size 5, since the run was watched");
        assertEquals(List.of(13L, 14L), seqs(m.recent(run, 12)));
        assertEquals(List.of(), m.recent(run, 14));
        assertEquals(10, m.snapshot(run, 0).firstInMemory());
        assertEquals(List.of(), m.recent(UUID.randomUUID(), 0));
        complete(m, run, RunOutcome.SUCCEEDED);
        assertEquals(List.of(), m.recent(run, 0), "not active any more");
    }

    @Test
    void aRunWatchedBeforeItStartsKeepsItsRingFromTheFirstEntry() {
        UUID other = UUID.randomUUID();
        BufferListener watchesRun = new BufferListener() {
            @Override
            public boolean watches(UUID runId) {
                return runId.equals(run);
            }
        };
        WorkflowBufferManager m = new WorkflowBufferManager(TestSettings.of(RING_BUFFER_SIZE, "5"), b -> out.add(b.entries()), clock,
                r -> 0, ManualExecutor.DIRECT, watchesRun);
        m.start(wf, run);
        m.start(wf, other);
        for (int i = 0; i < 3; i++) {
            m.append(Entries.info(wf, run, "x"));
            m.append(Entries.info(wf, other, "x"));
        }
        m.flushAll();
        assertEquals(List.of(1L, 2L, 3L), seqs(m.recent(run, 0)));
        assertEquals(List.of(), m.recent(other, 0));
    }

    @Test
    void ringSizeZeroKeepsNothing() {
        WorkflowBufferManager m = new WorkflowBufferManager(TestSettings.of(RING_BUFFER_SIZE, "0"), b -> out.add(b.entries()), clock,
                r -> 0, ManualExecutor.DIRECT);
        m.start(wf, run);
        m.snapshot(run, 0);
        m.append(Entries.info(wf, run, "x"));
        m.flushAll();
        assertEquals(List.of(), m.recent(run, 0));
    }

    @Test
    void tenThousandRunsHoldOneTaskEachAndNoThreads() {
        WorkflowBufferManager m = manager();
        int runs = 10_000;
        List<UUID> ids = new ArrayList<>(runs);
        int threadsBefore = Thread.activeCount();
        for (int i = 0; i < runs; i++) {
            UUID r = UUID.randomUUID();
            ids.add(r);
            m.start(wf, r);
            m.append(Entries.info(wf, r, "a"));
        }
        for (UUID r : ids) m.append(Entries.info(wf, r, "b"));
        assertEquals(runs, clock.pendingTasks(), "one timer per run with a pending batch");
        assertEquals(runs, m.activeRuns());
        assertEquals(2L * runs, m.bufferedEntries());
        assertTrue(Thread.activeCount() <= threadsBefore, "threads grew: " + threadsBefore + " -> " + Thread.activeCount());
        clock.advance(100);
        assertEquals(0, clock.pendingTasks());
        assertEquals(runs, out.size());
        assertEquals(0, m.bufferedEntries());
    }

    /** Completes a run and returns the last seq handed to the callback (-1 when it was not called). */
    private static long complete(WorkflowBufferManager m, UUID run, RunOutcome outcome) {
        long[] last = {-1};
        m.complete(run, outcome, v -> last[0] = v);
        return last[0];
    }

    @Test
    void aBatchCountsTheEntriesTheJournalCouldNotHold(@TempDir Path dir) throws Exception {
        Path blocked = dir.resolve("journal");
        Files.writeString(blocked, "a file where the directory should be");
        Journal journal = JournalFixtures.journal(JournalFixtures.settings(blocked, JournalFixtures.SMALL_SEGMENT, JournalFixtures.ROOMY,
                FsyncPolicy.INTERVAL), clock, "kafka");
        journal.recover((e, s) -> { }); // unavailable: it refuses every append
        List<SinkBatch> batches = new ArrayList<>();
        WorkflowBufferManager m = new WorkflowBufferManager(SETTINGS, batches::add, clock, r -> 0, ManualExecutor.DIRECT,
                PipelineObserver.NONE, null, journal, BufferListener.NONE);
        m.start(wf, run);
        for (int i = 0; i < 3; i++) m.append(Entries.info(wf, run, "x" + i));
        m.flushAll();
        for (int i = 0; i < 2; i++) m.append(Entries.info(wf, run, "y" + i));
        m.flushAll();
        assertEquals(List.of(3, 2), batches.stream().map(SinkBatch::unjournaled).toList(), "each batch counts its own");
        journal.close();
    }
}
