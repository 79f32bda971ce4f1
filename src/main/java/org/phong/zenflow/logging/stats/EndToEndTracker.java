package org.phong.zenflow.logging.stats;

import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * Follows sampled entries from {@code route()} to the durable sinks. The buffer registers a sampled
 * entry once it has its seq ({@link #expect}); when a batch of that run is safe in every durable sink
 * ({@link #durable}) every sample of the run with a seq up to the batch's last is reported to the
 * observer. Batches of one run become durable in seq order (one buffer flushes them in order and each
 * durable sink writes its queue in order), so a per-run FIFO is enough.
 */
public final class EndToEndTracker {
    private final PipelineObserver observer;
    private final LongSupplier nanoClock;
    /** run -> pending samples, each {seq, routedAtNanos}, ascending seq. The deque is its own lock. */
    private final ConcurrentHashMap<UUID, ArrayDeque<long[]>> pending = new ConcurrentHashMap<>();

    /**
     * @param observer  hears {@link PipelineObserver#routedToDurable}
     * @param nanoClock {@code System::nanoTime} in production, a manual clock in tests
     */
    public EndToEndTracker(PipelineObserver observer, LongSupplier nanoClock) {
        this.observer = observer;
        this.nanoClock = nanoClock;
    }

    /**
     * @param runId         the sampled entry's run
     * @param seq           its seq
     * @param routedAtNanos when {@code route()} took it
     */
    public void expect(UUID runId, long seq, long routedAtNanos) {
        while (true) {
            ArrayDeque<long[]> q = pending.computeIfAbsent(runId, k -> new ArrayDeque<>());
            synchronized (q) {
                if (pending.get(runId) != q) continue; // durable() emptied and removed it meanwhile
                q.addLast(new long[] {seq, routedAtNanos});
                return;
            }
        }
    }

    /** @param batch one run's entries, ascending seq, now safe in every durable sink */
    public void durable(List<LogEntry> batch) {
        if (pending.isEmpty() || batch.isEmpty()) return;
        UUID runId = batch.get(0).runId();
        ArrayDeque<long[]> q = pending.get(runId);
        if (q == null) return;
        long lastSeq = batch.get(batch.size() - 1).seq();
        long now = nanoClock.getAsLong();
        synchronized (q) {
            long[] s;
            while ((s = q.peekFirst()) != null && s[0] <= lastSeq) {
                q.pollFirst();
                observer.routedToDurable(now - s[1]);
            }
            // Removing under the deque's lock, only when empty: expect() for this run runs on the one
            // worker that owns it, and a later expect() simply creates a new deque.
            if (q.isEmpty()) pending.remove(runId, q);
        }
    }

    /** @return samples not yet durable (tests, diagnostics) */
    public int pendingSamples() {
        int n = 0;
        for (ArrayDeque<long[]> q : pending.values()) {
            synchronized (q) {
                n += q.size();
            }
        }
        return n;
    }
}
