package org.phong.zenflow.logging.bench;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.stats.PipelineObserver;

/**
 * Plain-Java stand-in for the server's metrics observer ({@code metrics.PipelineMetrics}, which
 * needs MicroProfile Metrics): the same calls on the same paths, doing work of the same kind (a
 * counter per accepted entry, a histogram update per sampled route and per sink write, at the
 * server's {@code route-sample-every}), so the benchmark's pipeline pays what the server's pays.
 */
final class BenchObserver implements PipelineObserver {
    private final int sampleEvery;
    private final Map<LogLevel, LongAdder> accepted = new EnumMap<>(LogLevel.class);
    private final ConcurrentHistogram routeNanos = new ConcurrentHistogram(3);
    private final ConcurrentHistogram toDurableNanos = new ConcurrentHistogram(3);
    private final ConcurrentHistogram sinkWriteNanos = new ConcurrentHistogram(3);
    private final LongAdder batches = new LongAdder();

    BenchObserver(int sampleEvery) {
        this.sampleEvery = sampleEvery;
        for (LogLevel l : LogLevel.values()) accepted.put(l, new LongAdder());
    }

    @Override
    public int sampleEvery() {
        return sampleEvery;
    }

    @Override
    public void accepted(LogLevel level) {
        accepted.get(level).increment();
    }

    @Override
    public void routeSampled(long nanos) {
        routeNanos.recordValue(Math.max(0, nanos));
    }

    @Override
    public void batchFlushed(int entries, long waitedMs) {
        batches.increment();
    }

    @Override
    public void sinkWrote(String sink, int entries, long nanos, boolean retry) {
        sinkWriteNanos.recordValue(Math.max(0, nanos));
    }

    @Override
    public void routedToDurable(long nanos) {
        toDurableNanos.recordValue(Math.max(0, nanos));
    }
}
