package org.phong.zenflow.logging.collector;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.api.SinkBatch;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.stats.PipelineObserver;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * Fans each flushed batch out to every {@link LogSink}. {@link #accept} only enqueues: each sink
 * has its own {@link SinkChannel} with its own drain loop on the shared executor, so a slow or
 * failing sink blocks neither the others nor the buffers and router upstream.
 *
 * <p>When every durable sink has taken a batch (or at once when there is none), the
 * {@link DurabilityListener} hears of it; the router uses that to release the entries from its
 * in-flight count. That is the only thing that flows back up the pipeline.
 */
public final class GlobalLogCollector implements Consumer<SinkBatch> {
    /** The wait between checks while {@link #awaitDrained} waits. */
    private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** Hears of batches that every durable sink has taken. */
    @FunctionalInterface
    public interface DurabilityListener {
        /** @param entries one run's entries, now safe in every durable sink */
        void durable(List<LogEntry> entries);
    }

    private final List<SinkChannel> channels = new ArrayList<>();
    private final int durableSinks;
    private final DurabilityListener listener;

    /**
     * @param sinks     every sink, durable or not
     * @param settings  backoff and best-effort queue bound
     * @param executor  runs the drain loops (one at a time per sink)
     * @param scheduler times retries
     * @param listener  hears of batches safe in every durable sink
     */
    public GlobalLogCollector(List<LogSink> sinks, LoggingSettings settings, Executor executor,
                              Scheduler scheduler, DurabilityListener listener) {
        this(sinks, settings, executor, scheduler, listener, PipelineObserver.NONE);
    }

    /**
     * @param sinks     every sink, durable or not
     * @param settings  backoff and best-effort queue bound
     * @param executor  runs the drain loops (one at a time per sink)
     * @param scheduler times retries
     * @param listener  hears of batches safe in every durable sink
     * @param observer  hears every sink call, failure and best-effort drop
     */
    public GlobalLogCollector(List<LogSink> sinks, LoggingSettings settings, Executor executor,
                              Scheduler scheduler, DurabilityListener listener, PipelineObserver observer) {
        this.listener = listener;
        int durable = 0;
        for (LogSink s : sinks) {
            observer.sinkAttached(s.name(), s.isDurable());
            channels.add(new SinkChannel(s, settings, executor, scheduler, this::takenByDurableSink, observer));
            if (s.isDurable()) durable++;
        }
        this.durableSinks = durable;
    }

    /** Hands one run's batch to every sink; never blocks. */
    @Override
    public void accept(SinkBatch batch) {
        if (batch.entries().isEmpty()) return;
        Batch b = new Batch(batch, durableSinks);
        for (SinkChannel c : channels) c.offer(b);
        if (durableSinks == 0) listener.durable(batch.entries());
    }

    private void takenByDurableSink(Batch b) {
        if (b.durablePending.decrementAndGet() == 0) listener.durable(b.entries());
    }

    /** @return names of the durable sinks, in order */
    public List<String> durableSinkNames() {
        List<String> out = new ArrayList<>();
        for (SinkChannel c : channels) if (c.durable) out.add(c.sink.name());
        return out;
    }

    /**
     * Waits until every durable sink has written everything it was given.
     *
     * @param timeoutMs how long to wait at most
     * @return true when drained, false on timeout
     */
    public boolean awaitDrained(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            boolean idle = true;
            // A channel whose drain cannot be scheduled any more (container stopping) is drained here.
            for (SinkChannel c : channels) if (c.durable && !c.drainInline()) idle = false;
            if (idle) return true;
            if (System.nanoTime() - deadline > 0) return false;
            LockSupport.parkNanos(DRAIN_POLL_NANOS);
        }
    }

    /** @return one snapshot per sink */
    public List<SinkStatus> status() {
        List<SinkStatus> out = new ArrayList<>(channels.size());
        for (SinkChannel c : channels) {
            boolean healthy = c.consecutiveFailures() == 0 && c.sink.isHealthy();
            out.add(new SinkStatus(c.sink.name(), c.durable, healthy, c.backlog(), c.written.sum(),
                    c.failures.sum(), c.dropped.sum(), c.consecutiveFailures(), c.lastError()));
        }
        return out;
    }

    /** @return entries waiting for durable sinks */
    public long durableBacklog() {
        long n = 0;
        for (SinkChannel c : channels) if (c.durable) n = Math.max(n, c.backlog());
        return n;
    }
}
