package org.phong.zenflow.logging.stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.phong.zenflow.logging.config.LoggingSettings.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.config.ConfigReader;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.config.StreamSettings;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.ManualExecutor;
import org.phong.zenflow.logging.testing.ManualScheduler;
import org.phong.zenflow.logging.testing.TestSettings;

/**
 * The seam (history then live, no gap, no duplicate) on a real {@link WorkflowBufferManager} with a
 * manual clock: ring of 5, batches of 4; "the database" holds what a test has persisted of the
 * batches handed downstream.
 */
class StreamHubTest {
    private static final LoggingSettings SETTINGS = TestSettings.of(DEFAULT_BATCH_SIZE, "4", MIN_BATCH_SIZE, "4",
            MAX_BATCH_SIZE, "4", MAX_DELAY_MS, "100000", RING_BUFFER_SIZE, "5", CLEANUP_IDLE_AFTER_MS, "1000000");

    private final ManualScheduler clock = new ManualScheduler();
    private final ManualExecutor exec = new ManualExecutor();
    private final List<LogEntry> downstream = Collections.synchronizedList(new ArrayList<>());
    private final List<LogEntry> db = Collections.synchronizedList(new ArrayList<>());
    private final UUID wf = UUID.randomUUID();
    private final UUID run = UUID.randomUUID();
    private StreamHub hub;
    private WorkflowBufferManager buffers;

    private void build(StreamSettings s) {
        hub = new StreamHub(s, clock, exec, (runId, after, limit) -> {
            List<LogEntry> out = new ArrayList<>();
            synchronized (db) {
                for (LogEntry e : db) if (e.runId().equals(runId) && e.seq() > after && out.size() < limit) out.add(e);
            }
            return out;
        });
        buffers = new WorkflowBufferManager(SETTINGS, downstream::addAll, clock, r -> 0, ManualExecutor.DIRECT, hub);
        hub.attach(buffers);
    }

    private void build() {
        build(settings(StreamSettings.SESSION_QUEUE_FRAMES, "1000", StreamSettings.HISTORY_PAGE_SIZE, "3"));
    }

    private static StreamSettings settings(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
        return StreamSettings.from(ConfigReader.overProperties(p));
    }

    private void append(int n, LogLevel level) {
        for (int i = 0; i < n; i++) buffers.append(Entries.entry(wf, run, level, "m"));
    }

    private void persistAll() {
        synchronized (downstream) {
            db.addAll(downstream);
            downstream.clear();
        }
    }

    /** Records frames; sends complete at once unless stalled. */
    static final class Recorder implements Outbound {
        final List<Frame> frames = Collections.synchronizedList(new ArrayList<>());
        volatile boolean stalled;
        volatile int closeCode = -1;
        volatile String closeReason;
        volatile int pings;

        @Override
        public void send(Frame frame, Consumer<Throwable> done) {
            if (stalled) return; // never completes: a peer that does not read
            frames.add(frame);
            done.accept(null);
        }

        @Override
        public void ping() { pings++; }

        @Override
        public void close(int code, String reason) {
            closeCode = code;
            closeReason = reason;
        }

        List<Long> seqs() {
            List<Long> out = new ArrayList<>();
            synchronized (frames) {
                for (Frame f : frames) if (f instanceof Frame.Log l) out.add(l.entry().seq());
            }
            return out;
        }

        String types() {
            StringBuilder b = new StringBuilder();
            synchronized (frames) {
                for (Frame f : frames) b.append(f instanceof Frame.Log l ? "L" + l.entry().seq() : f instanceof Frame.CaughtUp c ? "C" + c.seq() : "E").append(' ');
            }
            return b.toString().trim();
        }
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) out.add(i);
        return out;
    }

    @Test
    void historyFromRingThenLive() {
        build();
        buffers.start(wf, run);
        append(3, LogLevel.INFO);
        Recorder r = new Recorder();
        hub.subscribe(run, 1, null, r);
        append(2, LogLevel.INFO);
        exec.runAll();
        assertEquals("L2 L3 C3 L4 L5", r.types());
    }

    @Test
    void seamPastTheRingWaitsForEntriesOnTheirWayToTheDatabase() {
        build();
        buffers.start(wf, run);
        append(12, LogLevel.INFO); // batches 1-4, 5-8 downstream, ring holds 8..12
        synchronized (downstream) {
            db.addAll(downstream.subList(0, 4)); // 5..8 still on their way
        }
        Recorder r = new Recorder();
        hub.subscribe(run, 0, null, r);
        exec.runAll();
        assertEquals("L1 L2 L3 L4", r.types(), "stops at the hole, does not skip to the ring");
        append(1, LogLevel.INFO); // live 13 queued meanwhile
        persistAll();
        clock.advance(1000);
        exec.runAll();
        assertEquals(range(1, 13), r.seqs());
        assertTrue(r.types().contains("L12 C12 L13"), r.types());
    }

    @Test
    void historyThatNeverArrivesClosesTryAgainLaterWithTheResumePoint() {
        build(settings(StreamSettings.HISTORY_WAIT_MS, "1000", StreamSettings.HISTORY_PAGE_SIZE, "3"));
        buffers.start(wf, run);
        append(12, LogLevel.INFO);
        Recorder r = new Recorder();
        hub.subscribe(run, 0, null, r);
        for (int i = 0; i < 20; i++) {
            clock.advance(100);
            exec.runAll();
        }
        assertEquals(Outbound.TRY_AGAIN_LATER, r.closeCode);
        assertTrue(r.closeReason.contains("afterSeq=0"), r.closeReason);
        assertEquals(1, hub.historyTimeouts());
        assertEquals(0, hub.openSessions());
    }

    @Test
    void aReleasedRunIsReadFromTheDatabaseAndEnds() {
        build();
        buffers.start(wf, run);
        append(7, LogLevel.INFO);
        buffers.complete(run, RunOutcome.FAILED, last -> { });
        persistAll();
        Recorder r = new Recorder();
        hub.subscribe(run, 2, null, r);
        exec.runAll();
        assertEquals("L3 L4 L5 L6 L7 C7 E", r.types());
        assertEquals(Outbound.NORMAL, r.closeCode);
        assertEquals("{\"type\":\"run-ended\",\"lastSeq\":7,\"outcome\":\"FAILED\"}", r.frames.get(6).text());
    }

    @Test
    void liveRunEndEndsTheSession() {
        build();
        buffers.start(wf, run);
        Recorder r = new Recorder();
        hub.subscribe(run, 0, null, r);
        exec.runAll();
        append(2, LogLevel.INFO);
        buffers.complete(run, RunOutcome.SUCCEEDED, last -> { });
        exec.runAll();
        assertEquals("C0 L1 L2 E", r.types());
        assertEquals(Outbound.NORMAL, r.closeCode);
        assertEquals(1, hub.recentRuns().size());
        assertEquals(2, hub.recentRuns().get(0).entries());
    }

    @Test
    void minLevelFiltersHistoryAndLiveButCaughtUpCoversEverything() {
        build();
        buffers.start(wf, run);
        append(2, LogLevel.DEBUG);
        append(1, LogLevel.ERROR);
        Recorder r = new Recorder();
        hub.subscribe(run, 0, LogLevel.WARN, r);
        append(1, LogLevel.INFO);
        append(1, LogLevel.WARN);
        exec.runAll();
        assertEquals("L3 C3 L5", r.types());
        RunInfo info = hub.activeRuns().get(0);
        assertEquals(5, info.entries());
        assertEquals(1, info.errors());
        assertEquals(1, info.warnings());
    }

    @Test
    void aClientThatDoesNotReadIsClosed1013AndTheRouterNeverWaits() {
        build(settings(StreamSettings.SESSION_QUEUE_FRAMES, "10"));
        buffers.start(wf, run);
        Recorder r = new Recorder();
        hub.subscribe(run, 0, null, r);
        exec.runAll(); // caught-up 0 sent
        r.stalled = true;
        append(1, LogLevel.INFO);
        exec.runAll(); // frame 1 in an endless send
        append(50, LogLevel.INFO); // the queue of 10 overflows: no blocking here
        exec.runAll();
        assertEquals(Outbound.TRY_AGAIN_LATER, r.closeCode);
        assertTrue(r.closeReason.contains("reconnect with afterSeq=1"), r.closeReason);
        assertEquals(1, hub.closedSlow());
        assertEquals(0, hub.watchedRuns());
        Recorder other = new Recorder();
        hub.subscribe(run, 1, null, other); // resume: 2..51 from ring + db
        persistAll();
        clock.advance(1000);
        exec.runAll();
        assertEquals(range(2, 51), other.seqs());
    }

    @Test
    void silentPeersAreClosedByThePinger() {
        build(settings(StreamSettings.PING_INTERVAL_MS, "100", StreamSettings.PONG_TIMEOUT_MS, "250"));
        buffers.start(wf, run);
        Recorder quiet = new Recorder();
        Recorder alive = new Recorder();
        hub.subscribe(run, 0, null, quiet);
        Subscription a = hub.subscribe(run, 0, null, alive);
        for (int i = 0; i < 3; i++) {
            clock.advance(100);
            exec.runAll();
            a.heard();
        }
        assertEquals(Outbound.GOING_AWAY, quiet.closeCode);
        assertEquals(-1, alive.closeCode);
        assertTrue(alive.pings >= 2);
        assertEquals(1, hub.closedDead());
    }

    /** Real threads: a writer appends while readers subscribe at random points with random afterSeq. */
    @Test
    void concurrentSubscribersGetExactlyTheSequence() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            hub = new StreamHub(settings(StreamSettings.SESSION_QUEUE_FRAMES, "100000", StreamSettings.HISTORY_PAGE_SIZE, "50"),
                    clock, pool, (runId, after, limit) -> {
                        List<LogEntry> out = new ArrayList<>();
                        synchronized (db) {
                            for (LogEntry e : db) if (e.seq() > after && out.size() < limit) out.add(e);
                        }
                        return out;
                    });
            // Downstream is "written" at once, so the database is only ever behind by the batch in hand.
            buffers = new WorkflowBufferManager(SETTINGS, db::addAll, clock, r -> 0, ManualExecutor.DIRECT, hub);
            hub.attach(buffers);
            buffers.start(wf, run);
            int total = 20_000;
            Thread writer = new Thread(() -> append(total, LogLevel.INFO));
            List<Recorder> recs = new ArrayList<>();
            List<Long> afters = new ArrayList<>();
            writer.start();
            for (int i = 0; i < 20; i++) {
                Recorder r = new Recorder();
                long after = ThreadLocalRandom.current().nextLong(0, 50);
                recs.add(r);
                afters.add(after);
                hub.subscribe(run, after, null, r);
                Thread.sleep(1);
            }
            writer.join(60_000);
            org.junit.jupiter.api.Assertions.assertFalse(writer.isAlive(), "the writer finished within 60 s");
            buffers.complete(run, RunOutcome.SUCCEEDED, last -> { });
            for (int i = 0; i < recs.size(); i++) {
                Recorder r = recs.get(i);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (r.closeCode == -1 && System.nanoTime() < deadline) {
                    clock.advance(50); // history retries, if any
                    Thread.sleep(5);
                }
                assertEquals(Outbound.NORMAL, r.closeCode, "subscriber " + i);
                assertEquals(range(afters.get(i) + 1, total), r.seqs(), "subscriber " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void longPollAnswersAtOnceWaitsForTheNextEntryOrTimesOut() throws Exception {
        build();
        buffers.start(wf, run);
        append(3, LogLevel.INFO);
        var now = LongPoll.poll(hub, run, 1, 100, null, 5000);
        exec.runAll();
        assertEquals(List.of(2L, 3L), now.get().entries().stream().map(LogEntry::seq).toList());
        assertEquals(3, now.get().nextAfterSeq());

        var waiting = LongPoll.poll(hub, run, 3, 100, null, 5000);
        exec.runAll();
        assertFalse(waiting.isDone(), "nothing after 3: waits");
        append(1, LogLevel.INFO);
        exec.runAll();
        assertEquals(List.of(4L), waiting.get().entries().stream().map(LogEntry::seq).toList());

        var timesOut = LongPoll.poll(hub, run, 4, 100, null, 5000);
        exec.runAll();
        clock.advance(5000);
        assertTrue(timesOut.isDone());
        assertEquals(List.of(), timesOut.get().entries());
        assertEquals(4, timesOut.get().nextAfterSeq());

        var limited = LongPoll.poll(hub, run, 0, 2, null, 0);
        exec.runAll();
        assertEquals(List.of(1L, 2L), limited.get().entries().stream().map(LogEntry::seq).toList());
        exec.runAll();
        assertEquals(0, hub.openSessions(), "every poll left the hub");
    }

    @Test
    void aRunWhoseLastSeqIsBeingLookedUpContinuesFromTheDatabaseThenLive() {
        StreamSettings st = settings(StreamSettings.HISTORY_PAGE_SIZE, "3");
        ManualExecutor lookups = new ManualExecutor();
        hub = new StreamHub(st, clock, exec, (runId, after, limit) -> {
            List<LogEntry> out = new ArrayList<>();
            synchronized (db) {
                for (LogEntry e : db) if (e.seq() > after && out.size() < limit) out.add(e);
            }
            return out;
        });
        db.addAll(Entries.batch(wf, run, 1, 5)); // stored before a restart
        buffers = new WorkflowBufferManager(SETTINGS, downstream::addAll, clock, r -> 5, lookups, hub);
        hub.attach(buffers);
        append(2, LogLevel.INFO); // parked: the last seq is being looked up
        Recorder r = new Recorder();
        hub.subscribe(run, 3, null, r);
        exec.runAll();
        assertEquals("L4 L5 C5", r.types());
        lookups.runAll(); // the parked entries get 6 and 7, told to the hub in order
        append(1, LogLevel.INFO);
        exec.runAll();
        assertEquals("L4 L5 C5 L6 L7 L8", r.types());
    }

    @Test
    void settingsAreValidatedByName() {
        var e = assertThrows(org.phong.zenflow.logging.config.InvalidConfigurationException.class,
                () -> settings(StreamSettings.SESSION_QUEUE_FRAMES, "0"));
        assertTrue(e.getMessage().contains(StreamSettings.SESSION_QUEUE_FRAMES), e.getMessage());
        e = assertThrows(org.phong.zenflow.logging.config.InvalidConfigurationException.class,
                () -> settings(StreamSettings.PING_INTERVAL_MS, "1000", StreamSettings.PONG_TIMEOUT_MS, "1000"));
        assertTrue(e.getMessage().contains(StreamSettings.PONG_TIMEOUT_MS), e.getMessage());
        assertEquals(10000, StreamSettings.defaults().sessionQueueFrames());
    }

    @Test
    void closeReasonsFitTheProtocolLimit() {
        String longReason = "é".repeat(100);
        assertTrue(Subscription.truncate(longReason).getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 123);
    }
}
