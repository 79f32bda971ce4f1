package org.phong.zenflow.logging.collector;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.api.SinkBatch;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.stats.PipelineObserver;
import org.phong.zenflow.logging.time.Backoff;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * One sink's queue and its single drain loop. At most one drain runs per channel (the
 * {@code running} flag), so a sink sees batches one call at a time and in arrival order.
 *
 * <p>Durable sink: batches are coalesced up to {@link LogSink#maxBatchEntries()} per call; a
 * failed call keeps its batches at the head and is retried after exponential backoff with jitter,
 * forever: nothing is dropped, the backlog is bounded upstream by admission control.
 * Best-effort sink: a full queue drops the new batch, a failed call drops its batch; both counted.
 * Inline sink ({@link LogSink#acceptsInline()}): no queue here; each batch is handed over at once.
 */
final class SinkChannel {
    /** Initial allocation of the batches coalesced by one take (it grows up to the sink's maxBatchEntries). */
    private static final int TAKE_INITIAL_BATCHES = 4;

    private static final Logger LOG = Logger.getLogger(SinkChannel.class.getName());

    final LogSink sink;
    final boolean durable;
    /** A non-durable sink whose process() only enqueues into its own bounded queue: called directly. */
    private final boolean inline;
    private final long bestEffortLimit;
    private final long backoffBaseMs;
    private final long backoffMaxMs;
    private final Executor executor;
    private final Scheduler scheduler;
    private final BatchAck ack;
    private final PipelineObserver observer;

    private final ConcurrentLinkedQueue<Batch> queue = new ConcurrentLinkedQueue<>();
    /** Batches of a failed durable call, retried before anything newer. Touched only by the drain. */
    private List<Batch> held = List.of();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong backlog = new AtomicLong();

    final LongAdder written = new LongAdder();
    final LongAdder calls = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder dropped = new LongAdder();
    private volatile int consecutiveFailures;
    private volatile String lastError;

    /** Called once per batch when this (durable) sink has it. */
    interface BatchAck {
        void taken(Batch b);
    }

    SinkChannel(LogSink sink, LoggingSettings settings, Executor executor, Scheduler scheduler, BatchAck ack,
                PipelineObserver observer) {
        this.observer = observer;
        this.sink = sink;
        this.durable = sink.isDurable();
        this.inline = !durable && sink.acceptsInline();
        this.bestEffortLimit = settings.sinkQueueEntries();
        this.backoffBaseMs = settings.retryBackoffMs();
        this.backoffMaxMs = settings.retryMaxBackoffMs();
        this.executor = executor;
        this.scheduler = scheduler;
        this.ack = ack;
    }

    void offer(Batch b) {
        int n = b.size();
        if (inline) {
            // The sink queues (and bounds) by itself: hand the batch over on this thread, no second queue.
            try {
                calls.increment();
                sink.process(b.sinkBatch);
                written.add(n);
            } catch (Throwable e) { // the contract says it does not throw; if it does, count the loss
                failures.increment();
                dropped.add(n);
                lastError = e.toString();
                LOG.log(Level.WARNING, "Inline sink " + sink.name() + " failed; " + n + " entries not delivered to it", e);
            }
            return;
        }
        if (!durable && backlog.get() + n > bestEffortLimit) {
            dropped.add(n);
            observer.sinkDropped(sink.name(), n);
            return;
        }
        backlog.addAndGet(n);
        queue.add(b);
        if (running.compareAndSet(false, true)) submitDrain();
    }

    private void submitDrain() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // Executor saturated or shutting down: try again shortly rather than lose the wake-up.
            scheduleDrain(Math.max(1, backoffBaseMs));
        }
    }

    private void scheduleDrain(long delayMs) {
        try {
            scheduler.schedule(this::submitDrain, delayMs);
        } catch (RuntimeException e) {
            // No timer either (the container is stopping): release the channel so that
            // drainInline() on the stopping thread can finish the work.
            running.set(false);
        }
    }

    /**
     * Drains on the calling thread when no drain is active (shutdown, when the container's executors
     * are gone).
     *
     * @return false when the channel still holds entries after this attempt
     */
    boolean drainInline() {
        if (running.compareAndSet(false, true)) drain();
        return idle();
    }

    private void drain() {
        while (true) {
            List<Batch> taken = held.isEmpty() ? take() : held;
            held = List.of();
            if (taken.isEmpty()) {
                running.set(false);
                // An offer between take() and set(false) saw running=true and did not submit: re-check.
                if (!queue.isEmpty() && running.compareAndSet(false, true)) continue;
                return;
            }
            SinkBatch call = oneCall(taken);
            List<LogEntry> rows = call.entries();
            boolean retry = consecutiveFailures > 0;
            long t0 = System.nanoTime();
            try {
                calls.increment();
                sink.process(call);
            } catch (Throwable e) { // any failure of a sink, even an Error, must not end the drain silently
                failures.increment();
                observer.sinkFailed(sink.name(), rows.size(), System.nanoTime() - t0, retry);
                lastError = e.toString();
                int attempt = ++consecutiveFailures;
                if (durable) {
                    held = taken;
                    long delay = Backoff.withJitter(backoffBaseMs, backoffMaxMs, attempt);
                    LOG.log(attempt == 1 ? Level.WARNING : Level.FINE, "Sink " + sink.name() + " failed to write "
                            + rows.size() + " entries (attempt " + attempt + "); they are kept and retried in " + delay + " ms", e);
                    scheduleDrain(delay);
                    return; // running stays true while the retry owns the channel
                }
                LOG.log(Level.WARNING, "Best-effort sink " + sink.name() + " failed; " + rows.size() + " entries not delivered to it", e);
                dropped.add(rows.size());
                observer.sinkDropped(sink.name(), rows.size());
                backlog.addAndGet(-rows.size());
                continue;
            }
            observer.sinkWrote(sink.name(), rows.size(), System.nanoTime() - t0, retry);
            if (consecutiveFailures > 0) {
                LOG.info("Sink " + sink.name() + " recovered after " + consecutiveFailures + " failed attempts");
                consecutiveFailures = 0;
            }
            written.add(rows.size());
            backlog.addAndGet(-rows.size());
            if (durable) {
                for (Batch b : taken) {
                    try {
                        ack.taken(b);
                    } catch (RuntimeException e) {
                        LOG.log(Level.SEVERE, "Acknowledging a batch of sink " + sink.name() + " failed", e);
                    }
                }
            }
        }
    }

    /** Takes batches while they fit in one call (always at least one). */
    private List<Batch> take() {
        Batch first = queue.poll();
        if (first == null) return List.of();
        List<Batch> out = new ArrayList<>(TAKE_INITIAL_BATCHES);
        out.add(first);
        int rows = first.size();
        int max = sink.maxBatchEntries();
        Batch next;
        while ((next = queue.peek()) != null && rows + next.size() <= max) {
            queue.poll();
            out.add(next);
            rows += next.size();
        }
        return out;
    }

    /** @return the batches taken as what one sink call gets: their entries in order, their unjournaled counts summed */
    private static SinkBatch oneCall(List<Batch> taken) {
        if (taken.size() == 1) return taken.get(0).sinkBatch;
        int n = 0;
        int unjournaled = 0;
        for (Batch b : taken) {
            n += b.size();
            unjournaled += b.sinkBatch.unjournaled();
        }
        List<LogEntry> all = new ArrayList<>(n);
        for (Batch b : taken) all.addAll(b.entries());
        return new SinkBatch(all, unjournaled);
    }

    /** @return entries queued or being written */
    long backlog() { return backlog.get(); }

    /** @return true when no batch is queued, held or being written */
    boolean idle() { return backlog.get() == 0 && !running.get(); }

    int consecutiveFailures() { return consecutiveFailures; }

    String lastError() { return lastError; }
}
