package org.phong.zenflow.logging.buffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * The in-memory state of one active run: its sequence counter, the batch being collected, and a
 * ring of its latest entries for live tails. Guarded by its own monitor; appends come from the
 * router worker that owns the run, flushes also from the shared scheduler.
 *
 * <p>States: RECOVERING (the last seq is being looked up; entries are parked in arrival order)
 * then READY. {@code released} is final: a released buffer takes no entry, and the manager makes a
 * new one that continues the sequence.
 */
final class WorkflowBuffer {
    /** Initial allocation of a run's ring (it grows to ring-buffer-size): most runs are short. */
    private static final int RING_INITIAL_CAPACITY = 16;
    /** Initial allocation of a pending batch (it grows to the run's target batch size). */
    private static final int PENDING_INITIAL_CAPACITY = 64;

    final UUID runId;
    UUID workflowId;

    /** Last seq handed out; the next entry gets lastSeq + 1. */
    long lastSeq;
    /** Entries waiting for the seq lookup, in arrival order; null once READY. */
    List<LogEntry> parked;

    ArrayList<LogEntry> pending = new ArrayList<>();
    /** Journal segment of each pending entry (parallel to pending); null when there is no journal. */
    long[] pendingSegments;
    /** Highest seq that could not be journaled (journal unavailable or full); 0 when none. */
    long lastUnjournaledSeq;
    /** Waits for the run's mark that arrived while RECOVERING; run once the parked entries are sequenced. */
    List<Runnable> afterRecovery;
    /** Latest entries, oldest first; at most ringCapacity. Allocated on first use. */
    private ArrayDeque<LogEntry> ring;
    private final int ringCapacity;

    int targetBatch;
    long lastActivityMs;
    /** Scheduler time at which the oldest entry of {@code pending} was appended. */
    long pendingSinceMs;
    Scheduler.Cancellable flushTimer;
    boolean released;
    int recoveryAttempts;
    /** A completion that arrived while RECOVERING; run once the parked entries are sequenced. */
    java.util.function.LongConsumer onCompleted;

    WorkflowBuffer(UUID runId, UUID workflowId, int ringCapacity, int targetBatch, long nowMs) {
        this.runId = runId;
        this.workflowId = workflowId;
        this.ringCapacity = ringCapacity;
        this.targetBatch = targetBatch;
        this.lastActivityMs = nowMs;
    }

    boolean recovering() {
        return parked != null;
    }

    /**
     * Gives the entry the next seq, adds it to the batch and the ring; returns the sequenced entry.
     *
     * @param ringLimit the ring size in force now (smaller under memory pressure)
     */
    LogEntry sequence(LogEntry e, int ringLimit) {
        LogEntry s = e.withSeq(++lastSeq);
        pending.add(s);
        int cap = Math.min(ringCapacity, ringLimit);
        if (cap > 0) {
            if (ring == null) ring = new ArrayDeque<>(Math.min(cap, RING_INITIAL_CAPACITY));
            while (ring.size() >= cap) ring.pollFirst();
            ring.addLast(s);
        } else if (ring != null) {
            ring = null;
        }
        return s;
    }

    /** Records the journal segment of the entry just sequenced (last in pending). */
    void journaled(long segment, long seq) {
        int i = pending.size() - 1;
        if (pendingSegments == null) pendingSegments = new long[Math.max(PENDING_INITIAL_CAPACITY, pending.size())];
        if (i >= pendingSegments.length) pendingSegments = java.util.Arrays.copyOf(pendingSegments, Math.max(i + 1, pendingSegments.length * 2));
        pendingSegments[i] = segment;
        if (segment < 0) lastUnjournaledSeq = seq;
    }

    /** Takes the current batch, leaving an empty one. */
    List<LogEntry> drainPending() {
        List<LogEntry> batch = pending;
        if (pendingSegments != null) {
            batch = new org.phong.zenflow.logging.journal.JournaledEntries(batch,
                    java.util.Arrays.copyOf(pendingSegments, batch.size()), false);
        }
        pending = new ArrayList<>(Math.min(targetBatch, PENDING_INITIAL_CAPACITY));
        if (flushTimer != null) {
            flushTimer.cancel();
            flushTimer = null;
        }
        return batch;
    }

    /** @return entries of the ring with seq greater than {@code afterSeq}, oldest first */
    List<LogEntry> ringAfter(long afterSeq) {
        List<LogEntry> out = new ArrayList<>();
        if (ring == null) return out;
        for (LogEntry e : ring) if (e.seq() > afterSeq) out.add(e);
        return out;
    }

    /** @return the oldest seq the ring still holds, or lastSeq + 1 when empty */
    long ringFirstSeq() {
        return ring == null || ring.isEmpty() ? lastSeq + 1 : ring.peekFirst().seq();
    }

    /** @return estimated heap bytes of the batch, the parked entries and the ring */
    long estimatedBytes() {
        long n = 0;
        for (LogEntry e : pending) n += estimate(e);
        if (parked != null) for (LogEntry e : parked) n += estimate(e);
        if (ring != null) for (LogEntry e : ring) n += estimate(e);
        return n;
    }

    /** Object headers and fields of an entry plus its strings (compact strings: ~1 byte a char, 40 bytes a String). */
    static long estimate(LogEntry e) {
        return ENTRY_OVERHEAD_BYTES + text(e.nodeKey()) + text(e.message()) + text(e.errorCode())
                + text(e.metadata()) + text(e.traceId()) + text(e.hierarchy());
    }

    private static long text(String s) {
        return s == null ? 0 : STRING_OVERHEAD_BYTES + s.length();
    }

    /** LogEntry object, two UUIDs and an Instant. */
    private static final long ENTRY_OVERHEAD_BYTES = 160;
    private static final long STRING_OVERHEAD_BYTES = 40;

    int bufferedCount() {
        return pending.size() + (parked == null ? 0 : parked.size());
    }

    static boolean flushesAtOnce(LogLevel level) {
        return level == LogLevel.ERROR;
    }
}
