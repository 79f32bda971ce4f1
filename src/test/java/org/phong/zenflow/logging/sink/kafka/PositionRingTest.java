package org.phong.zenflow.logging.sink.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.testing.Entries;

/** The ring's bookkeeping on its own: wrap-around, full, out-of-order acks, failure and rewind, waits, views. */
class PositionRingTest {
    private final AtomicLong clock = new AtomicLong(1_000);
    private final List<LogEntry> e = Entries.batch(UUID.randomUUID(), UUID.randomUUID(), 1, 8);

    private PositionRing ring(int capacity) {
        return new PositionRing(capacity, clock::get);
    }

    @Test
    void fullRingTakesOnlyWhatFitsAndWrapsAroundOnceAcked() throws Exception {
        PositionRing r = ring(3);
        assertEquals(3, r.append(e.subList(0, 5)));          // a prefix: 3 of 5
        assertEquals(0, r.append(e.subList(3, 5)));          // full
        assertEquals(0, r.awaitRoom(1));
        for (int i = 0; i < 3; i++) assertEquals(i + 1, r.next(0).position());
        assertEquals(1, r.acked(1));
        assertEquals(1, r.awaitRoom(0));
        assertEquals(1, r.append(e.subList(3, 5)));          // position 4 reuses slot of 1
        PositionRing.Next n = r.next(0);
        assertEquals(4, n.position());
        assertSame(e.get(3), n.entry());
        assertNull(r.next(0));                                // nothing else appended
        assertEquals(0, r.acked(4));                          // 2, 3 still open
        assertEquals(0, r.acked(3));
        assertEquals(4, r.acked(2));                          // closes the gap up to 4
        assertTrue(r.awaitEmpty(0));
        PositionRing.View v = r.view();
        assertEquals(4, v.acked());
        assertEquals(0, v.backlog());
        assertEquals(4, v.ackedTotal());
        assertEquals(0, v.oldestUnackedNanos());
    }

    @Test
    void duplicateAndStaleAcksDoNotCountTwice() throws Exception {
        PositionRing r = ring(4);
        r.append(e.subList(0, 2));
        r.next(0);
        r.next(0);
        assertEquals(0, r.acked(2));
        assertEquals(0, r.acked(2));                          // already done
        assertEquals(2, r.acked(1));
        assertEquals(0, r.acked(1));                          // at or below the acknowledged position
        assertEquals(2, r.view().ackedTotal());
        assertEquals(0, r.view().inFlight());
    }

    @Test
    void failureStopsTheSenderUntilRewindWhichSkipsAcknowledgedPositions() throws Exception {
        PositionRing r = ring(8);
        r.append(e.subList(0, 4));
        for (int i = 0; i < 4; i++) r.next(0);
        RuntimeException boom = new RuntimeException("boom");
        r.failed(2, boom);
        r.failed(3, new RuntimeException("second"));
        assertSame(boom, r.pendingFailure());                // the first failure is kept
        assertNull(r.next(0));                                // no new position while a failure is pending
        assertThrows(IllegalStateException.class, r::rewind); // 1 and 4 still in flight
        assertFalse(r.awaitSettled(1));
        r.failed(2, boom);                                    // no longer in flight: ignored
        assertEquals(0, r.acked(4));
        assertEquals(1, r.acked(1));
        assertTrue(r.awaitSettled(0));
        r.failed(1, boom);                                    // acknowledged: ignored
        assertEquals(2, r.rewind());                          // 2 and 3 again; 4 is in Kafka
        assertNull(r.pendingFailure());
        assertEquals(2, r.next(0).position());
        assertEquals(3, r.next(0).position());
        assertNull(r.next(0));                                // 4 is not sent twice
        assertEquals(2, r.acked(2));
        assertEquals(4, r.acked(3));
    }

    @Test
    void viewReportsAgeOfOldestUnackedEntryAndTokensFollowTheAcknowledgedPosition() throws Exception {
        PositionRing r = ring(4);
        r.append(e.subList(0, 2), new long[] {100, 200});
        clock.addAndGet(5_000);
        r.append(e.subList(2, 3), new long[] {300});
        PositionRing.View v = r.view();
        assertEquals(5_000, v.oldestUnackedNanos());
        assertEquals(3, v.backlog());
        assertEquals(0, r.ackedToken());
        r.next(0);
        r.next(0);
        assertEquals(1, r.acked(1));
        assertEquals(100, r.ackedToken());
        assertEquals(2, r.acked(2));
        assertEquals(200, r.ackedToken());
        assertEquals(0, r.view().oldestUnackedNanos());   // the third entry, appended just now
        clock.addAndGet(1_000);
        assertEquals(1_000, r.view().oldestUnackedNanos());  // now the third entry is the oldest
    }

    @Test
    void closedRingRefusesAppendsAndReleasesWaiters() throws Exception {
        PositionRing r = ring(1);
        r.append(e.subList(0, 1));
        r.next(0);
        r.close();
        assertEquals(0, r.append(e.subList(1, 2)));
        assertNull(r.next(1_000));
        assertFalse(r.awaitSettled(1_000));                   // one in flight, but closed: returns at once
        assertEquals(0, r.awaitRoom(1_000));
        assertFalse(r.awaitEmpty(1));
    }

    @Test
    void nextWaitsForAnAppend() throws Exception {
        PositionRing r = ring(2);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException ignored) {
                return;
            }
            r.append(e.subList(0, 1));
        });
        t.start();
        PositionRing.Next n = r.next(60_000);
        t.join(60_000);
        org.junit.jupiter.api.Assertions.assertFalse(t.isAlive(), "the writer thread finished within 60 s");
        assertEquals(1, n.position());
    }
}
