package org.phong.zenflow.logging.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Throughput and route latency over the whole run, one sample per {@link #PERIOD_MS}: the phase,
 * seconds since the benchmark started, entries routed and rows persisted per second in the period,
 * entries in flight, and route() latency percentiles of the period (an interval histogram of the
 * generators' {@link Recorder}). The main thread samples while the generators run.
 */
final class Timeline {
    static final long PERIOD_MS = 500;

    /** One period. Latencies in microseconds (NaN when nothing was routed). */
    record Sample(String phase, double t, double routedPerSec, double persistedPerSec, long inFlight,
                  double p50Us, double p99Us, double p999Us, double maxUs) {
    }

    private final long origin = System.nanoTime();
    final List<Sample> samples = new ArrayList<>();

    /**
     * Samples every period until {@code durationMs} has passed.
     *
     * @param keep when non-null, receives the interval histograms (the phase's overall histogram)
     */
    void sample(String phase, long durationMs, LongSupplier routed, LongSupplier persisted, LongSupplier inFlight,
                Recorder recorder, Histogram keep) throws InterruptedException {
        long end = System.nanoTime() + durationMs * 1_000_000L;
        long lastT = System.nanoTime();
        long lastRouted = routed.getAsLong();
        long lastPersisted = persisted.getAsLong();
        Histogram interval = null;
        while (true) {
            long remainingMs = (end - System.nanoTime() + 999_999L) / 1_000_000L;
            if (remainingMs <= 0) break;
            Thread.sleep(Math.min(PERIOD_MS, remainingMs));
            long now = System.nanoTime();
            long r = routed.getAsLong();
            long p = persisted.getAsLong();
            interval = recorder.getIntervalHistogram(interval);
            if (keep != null) keep.add(interval);
            double secs = (now - lastT) / 1e9;
            boolean any = interval.getTotalCount() > 0;
            samples.add(new Sample(phase, (now - origin) / 1e9, (r - lastRouted) / secs, (p - lastPersisted) / secs,
                    inFlight.getAsLong(),
                    any ? interval.getValueAtPercentile(50) / 1e3 : Double.NaN,
                    any ? interval.getValueAtPercentile(99) / 1e3 : Double.NaN,
                    any ? interval.getValueAtPercentile(99.9) / 1e3 : Double.NaN,
                    any ? interval.getMaxValue() / 1e3 : Double.NaN));
            lastT = now;
            lastRouted = r;
            lastPersisted = p;
            if (end - now < PERIOD_MS * 1_000_000L / 10) break; // no sliver of a period at the end
        }
    }

    /** Samples while a drain (nothing routed) runs, until {@code done} says so. */
    void sampleUntil(String phase, java.util.function.BooleanSupplier done, LongSupplier routed, LongSupplier persisted,
                     LongSupplier inFlight, Recorder recorder) throws InterruptedException {
        while (!done.getAsBoolean()) sample(phase, PERIOD_MS, routed, persisted, inFlight, recorder, null);
    }

    double nowSeconds() {
        return (System.nanoTime() - origin) / 1e9;
    }
}
