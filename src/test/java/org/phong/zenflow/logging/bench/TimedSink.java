package org.phong.zenflow.logging.bench;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;

/**
 * Wraps the real sink to tell where end-to-end time goes: how long the (single) drain spends inside
 * {@code process} and how many rows each call carries. Busy close to 100% means the write stream
 * itself is the limit; much less means the sink waits for batches (the limit is upstream).
 */
final class TimedSink implements LogSink {
    private final LogSink delegate;
    final LongAdder calls = new LongAdder();
    final LongAdder rows = new LongAdder();
    final LongAdder busyNanos = new LongAdder();

    TimedSink(LogSink delegate) {
        this.delegate = delegate;
    }

    @Override
    public void process(List<LogEntry> entries) throws Exception {
        long t0 = System.nanoTime();
        try {
            delegate.process(entries);
            rows.add(entries.size());
        } finally {
            busyNanos.add(System.nanoTime() - t0);
            calls.increment();
        }
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public boolean isHealthy() {
        return delegate.isHealthy();
    }

    @Override
    public boolean isDurable() {
        return delegate.isDurable();
    }

    @Override
    public int maxBatchEntries() {
        return delegate.maxBatchEntries();
    }
}
