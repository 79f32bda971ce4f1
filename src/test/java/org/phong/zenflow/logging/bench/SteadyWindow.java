package org.phong.zenflow.logging.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The steady window of a benchmark phase: the phase's counters (rows, calls, nanoseconds spent), read
 * in the order they were named when the window opens and again when it closes, with the wall time
 * between. Rates and time shares are computed over that window only, so a phase's warm-up and drain
 * do not count.
 */
final class SteadyWindow {
    private final Map<String, LongSupplier> counters = new LinkedHashMap<>();
    private final Map<String, Long> atOpen = new LinkedHashMap<>();
    private final Map<String, Long> atClose = new LinkedHashMap<>();
    private long openNanos;
    private long closeNanos;

    /** Names a counter to read at both ends (before {@link #open()}). */
    SteadyWindow count(String name, LongSupplier counter) {
        counters.put(name, counter);
        return this;
    }

    /** Starts the window: the clock, then every counter. */
    void open() {
        openNanos = System.nanoTime();
        counters.forEach((name, c) -> atOpen.put(name, c.getAsLong()));
    }

    /** Ends the window: the clock, then every counter. */
    void close() {
        closeNanos = System.nanoTime();
        counters.forEach((name, c) -> atClose.put(name, c.getAsLong()));
    }

    long nanos() {
        return closeNanos - openNanos;
    }

    double seconds() {
        return nanos() / 1e9;
    }

    /** @return how much the counter grew in the window */
    long delta(String name) {
        return atClose.get(name) - atOpen.get(name);
    }

    /** @return the counter's growth per second of the window */
    double perSecond(String name) {
        return delta(name) / seconds();
    }

    /** @return a nanosecond counter's growth as a share of the window (CPU nanoseconds: cores used) */
    double share(String nanosCounter) {
        return delta(nanosCounter) / 1e9 / seconds();
    }
}
