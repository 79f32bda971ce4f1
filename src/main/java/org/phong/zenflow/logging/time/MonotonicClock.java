package org.phong.zenflow.logging.time;

import java.util.concurrent.TimeUnit;

/**
 * The system's monotonic clock in milliseconds, for measuring intervals (not a wall-clock time).
 * Code that takes a clock takes a {@code LongSupplier} and gets {@code MonotonicClock::nowMillis} in
 * production, a manual clock in tests.
 */
public final class MonotonicClock {
    private MonotonicClock() {
    }

    /** @return {@link System#nanoTime} in milliseconds */
    public static long nowMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }
}
