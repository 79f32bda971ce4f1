package org.phong.zenflow.logging.collector;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;
import static org.phong.zenflow.logging.config.LoggingSettings.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.api.SinkBatch;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.testing.CollectingSink;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.ManualExecutor;
import org.phong.zenflow.logging.testing.ManualScheduler;
import org.phong.zenflow.logging.testing.TestSettings;

class GlobalLogCollectorTest {
    private static final LoggingSettings SETTINGS = TestSettings.of(RETRY_BACKOFF_MS, "100", RETRY_MAX_BACKOFF_MS, "1000",
            SINK_QUEUE_ENTRIES, "10");

    private final ManualScheduler clock = new ManualScheduler();
    private final List<List<LogEntry>> durable = Collections.synchronizedList(new ArrayList<>());
    private final UUID wf = UUID.randomUUID();
    private ExecutorService pool;

    @AfterEach
    void tearDown() {
        if (pool != null) pool.shutdownNow();
    }

    private GlobalLogCollector collector(java.util.concurrent.Executor executor, LogSink... sinks) {
        return new GlobalLogCollector(List.of(sinks), SETTINGS, executor, clock, durable::add);
    }

    private List<LogEntry> batch(UUID run, long from, int n) {
        return Entries.batch(wf, run, from, n);
    }

    /** A sink that records the unjournaled count of every batch it is handed (durable unless inline). */
    private static LogSink unjournaledCounter(String name, boolean inline, List<Integer> got) {
        return new LogSink() {
            @Override public void process(List<LogEntry> entries) { throw new AssertionError("the collector hands a SinkBatch"); }
            @Override public void process(SinkBatch batch) { got.add(batch.unjournaled()); }
            @Override public String name() { return name; }
            @Override public boolean isHealthy() { return true; }
            @Override public boolean isDurable() { return !inline; }
            @Override public boolean acceptsInline() { return inline; }
        };
    }

    private static SinkStatus status(GlobalLogCollector c, String name) {
        return c.status().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void everySinkGetsEveryBatchInOrder() {
        CollectingSink db = CollectingSink.durable("db");
        CollectingSink live = CollectingSink.bestEffort("live");
        GlobalLogCollector c = collector(ManualExecutor.DIRECT, db, live);
        UUID r1 = UUID.randomUUID();
        UUID r2 = UUID.randomUUID();
        List<List<LogEntry>> sent = List.of(batch(r1, 1, 3), batch(r2, 1, 2), batch(r1, 4, 1));
        for (List<LogEntry> b : sent) c.accept(SinkBatch.of(b));
        assertEquals(sent, db.batches());
        assertEquals(sent, live.batches());
        assertEquals(sent, durable, "durable once per batch, in order");
        c.accept(SinkBatch.of(List.of()));
        assertEquals(3, db.calls(), "an empty batch is not sent");
        SinkStatus s = status(c, "db");
        assertTrue(s.durable());
        assertTrue(s.healthy());
        assertEquals(6, s.written());
        assertEquals(0, s.backlog());
    }

    @Test
    void withoutDurableSinksTheListenerHearsAtOnce() {
        CollectingSink live = CollectingSink.bestEffort("live").block();
        GlobalLogCollector c = collector(new ManualExecutor(), live);
        List<LogEntry> b = batch(UUID.randomUUID(), 1, 2);
        c.accept(SinkBatch.of(b));
        assertEquals(List.of(b), durable);
        assertTrue(c.awaitDrained(0));
    }

    @Test
    void failingDurableSinkIsRetriedUntilItTakesEveryEntryExactlyOnceInOrder() {
        CollectingSink db = CollectingSink.durable("db").failNext(3);
        GlobalLogCollector c = collector(ManualExecutor.DIRECT, db);
        UUID run = UUID.randomUUID();
        List<LogEntry> b1 = batch(run, 1, 3);
        List<LogEntry> b2 = batch(run, 4, 2);
        c.accept(SinkBatch.of(b1));
        assertEquals(1, db.failures());
        assertEquals(1, clock.pendingTasks(), "a retry is scheduled");
        c.accept(SinkBatch.of(b2)); // queued behind the held batch; the retry owns the channel
        assertEquals(1, db.calls(), "no call while the retry is pending");
        assertEquals(List.of(), durable, "nothing durable before the sink took it");
        SinkStatus failing = status(c, "db");
        assertFalse(failing.healthy());
        assertEquals(1, failing.consecutiveFailures());
        assertEquals(5, failing.backlog());
        assertNotNull(failing.lastError());
        assertEquals(List.of(), durable);
        clock.advance(100); // attempt 2 (delay in [50,100])
        assertEquals(2, db.failures());
        assertEquals(List.of(), durable);
        clock.advance(10_000);
        assertEquals(3, db.failures());
        assertEquals(List.of(b1, b2), durable, "once per batch, in order, after success");
        List<LogEntry> all = new ArrayList<>(b1);
        all.addAll(b2);
        assertEquals(all, db.entries(), "every entry exactly once, in order");
        assertEquals(0, clock.pendingTasks());
        SinkStatus ok = status(c, "db");
        assertTrue(ok.healthy());
        assertEquals(0, ok.consecutiveFailures());
        assertEquals(3, ok.failures());
        assertEquals(5, ok.written());
        assertEquals(0, ok.dropped());
    }

    @Test
    void listenerWaitsForEveryDurableSink() {
        CollectingSink a = CollectingSink.durable("a");
        CollectingSink b = CollectingSink.durable("b").failNext(1);
        GlobalLogCollector c = collector(ManualExecutor.DIRECT, a, b);
        List<LogEntry> batch = batch(UUID.randomUUID(), 1, 2);
        c.accept(SinkBatch.of(batch));
        assertEquals(1, a.batches().size());
        assertEquals(List.of(), durable, "b has not taken it yet");
        clock.advance(1000);
        assertEquals(List.of(batch), durable);
        clock.advance(10_000);
        assertEquals(1, durable.size(), "fires once");
    }

    @Test
    void bestEffortFailureIsCountedNotRetried() {
        CollectingSink db = CollectingSink.durable("db");
        CollectingSink live = CollectingSink.bestEffort("live").failNext(1);
        GlobalLogCollector c = collector(ManualExecutor.DIRECT, db, live);
        c.accept(SinkBatch.of(batch(UUID.randomUUID(), 1, 2)));
        c.accept(SinkBatch.of(batch(UUID.randomUUID(), 1, 3)));
        assertEquals(0, clock.pendingTasks(), "no retry for a best-effort sink");
        assertEquals(1, live.batches().size());
        assertEquals(2, status(c, "live").dropped());
        assertEquals(0, status(c, "live").backlog());
        assertEquals(2, durable.size());
    }

    @Test
    void blockedBestEffortSinkDoesNotDelayADurableSink() throws Exception {
        pool = Executors.newCachedThreadPool();
        CollectingSink db = CollectingSink.durable("db");
        CollectingSink live = CollectingSink.bestEffort("live").block();
        GlobalLogCollector c = collector(pool, live, db);
        c.accept(SinkBatch.of(batch(UUID.randomUUID(), 1, 2)));
        assertTrue(live.awaitEntered(5000));
        c.accept(SinkBatch.of(batch(UUID.randomUUID(), 1, 3)));
        await().atMost(Duration.ofSeconds(5)).until(() -> db.entryCount() == 5);
        assertTrue(c.awaitDrained(5000), "drained means durable sinks only");
        assertEquals(2, durable.size());
        assertEquals(0, live.entryCount());
        live.unblock();
        await().atMost(Duration.ofSeconds(5)).until(() -> live.entryCount() == 5);
    }

    @Test
    void bestEffortOverflowIsDroppedAndCounted() throws Exception {
        pool = Executors.newCachedThreadPool();
        CollectingSink live = CollectingSink.bestEffort("live").block();
        GlobalLogCollector c = collector(pool, live);
        c.accept(SinkBatch.of(batch(UUID.randomUUID(), 1, 5))); // being written, still counted in the backlog
        assertTrue(live.awaitEntered(5000));
        c.accept(SinkBatch.of(batch(UUID.randomUUID(), 1, 5))); // backlog 10 = sink-queue-entries
        c.accept(SinkBatch.of(batch(UUID.randomUUID(), 1, 5))); // 15 > 10: dropped
        c.accept(SinkBatch.of(batch(UUID.randomUUID(), 1, 1))); // 11 > 10: dropped
        SinkStatus s = status(c, "live");
        assertEquals(6, s.dropped());
        assertEquals(10, s.backlog());
        live.unblock();
        await().atMost(Duration.ofSeconds(5)).until(() -> live.entryCount() == 10);
        await().atMost(Duration.ofSeconds(5)).until(() -> status(c, "live").backlog() == 0);
        assertEquals(6, status(c, "live").dropped());
    }

    @Test
    void anInlineSinkGetsEveryBatchAtOnceOnTheCallingThreadBeyondTheQueueBound() {
        List<List<LogEntry>> got = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        LogSink inline = new LogSink() {
            @Override public void process(List<LogEntry> entries) { got.add(entries); threads.add(Thread.currentThread()); }
            @Override public String name() { return "inline"; }
            @Override public boolean isHealthy() { return true; }
            @Override public boolean acceptsInline() { return true; }
        };
        ManualExecutor never = new ManualExecutor(); // its drains never run: an inline sink needs none
        GlobalLogCollector c = collector(never, inline);
        UUID run = UUID.randomUUID();
        for (int i = 0; i < 5; i++) c.accept(SinkBatch.of(batch(run, 1 + i * 5L, 5))); // 25 entries > sink-queue-entries (10)
        assertEquals(5, got.size(), "nothing queued, nothing dropped");
        assertEquals(1, got.get(0).get(0).seq());
        assertEquals(21, got.get(4).get(0).seq());
        assertTrue(threads.stream().allMatch(t -> t == Thread.currentThread()));
        SinkStatus s = status(c, "inline");
        assertEquals(0, s.dropped());
        assertEquals(25, s.written());
        assertEquals(0, s.backlog());
    }

    @Test
    void aSinkLearnsHowManyEntriesTheJournalCouldNotHoldSummedOverACoalescedCall() {
        ManualExecutor executor = new ManualExecutor();
        List<Integer> inline = new ArrayList<>();
        List<Integer> coalesced = new ArrayList<>();
        GlobalLogCollector c = collector(executor, unjournaledCounter("kafka", true, inline), unjournaledCounter("db", false, coalesced));
        UUID run = UUID.randomUUID();
        c.accept(new SinkBatch(batch(run, 1, 3), 2));
        c.accept(new SinkBatch(batch(run, 4, 3), 1));
        assertEquals(List.of(2, 1), inline, "an inline sink gets each batch as it comes");
        executor.runAll();
        assertEquals(List.of(3), coalesced, "one call for both batches, their counts summed");
    }

    @Test
    void durableOverflowIsNeverDropped() {
        CollectingSink db = CollectingSink.durable("db").failNext(1);
        GlobalLogCollector c = collector(ManualExecutor.DIRECT, db);
        for (int i = 0; i < 5; i++) c.accept(SinkBatch.of(batch(UUID.randomUUID(), 1, 5)));
        assertEquals(25, c.durableBacklog(), "sink-queue-entries does not bound durable sinks");
        clock.advance(1000);
        assertEquals(25, db.entryCount());
        assertEquals(0, status(c, "db").dropped());
        assertEquals(0, c.durableBacklog());
    }

    @Test
    void durableCoalescingRespectsMaxBatchEntries() {
        ManualExecutor executor = new ManualExecutor();
        CollectingSink db = new CollectingSink("db", true, 10);
        GlobalLogCollector c = collector(executor, db);
        UUID run = UUID.randomUUID();
        for (int i = 0; i < 5; i++) c.accept(SinkBatch.of(batch(run, 1 + 4L * i, 4)));
        assertEquals(1, executor.queued(), "one drain per channel");
        executor.runAll();
        assertEquals(List.of(8, 8, 4), db.batches().stream().map(List::size).toList());
        List<Long> seqs = db.entries().stream().map(LogEntry::seq).toList();
        for (int i = 0; i < 20; i++) assertEquals(i + 1, seqs.get(i));
        assertEquals(5, durable.size(), "one ack per original batch");
        c.accept(SinkBatch.of(batch(run, 21, 15)));
        executor.runAll();
        assertEquals(15, db.batches().get(3).size(), "a batch larger than the limit still goes in one call");
    }

    @Test
    void failedCoalescedCallIsRetriedWithTheSameRows() {
        ManualExecutor executor = new ManualExecutor();
        CollectingSink db = new CollectingSink("db", true, 10).failNext(1);
        GlobalLogCollector c = collector(executor, db);
        UUID run = UUID.randomUUID();
        for (int i = 0; i < 3; i++) c.accept(SinkBatch.of(batch(run, 1 + 3L * i, 3)));
        executor.runAll();
        assertEquals(1, db.failures());
        c.accept(SinkBatch.of(batch(run, 10, 3)));
        clock.advance(1000);
        executor.runAll();
        assertEquals(List.of(9, 3), db.batches().stream().map(List::size).toList());
        assertEquals(4, durable.size());
    }

    @Test
    void awaitDrained() throws Exception {
        pool = Executors.newCachedThreadPool();
        CollectingSink db = CollectingSink.durable("db").block();
        GlobalLogCollector c = collector(pool, db);
        assertTrue(c.awaitDrained(0), "nothing given");
        c.accept(SinkBatch.of(batch(UUID.randomUUID(), 1, 2)));
        assertTrue(db.awaitEntered(5000));
        assertFalse(c.awaitDrained(30));
        db.unblock();
        assertTrue(c.awaitDrained(5000));
        assertEquals(2, db.entryCount());
    }

    @Test
    void awaitDrainedIsFalseWhileADurableSinkKeepsFailing() {
        CollectingSink db = CollectingSink.durable("db").failAlways(true);
        GlobalLogCollector c = collector(ManualExecutor.DIRECT, db);
        c.accept(SinkBatch.of(batch(UUID.randomUUID(), 1, 2)));
        clock.advance(5000);
        assertFalse(c.awaitDrained(20));
        assertEquals(2, c.durableBacklog());
        db.failAlways(false);
        clock.advance(1000);
        assertTrue(c.awaitDrained(0));
        assertEquals(1, durable.size());
    }

    @Test
    void unhealthySinkIsReportedUnhealthy() {
        CollectingSink db = CollectingSink.durable("db");
        GlobalLogCollector c = collector(ManualExecutor.DIRECT, db);
        db.setHealthy(false);
        assertFalse(status(c, "db").healthy());
    }

    @Test
    void rejectedExecutionIsRetriedLater() throws Exception {
        ExecutorService dead = Executors.newSingleThreadExecutor();
        dead.shutdown();
        assertTrue(dead.awaitTermination(1, TimeUnit.SECONDS));
        CollectingSink db = CollectingSink.durable("db");
        GlobalLogCollector c = collector(dead, db);
        c.accept(SinkBatch.of(batch(UUID.randomUUID(), 1, 2)));
        assertEquals(1, clock.pendingTasks(), "the wake-up is rescheduled, not lost");
        assertEquals(0, db.calls());
    }
}
