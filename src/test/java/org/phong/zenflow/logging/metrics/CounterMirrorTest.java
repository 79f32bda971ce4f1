package org.phong.zenflow.logging.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.metrics.Counter;
import org.junit.jupiter.api.Test;

/** A mirrored counter equals its source after each sync, only ever grows, and survives a failing source. */
class CounterMirrorTest {

    /** A plain counter (the MicroProfile runtime is not on the unit-test path). */
    static final class PlainCounter implements Counter {
        private long count;

        @Override
        public void inc() {
            count++;
        }

        @Override
        public void inc(long n) {
            count += n;
        }

        @Override
        public long getCount() {
            return count;
        }
    }

    @Test
    void theCounterFollowsItsSourceAtEachSync() {
        CounterMirror mirror = new CounterMirror();   // no executor: synced by hand here
        AtomicLong source = new AtomicLong(5);
        PlainCounter c = new PlainCounter();
        mirror.mirror(c, source::get);
        assertEquals(5, c.getCount(), "synced once when added");
        source.addAndGet(37);
        assertEquals(5, c.getCount(), "not before the next sync");
        mirror.syncAll();
        assertEquals(42, c.getCount());
        mirror.syncAll();
        assertEquals(42, c.getCount(), "no growth, nothing added");
    }

    @Test
    void aSourceThatCannotBeReadIsSkippedAndReadAgainLater() {
        CounterMirror mirror = new CounterMirror();
        AtomicLong source = new AtomicLong();
        boolean[] broken = {false};
        PlainCounter failing = new PlainCounter();
        PlainCounter fine = new PlainCounter();
        mirror.mirror(failing, () -> {
            if (broken[0]) throw new IllegalStateException("stopping");
            return source.get();
        });
        mirror.mirror(fine, source::get);
        broken[0] = true;
        source.set(10);
        mirror.syncAll();
        assertEquals(0, failing.getCount());
        assertEquals(10, fine.getCount(), "one failing source does not stop the others");
        broken[0] = false;
        mirror.syncAll();
        assertEquals(10, failing.getCount());
    }
}
