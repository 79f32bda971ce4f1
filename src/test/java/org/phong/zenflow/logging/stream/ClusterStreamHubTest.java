package org.phong.zenflow.logging.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogFilter;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.config.ConfigReader;
import org.phong.zenflow.logging.config.StreamSettings;
import org.phong.zenflow.logging.stream.StreamHubTest.Recorder;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.ManualExecutor;
import org.phong.zenflow.logging.testing.ManualScheduler;
import org.phong.zenflow.logging.testing.TestSettings;

/**
 * The hub in cluster mode, with a manual clock: no buffers; "the database" is a list the test fills
 * (what the partition owner committed), live entries come through {@link StreamHub#offerRemote} (what
 * the output-topic follower hands over), run ends from a table the end poller reads. The real broker
 * and database are in {@code ClusterLiveTailTest}.
 */
class ClusterStreamHubTest {
    private static final long END_POLL_MS = 500;
    private final ManualScheduler clock = new ManualScheduler();
    private final ManualExecutor exec = new ManualExecutor();
    private final List<LogEntry> db = Collections.synchronizedList(new ArrayList<>());
    private final Map<UUID, RunEndSource.Ended> endedTable = new ConcurrentHashMap<>();
    private final AtomicInteger endQueries = new AtomicInteger();
    private final UUID wf = UUID.randomUUID();
    private final UUID run = UUID.randomUUID();
    private final List<LogEntry> produced = new ArrayList<>();
    private StreamHub hub;

    private void build(String... kv) {
        Properties p = new Properties();
        p.setProperty(StreamSettings.FRAME_LINGER_MS, "0");
        p.setProperty(StreamSettings.HISTORY_PAGE_SIZE, "3");
        for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
        hub = new StreamHub(StreamSettings.from(ConfigReader.overProperties(p)), clock, exec, (runId, after, limit) -> {
            List<LogEntry> out = new ArrayList<>();
            synchronized (db) {
                for (LogEntry e : db) if (e.runId().equals(runId) && e.seq() > after && out.size() < limit) out.add(e);
            }
            return out;
        });
        hub.attachCluster(runs -> {
            endQueries.incrementAndGet();
            List<RunEndSource.Ended> out = new ArrayList<>();
            for (UUID r : runs) if (endedTable.containsKey(r)) out.add(endedTable.get(r));
            return out;
        }, END_POLL_MS);
    }

    /** Entry {@code seq} of the run (made once, so the database and the feed hold the same entry). */
    private LogEntry e(long seq) {
        while (produced.size() < seq) {
            produced.add(Entries.entry(wf, run, produced.size() % 4 == 0 ? LogLevel.WARN : LogLevel.INFO, "m" + (produced.size() + 1))
                    .withSeq(produced.size() + 1));
        }
        return produced.get((int) seq - 1);
    }

    private void commit(long from, long to) {
        for (long s = from; s <= to; s++) db.add(e(s));
    }

    private void live(long... seqs) {
        for (long s : seqs) hub.offerRemote(e(s));
    }

    private void end(long lastSeq) {
        endedTable.put(run, new RunEndSource.Ended(run, lastSeq, RunOutcome.SUCCEEDED));
    }

    @Test
    void historyFromTheDatabaseThenLiveWithoutDuplicates() {
        build();
        commit(1, 5);
        Recorder r = new Recorder();
        hub.subscribe(run, 1, null, r);
        commit(6, 6);
        live(5, 6, 7); // 5 and 6 are also in the history the session reads after registering
        exec.runAll();
        assertEquals("H L2,3,4 L5,6 C6 L7", r.types());
        assertEquals(0, hub.gapFills());
    }

    @Test
    void aHoleInTheLiveFeedIsFilledFromTheDatabaseNotClosed() {
        build();
        commit(1, 3);
        Recorder r = new Recorder();
        hub.subscribe(run, 0, null, r);
        exec.runAll();
        assertEquals("H L1,2,3 C3", r.types());
        commit(4, 8);
        live(6, 7, 8); // 4 and 5 were never published (or published before this node's follower started)
        exec.runAll();
        assertEquals(range(1, 8), r.seqs());
        assertEquals("H L1,2,3 C3 L4,5 L6,7,8", r.types(), "the fill, then the live entries from the one that showed the hole");
        assertEquals(-1, r.closeCode);
        assertEquals(1, hub.gapFills());
    }

    @Test
    void aHoleBeforeEntriesGatheredInTheSameWalkSendsThoseFirst() {
        build();
        Recorder r = new Recorder();
        hub.subscribe(run, 0, null, r);
        exec.runAll();
        commit(1, 6);
        live(1, 2, 5, 6);
        exec.runAll();
        assertEquals("H C0 L1,2 L3,4 L5,6", r.types());
    }

    @Test
    void aHoleTheDatabaseDoesNotFillInTimeClosesTryAgainLater() {
        build(StreamSettings.HISTORY_WAIT_MS, "1000");
        Recorder r = new Recorder();
        hub.subscribe(run, 0, null, r);
        exec.runAll();
        commit(1, 1);
        live(1, 3); // 2 is nowhere (cannot happen with a committing owner; the bound still holds)
        for (int i = 0; i < 20; i++) {
            clock.advance(100);
            exec.runAll();
        }
        assertEquals("H C0 L1", r.types());
        assertEquals(Outbound.TRY_AGAIN_LATER, r.closeCode);
        assertTrue(r.closeReason.contains("afterSeq=1"), r.closeReason);
    }

    @Test
    void theRunEndFromTheTableEndsTheSessionAfterItsLastEntry() {
        build();
        commit(1, 2);
        Recorder r = new Recorder();
        hub.subscribe(run, 0, null, r);
        exec.runAll();
        commit(3, 4);
        live(3, 4);
        end(4);
        clock.advance(END_POLL_MS);
        exec.runAll();
        assertEquals("H L1,2 C2 L3,4 E", r.types());
        assertEquals(Outbound.NORMAL, r.closeCode);
        assertEquals("{\"type\":\"run-ended\",\"lastSeq\":4,\"outcome\":\"SUCCEEDED\"}", r.frames.get(r.frames.size() - 1).text());
        assertEquals(0, hub.openSessions());
    }

    @Test
    void aRunEndPastWhatCameLiveReadsTheRestFromTheDatabaseFirst() {
        build();
        Recorder r = new Recorder();
        hub.subscribe(run, 0, null, r);
        exec.runAll();
        commit(1, 5);
        live(1, 2); // 3..5 never came live
        end(5);
        clock.advance(END_POLL_MS);
        exec.runAll();
        assertEquals("H C0 L1,2 L3,4,5 E", r.types());
        assertEquals(Outbound.NORMAL, r.closeCode);
    }

    @Test
    void aSessionOpenedAfterTheRunEndedMeetsTheNextOfferAndEntriesAfterTheEndAreNotSent() {
        build();
        commit(1, 3);
        end(3);
        Recorder first = new Recorder();
        hub.subscribe(run, 0, null, first);
        exec.runAll();
        clock.advance(END_POLL_MS);
        exec.runAll();
        assertEquals("H L1,2,3 C3 E", first.types());
        Recorder late = new Recorder();
        hub.subscribe(run, 2, null, late);
        exec.runAll();
        assertEquals("H L3 C3", late.types(), "no end yet: it comes with the next poll");
        clock.advance(END_POLL_MS);
        exec.runAll();
        assertEquals("H L3 C3 E", late.types());
        assertEquals(0, hub.watchedRuns());
        int queries = endQueries.get();
        clock.advance(10 * END_POLL_MS);
        exec.runAll();
        assertEquals(queries, endQueries.get(), "nothing watched: the table is not read");
    }

    @Test
    void filtersApplyAfterTheFillSoCoveredStillMovesPastFilteredEntries() {
        build();
        Recorder r = new Recorder();
        hub.subscribe(run, 0, new LogFilter(LogLevel.WARN, null, null, null, null), r);
        exec.runAll();
        commit(1, 9);
        live(9); // 1..8 filled from the database; WARN entries are 1, 5, 9
        end(9);
        clock.advance(END_POLL_MS);
        exec.runAll();
        assertEquals("H C0 L1 L5 L9 E", r.types());
    }

    @Test
    void aFailingRunsTableIsAskedAgainAtTheNextPoll() {
        build();
        AtomicInteger failures = new AtomicInteger(2);
        hub.stop();
        Properties p = new Properties();
        p.setProperty(StreamSettings.FRAME_LINGER_MS, "0");
        hub = new StreamHub(StreamSettings.from(ConfigReader.overProperties(p)), clock, exec, (runId, after, limit) -> List.of());
        hub.attachCluster(runs -> {
            if (failures.getAndDecrement() > 0) throw new java.sql.SQLException("planted", "08001");
            return List.of(new RunEndSource.Ended(run, 0, RunOutcome.CANCELLED));
        }, END_POLL_MS);
        Recorder r = new Recorder();
        hub.subscribe(run, 0, null, r);
        for (int i = 0; i < 3; i++) {
            clock.advance(END_POLL_MS);
            exec.runAll();
        }
        assertEquals("H C0 E", r.types());
        assertEquals(-1, failures.get());
    }

    @Test
    void theModesDoNotMix() {
        build();
        assertThrows(IllegalStateException.class, () -> hub.attach(new WorkflowBufferManager(TestSettings.of(), b -> { }, clock, x -> 0,
                ManualExecutor.DIRECT, hub)));
        assertTrue(hub.isClustered());
        StreamHub single = new StreamHub(StreamSettings.defaults(), clock, exec, (runId, after, limit) -> List.of());
        assertThrows(IllegalStateException.class, () -> single.subscribe(run, 0, null, new Recorder()), "neither attached");
    }

    @Test
    void runIdKeysParseWithoutStringsAndForeignKeysAreRefused() {
        UUID u = UUID.randomUUID();
        assertEquals(u, OutputTopicFollower.runIdOf(u.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertEquals(u, OutputTopicFollower.runIdOf(u.toString().toUpperCase().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertNull(OutputTopicFollower.runIdOf(null));
        assertNull(OutputTopicFollower.runIdOf("not-a-uuid".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertNull(OutputTopicFollower.runIdOf(u.toString().replace('-', 'x').getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertNull(OutputTopicFollower.runIdOf(("g" + u.toString().substring(1)).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) out.add(i);
        return out;
    }
}
