package org.phong.zenflow.logging.stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;
import static org.phong.zenflow.logging.config.LoggingSettings.*;

import java.time.Duration;
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
import org.phong.zenflow.logging.api.LogFilter;
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
        buffers = new WorkflowBufferManager(SETTINGS, b -> downstream.addAll(b.entries()), clock, r -> 0, ManualExecutor.DIRECT, hub);
        hub.attach(buffers);
    }

    private void build() {
        build(settings(StreamSettings.HISTORY_PAGE_SIZE, "3"));
    }

    /** Test settings: pumps start at once (frame-linger-ms 0) unless a test says otherwise. */
    private static StreamSettings settings(String... kv) {
        Properties p = new Properties();
        p.setProperty(StreamSettings.FRAME_LINGER_MS, "0");
        for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
        return StreamSettings.from(ConfigReader.overProperties(p));
    }

    /** A viewer looked at the run before (it is watched): its ring holds the entries from here on. */
    private void watched() {
        buffers.snapshot(run, 0);
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
    static class Recorder implements Outbound {
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
                for (Frame f : frames) if (f instanceof Frame.Logs l) for (EncodedEntry e : l.entries()) out.add(e.seq());
            }
            return out;
        }

        /** H hello, L{seqs of one logs frame}, C{seq} caught-up, E run-ended. */
        String types() {
            StringBuilder b = new StringBuilder();
            synchronized (frames) {
                for (Frame f : frames) b.append(type(f)).append(' ');
            }
            return b.toString().trim();
        }

        long logFrames() {
            synchronized (frames) {
                return frames.stream().filter(f -> f instanceof Frame.Logs).count();
            }
        }
    }

    static String type(Frame f) {
        if (f instanceof Frame.Hello) return "H";
        if (f instanceof Frame.CaughtUp c) return "C" + c.seq();
        if (f instanceof Frame.RunEnded) return "E";
        Frame.Logs l = (Frame.Logs) f;
        StringBuilder b = new StringBuilder("L");
        for (int i = 0; i < l.entries().size(); i++) b.append(i == 0 ? "" : ",").append(l.entries().get(i).seq());
        return b.toString();
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
        watched();
        append(3, LogLevel.INFO);
        Recorder r = new Recorder();
        hub.subscribe(run, 1, null, r);
        append(2, LogLevel.INFO);
        exec.runAll();
        assertEquals("H L2,3 C3 L4,5", r.types(), "history as one frame, the live entries queued meanwhile as one");
    }

    @Test
    void theFirstLookAtARunNobodyWatchedReadsTheDatabaseAndThePendingBatchThenLaterOnesTheRing() {
        build();
        buffers.start(wf, run);
        append(6, LogLevel.INFO); // 1-4 downstream, 5-6 pending; no ring: nobody watches
        persistAll();             // 1-4 in the database
        Recorder first = new Recorder();
        hub.subscribe(run, 0, null, first);
        exec.runAll();
        assertEquals(range(1, 6), first.seqs(), "1-4 from the database, 5-6 from the pending batch");
        assertTrue(first.types().endsWith("C6"), first.types());
        append(3, LogLevel.INFO); // 7-9 live for the first session, and in the ring since it looked
        exec.runAll();
        assertEquals(range(1, 9), first.seqs());
        Recorder again = new Recorder(); // a reconnect: the entries since the first look are in the ring
        hub.subscribe(run, 6, null, again);
        exec.runAll();
        assertEquals("H L7,8,9 C9", again.types());
    }

    @Test
    void seamPastTheRingWaitsForEntriesOnTheirWayToTheDatabase() {
        build();
        buffers.start(wf, run);
        watched();
        append(12, LogLevel.INFO); // batches 1-4, 5-8 downstream, ring holds 8..12
        synchronized (downstream) {
            db.addAll(downstream.subList(0, 4)); // 5..8 still on their way
        }
        Recorder r = new Recorder();
        hub.subscribe(run, 0, null, r);
        exec.runAll();
        assertEquals("H L1,2,3 L4", r.types(), "stops at the hole, does not skip to the ring");
        append(1, LogLevel.INFO); // live 13 queued meanwhile
        persistAll();
        clock.advance(1000);
        exec.runAll();
        assertEquals(range(1, 13), r.seqs());
        assertTrue(r.types().endsWith("L5,6,7 L8,9,10,11,12 C12 L13"), r.types());
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
        assertEquals("H L3,4,5 L6,7 C7 E", r.types());
        assertEquals(Outbound.NORMAL, r.closeCode);
        assertEquals("{\"type\":\"hello\",\"protocol\":2}", r.frames.get(0).text());
        assertEquals("{\"type\":\"run-ended\",\"lastSeq\":7,\"outcome\":\"FAILED\"}", r.frames.get(4).text());
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
        assertEquals("H C0 L1,2 E", r.types());
        assertEquals(Outbound.NORMAL, r.closeCode);
        assertEquals(1, hub.recentRuns().size());
        assertEquals(2, hub.recentRuns().get(0).entries());
    }

    @Test
    void minLevelFiltersHistoryAndLiveButCaughtUpCoversEverything() {
        build();
        buffers.start(wf, run);
        watched();
        append(2, LogLevel.DEBUG);
        append(1, LogLevel.ERROR);
        Recorder r = new Recorder();
        hub.subscribe(run, 0, new LogFilter(LogLevel.WARN, null, null, null, null), r);
        append(1, LogLevel.INFO);
        append(1, LogLevel.WARN);
        exec.runAll();
        assertEquals("H L3 C3 L5", r.types());
        RunInfo info = hub.activeRuns().get(0);
        assertEquals(5, info.entries());
        assertEquals(1, info.errors());
        assertEquals(1, info.warnings());
    }

    @Test
    void aClientThatDoesNotReadIsClosed1013AndTheRouterNeverWaits() {
        build(settings(StreamSettings.SESSION_QUEUE_BYTES, "65536"));
        buffers.start(wf, run);
        Recorder r = new Recorder();
        hub.subscribe(run, 0, null, r);
        exec.runAll(); // hello, caught-up 0 sent
        r.stalled = true;
        append(1, LogLevel.INFO);
        exec.runAll(); // frame 1 in an endless send
        append(1000, LogLevel.INFO); // far past 64 KiB: the queue overflows, no blocking here
        exec.runAll();
        assertEquals(Outbound.TRY_AGAIN_LATER, r.closeCode);
        assertTrue(r.closeReason.contains("reconnect with afterSeq=1"), r.closeReason);
        assertTrue(r.closeReason.contains("bytes queued"), r.closeReason);
        assertEquals(1, hub.closedSlow());
        assertEquals(0, hub.watchedRuns());
        Recorder other = new Recorder();
        hub.subscribe(run, 1, null, other); // resume: 2..1001 from ring + db
        persistAll();
        clock.advance(1000);
        exec.runAll();
        assertEquals(range(2, 1001), other.seqs());
    }

    /** A send the test completes by hand: the peer reads only when told to. */
    static final class SlowPeer extends Recorder {
        final List<Consumer<Throwable>> held = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void send(Frame frame, Consumer<Throwable> done) {
            frames.add(frame);
            held.add(done);
        }

        /** Completes the oldest held send (the pump then sends what waited, as one frame). */
        void readOne() {
            held.remove(0).accept(null);
        }
    }

    @Test
    void aReaderThatFallsBehindCatchesUpInFewLargeFrames() {
        build();
        buffers.start(wf, run);
        SlowPeer p = new SlowPeer();
        hub.subscribe(run, 0, null, p);
        exec.runAll();
        p.readOne(); // hello
        exec.runAll();
        p.readOne(); // caught-up 0
        append(1, LogLevel.INFO);
        exec.runAll(); // L1 in flight, unread
        append(500, LogLevel.INFO); // all wait while the peer is busy
        exec.runAll();
        assertEquals("H C0 L1", p.types(), "one send in flight at a time");
        p.readOne();
        exec.runAll();
        append(3, LogLevel.INFO);
        exec.runAll();
        p.readOne();
        exec.runAll();
        assertEquals(3, p.logFrames(), "L1, then the 500 that waited, then the 3 that waited");
        assertEquals(range(1, 504), p.seqs(), "504 entries in 4 frames, exactly once each");
        assertTrue(p.types().endsWith("L502,503,504"), p.types());
        assertEquals(-1, p.closeCode, "a reader that keeps reading is never closed");
        assertEquals(504, hub.entriesSent() + 3, "entries counted per entry, the last frame still in flight");
    }

    @Test
    void theQueueBoundCountsBytesAdmitsOneOversizedEntryAndNeverRefusesTheRunsEnd() {
        long bound = StreamSettings.MIN_SESSION_QUEUE_BYTES;
        build(settings(StreamSettings.SESSION_QUEUE_BYTES, String.valueOf(bound)));
        buffers.start(wf, run);
        SlowPeer p = new SlowPeer();
        hub.subscribe(run, 0, null, p);
        exec.runAll();
        p.readOne();
        exec.runAll(); // caught-up in flight: everything after it waits in the queue
        String big = "x".repeat((int) bound * 2);
        buffers.append(Entries.entry(wf, run, LogLevel.INFO, big)); // twice the bound, but the queue was empty
        exec.runAll();
        assertEquals(0, hub.closedSlow(), "an empty queue takes one entry of any size");
        p.readOne(); // caught-up read: the big entry goes out and leaves the queue
        exec.runAll();
        int one = new EncodedEntry(Entries.entry(wf, run, LogLevel.INFO, "m").withSeq(2)).bytes();
        long fit = bound / one;
        append((int) fit, LogLevel.INFO); // exactly what fits
        assertEquals(0, hub.closedSlow(), fit + " entries of " + one + " bytes fit in " + bound);
        buffers.complete(run, RunOutcome.SUCCEEDED, last -> { }); // the end is never refused
        assertEquals(0, hub.closedSlow());
        p.readOne();
        exec.runAll();
        p.readOne();
        exec.runAll();
        p.readOne();
        exec.runAll();
        assertEquals(range(1, fit + 1), p.seqs());
        assertTrue(p.types().endsWith(" E"), p.types());
        assertEquals(Outbound.NORMAL, p.closeCode);

        UUID run2 = UUID.randomUUID();
        buffers.start(wf, run2);
        SlowPeer q = new SlowPeer();
        hub.subscribe(run2, 0, null, q);
        exec.runAll();
        q.readOne();
        exec.runAll(); // caught-up in flight
        // The router checks backlogs every RunFeed.CHECK_EVERY_BYTES appended: past the bound by at most that.
        long most = fit + 1 + RunFeed.CHECK_EVERY_BYTES / one + 1;
        for (int i = 0; i < most && hub.closedSlow() == 0; i++) buffers.append(Entries.entry(wf, run2, LogLevel.INFO, "m"));
        exec.runAll(); // the close runs on the executor
        assertEquals(1, hub.closedSlow());
        assertEquals(Outbound.TRY_AGAIN_LATER, q.closeCode, "a backlog past the bound closes");
        java.util.regex.Matcher queued = java.util.regex.Pattern.compile("(\\d+) bytes queued").matcher(q.closeReason);
        assertTrue(queued.find(), q.closeReason);
        long waiting = Long.parseLong(queued.group(1));
        assertTrue(waiting + one > bound && waiting <= bound + RunFeed.CHECK_EVERY_BYTES, q.closeReason);
    }

    /**
     * The run's feed is shared: a stalled reader among many is closed alone when its own backlog passes
     * the bound, the readers that keep reading get everything, and the feed leaves the hub with the
     * last reader.
     */
    @Test
    void aStalledReaderAmongManyIsClosedAloneAndTheFeedLeavesWithTheLastReader() {
        build(settings(StreamSettings.SESSION_QUEUE_BYTES, String.valueOf(StreamSettings.MIN_SESSION_QUEUE_BYTES)));
        buffers.start(wf, run);
        SlowPeer stalled = new SlowPeer();
        hub.subscribe(run, 0, null, stalled);
        List<Recorder> readers = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            Recorder r = new Recorder();
            readers.add(r);
            hub.subscribe(run, 0, null, r);
        }
        exec.runAll(); // every hello sent; the stalled reader never completes its send
        int n = 3_000;
        for (int i = 0; i < n; i += 10) {
            append(10, LogLevel.INFO);
            exec.runAll();
        }
        assertEquals(Outbound.TRY_AGAIN_LATER, stalled.closeCode);
        assertEquals(1, hub.closedSlow(), "only the stalled reader");
        assertEquals(1, hub.watchedRuns());
        buffers.complete(run, RunOutcome.SUCCEEDED, last -> { });
        exec.runAll();
        for (Recorder r : readers) {
            assertEquals(range(1, n), r.seqs());
            assertEquals(Outbound.NORMAL, r.closeCode);
        }
        assertEquals(0, hub.watchedRuns(), "no reader left, no feed");
    }

    /**
     * Sessions in step share frames, not only entries: woken together, they send the same frame
     * object (its text built once); a session with a filter, or one that is ahead, builds its own.
     */
    @Test
    void sessionsInStepSendTheSameFrameObject() {
        build();
        buffers.start(wf, run);
        List<Recorder> inStep = List.of(new Recorder(), new Recorder(), new Recorder());
        for (Recorder r : inStep) hub.subscribe(run, 0, null, r);
        Recorder filtered = new Recorder();
        hub.subscribe(run, 0, new LogFilter(LogLevel.WARN, null, null, null, null), filtered);
        exec.runAll();
        append(5, LogLevel.INFO);
        append(1, LogLevel.WARN);
        exec.runAll();
        append(4, LogLevel.INFO);
        exec.runAll();
        List<Frame> first = logFrames(inStep.get(0));
        assertEquals(2, first.size(), inStep.get(0).types());
        for (Recorder r : inStep) {
            assertEquals(range(1, 10), r.seqs());
            List<Frame> mine = logFrames(r);
            for (int i = 0; i < first.size(); i++) assertSame(first.get(i), mine.get(i), "frame " + i + " shared");
        }
        assertEquals(List.of(6L), filtered.seqs());
        assertNotSame(first.get(0), logFrames(filtered).get(0));
    }

    private static List<Frame> logFrames(Recorder r) {
        synchronized (r.frames) {
            return r.frames.stream().filter(f -> f instanceof Frame.Logs).toList();
        }
    }

    @Test
    void everySessionSharesOneEncodingOfAnEntry() {
        build();
        buffers.start(wf, run);
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        hub.subscribe(run, 0, null, a);
        hub.subscribe(run, 0, null, b);
        exec.runAll();
        append(2, LogLevel.INFO);
        exec.runAll();
        Frame.Logs fa = (Frame.Logs) a.frames.get(2);
        Frame.Logs fb = (Frame.Logs) b.frames.get(2);
        for (int i = 0; i < 2; i++) {
            assertSame(fa.entries().get(i), fb.entries().get(i), "one EncodedEntry per entry for all sessions");
            assertSame(fa.entries().get(i).json(), fb.entries().get(i).json(), "encoded once");
        }
        String text = fa.text();
        assertTrue(text.startsWith("{\"type\":\"logs\",\"first\":1,\"last\":2,\"entries\":[{"), text);
        assertEquals(fa.text(), fb.text());
    }

    @Test
    void filtersApplyOnBothSidesOfTheSeamAndCaughtUpCoversTheSkippedEntries() {
        build();
        buffers.start(wf, run);
        watched();
        buffers.append(Entries.valid().workflowId(wf).runId(run).nodeKey("fetch").message("Connection RESET by peer").build());
        buffers.append(Entries.valid().workflowId(wf).runId(run).nodeKey("store").message("connection reset").build());
        buffers.append(Entries.valid().workflowId(wf).runId(run).nodeKey("fetch").message("ok").build());
        Recorder r = new Recorder();
        hub.subscribe(run, 0, new LogFilter(null, "fetch", "connection reset", null, null), r);
        buffers.append(Entries.valid().workflowId(wf).runId(run).nodeKey("fetch").message("ok").errorCode("CONNECTION_RESET_X").build());
        buffers.append(Entries.valid().workflowId(wf).runId(run).nodeKey("fetch").message("again: connection reset").build());
        exec.runAll();
        assertEquals("H L1 C3 L5", r.types(), "message or error code, ignoring case; only the node asked for");
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

    @Test
    void aLingerLetsEntriesArrivingMeanwhileShareOneFrameAndOneDispatch() {
        build(settings(StreamSettings.FRAME_LINGER_MS, "5"));
        buffers.start(wf, run);
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        hub.subscribe(run, 0, null, a);
        hub.subscribe(run, 0, null, b);
        exec.runAll(); // hello, caught-up
        append(3, LogLevel.INFO);
        exec.runAll();
        assertEquals("H C0", a.types(), "nothing before the linger elapses");
        clock.advance(4);
        exec.runAll();
        append(2, LogLevel.INFO);
        clock.advance(1);
        exec.runAll();
        assertEquals("H C0 L1,2,3,4,5", a.types(), "one frame for what arrived within the linger");
        assertEquals(a.types(), b.types());
    }

    @Test
    void pingsWaitForTheSendInFlightSoAStalledPeerIsClosedAndABusyOneIsNot() {
        build(settings(StreamSettings.PING_INTERVAL_MS, "100", StreamSettings.PONG_TIMEOUT_MS, "250"));
        buffers.start(wf, run);
        SlowPeer stalled = new SlowPeer();
        SlowPeer busy = new SlowPeer();
        hub.subscribe(run, 0, null, stalled);
        Subscription b = hub.subscribe(run, 0, null, busy);
        exec.runAll(); // both: hello in flight
        for (int i = 0; i < 3; i++) {
            clock.advance(100);
            exec.runAll();
            assertEquals(0, stalled.pings, "never a ping while a send is in flight");
            int before = busy.pings;
            busy.readOne(); // the busy peer completes its send: the due ping goes out before the next frame
            exec.runAll();
            assertEquals(before + 1, busy.pings);
            b.heard(); // its pong
            append(1, LogLevel.INFO);
            exec.runAll();
        }
        assertEquals(Outbound.GOING_AWAY, stalled.closeCode, "silent for pong-timeout-ms: closed");
        assertEquals(-1, busy.closeCode);
    }

    /** Real threads: a writer appends while readers subscribe at random points with random afterSeq. */
    @Test
    void concurrentSubscribersGetExactlyTheSequence() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            hub = new StreamHub(settings(StreamSettings.SESSION_QUEUE_BYTES, "1000000000", StreamSettings.HISTORY_PAGE_SIZE, "50"),
                    clock, pool, (runId, after, limit) -> {
                        List<LogEntry> out = new ArrayList<>();
                        synchronized (db) {
                            for (LogEntry e : db) if (e.seq() > after && out.size() < limit) out.add(e);
                        }
                        return out;
                    });
            // Downstream is "written" at once, so the database is only ever behind by the batch in hand.
            buffers = new WorkflowBufferManager(SETTINGS, b -> db.addAll(b.entries()), clock, r -> 0, ManualExecutor.DIRECT, hub);
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
                // on the test thread, as the manual clock is everywhere else in this test
                await("subscriber " + i + " closed").atMost(Duration.ofSeconds(30)).pollInSameThread()
                        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                        .until(() -> {
                            if (r.closeCode != -1) return true;
                            clock.advance(50); // history retries, if any
                            return false;
                        });
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
        watched();
        append(3, LogLevel.INFO);
        var now = LongPoll.poll(hub, run, 1, 100, null, 5000);
        exec.runAll();
        assertEquals(List.of(2L, 3L), now.get(10, TimeUnit.SECONDS).entries().stream().map(LogEntry::seq).toList());
        assertEquals(3, now.get(10, TimeUnit.SECONDS).nextAfterSeq());

        var waiting = LongPoll.poll(hub, run, 3, 100, null, 5000);
        exec.runAll();
        assertFalse(waiting.isDone(), "nothing after 3: waits");
        append(1, LogLevel.INFO);
        exec.runAll();
        assertEquals(List.of(4L), waiting.get(10, TimeUnit.SECONDS).entries().stream().map(LogEntry::seq).toList());

        var timesOut = LongPoll.poll(hub, run, 4, 100, null, 5000);
        exec.runAll();
        clock.advance(5000);
        assertTrue(timesOut.isDone());
        assertEquals(List.of(), timesOut.get(10, TimeUnit.SECONDS).entries());
        assertEquals(4, timesOut.get(10, TimeUnit.SECONDS).nextAfterSeq());

        var limited = LongPoll.poll(hub, run, 0, 2, null, 0);
        exec.runAll();
        assertEquals(List.of(1L, 2L), limited.get(10, TimeUnit.SECONDS).entries().stream().map(LogEntry::seq).toList());
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
        buffers = new WorkflowBufferManager(SETTINGS, b -> downstream.addAll(b.entries()), clock, r -> 5, lookups, hub);
        hub.attach(buffers);
        append(2, LogLevel.INFO); // parked: the last seq is being looked up
        Recorder r = new Recorder();
        hub.subscribe(run, 3, null, r);
        exec.runAll();
        assertEquals("H L4,5 C5", r.types());
        lookups.runAll(); // the parked entries get 6 and 7, told to the hub in order
        append(1, LogLevel.INFO);
        exec.runAll();
        assertEquals("H L4,5 C5 L6,7,8", r.types());
    }

    @Test
    void settingsAreValidatedByName() {
        var e = assertThrows(org.phong.zenflow.logging.config.InvalidConfigurationException.class,
                () -> settings(StreamSettings.SESSION_QUEUE_BYTES, "65535"));
        assertTrue(e.getMessage().contains(StreamSettings.SESSION_QUEUE_BYTES), e.getMessage());
        e = assertThrows(org.phong.zenflow.logging.config.InvalidConfigurationException.class,
                () -> settings(StreamSettings.PING_INTERVAL_MS, "1000", StreamSettings.PONG_TIMEOUT_MS, "1000"));
        assertTrue(e.getMessage().contains(StreamSettings.PONG_TIMEOUT_MS), e.getMessage());
        assertEquals(8L << 20, StreamSettings.defaults().sessionQueueBytes());
    }

    @Test
    void closeReasonsFitTheProtocolLimit() {
        String longReason = "é".repeat(100);
        assertTrue(Subscription.truncate(longReason).getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 123);
    }
}
