package org.phong.zenflow.logging.buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.LongConsumer;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.SinkBatch;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * The in-memory state of one active run: its sequence counter, the batch being collected, and,
 * once someone watches the run, a compact ring of its latest entries for live tails. Guarded by its own monitor (every method is
 * called under it); appends come from the router worker that owns the run, flushes also from the
 * shared scheduler.
 *
 * <p>States and their transitions (each one a method here; the manager decides when):
 * <pre>
 *   RECOVERING --{@link #endRecovery}--&gt; READY --{@link #release}--&gt; RELEASED (final)
 *   (new with unknown last seq)          (new with known last seq)
 * </pre>
 * RECOVERING: the run's last seq is being looked up; entries are parked in arrival order
 * ({@link #park}), and a mark or a completion arriving meanwhile is deferred ({@link #deferMark},
 * {@link #deferCompletion}) and handed back by {@link #endRecovery} in order. READY: entries are
 * sequenced ({@link #sequence}) into the pending batch, and into the ring when the run is watched. RELEASED: the buffer takes no
 * entry; the manager makes a new one that continues the sequence.
 *
 * <p>Batching state: the pending batch, the time its oldest entry arrived, its flush timer and the
 * run's adaptive target size ({@link #grewPastTarget}, {@link #timerFired}).
 */
final class WorkflowBuffer {
    final UUID runId;
    final UUID workflowId;

    /** Last seq handed out; the next entry gets lastSeq + 1. */
    private long lastSeq;
    /** Entries waiting for the seq lookup, in arrival order; null once READY. */
    private List<LogEntry> parked;
    /** Sampled parked entries: {index in parked, route() nanos}; null when none. */
    private List<long[]> parkedSamples;
    /** Marks that arrived while RECOVERING; run once the parked entries are sequenced. */
    private List<Runnable> afterRecovery;
    /** A completion that arrived while RECOVERING, and its outcome. */
    private LongConsumer onCompleted;
    private RunOutcome completedOutcome;
    private int recoveryAttempts;
    private boolean released;
    /** Highest seq every durable sink has taken (0: none, or not followed). */
    private long persistedThrough;

    /** The batch being collected. Default-sized: an idle run's empty list holds no array. */
    private ArrayList<LogEntry> pending = new ArrayList<>();
    /** Size of the last batch taken: the first entry of the next one sizes its array (growing it by halves was 13% of the router's CPU). */
    private int lastBatchSize;
    /** Entries of {@code pending} the journal could not hold. */
    private int pendingUnjournaled;
    /** Highest seq that could not be journaled (journal unavailable or full); 0 when none. */
    private long lastUnjournaledSeq;
    /** Scheduler time at which the oldest entry of {@code pending} was appended. */
    private long pendingSinceMs;
    private Scheduler.Cancellable flushTimer;
    private int targetBatch;
    private long lastActivityMs;

    /**
     * Set when a live tail first asks for the run ({@link #watch}) and kept for the buffer's life: only
     * then are entries kept in the ring. Encoding and compressing every entry of every run cost as much
     * as the rest of the router's work together (e2e benchmark: 11.3 against 6.8 us of JVM CPU a row),
     * for a history the database serves anyway; a watched run's ring serves its reconnects from memory.
     */
    private boolean watched;
    /** Latest entries since the run was watched; allocated on first use, dropped when the ring limit is 0. */
    private CompactRing ring;
    private final RingCodec codec;
    private final int ringCapacity;

    /**
     * @param lastSeq the run's last seq when known (0 for a new run), or -1 when it must be looked up (RECOVERING)
     */
    WorkflowBuffer(UUID runId, UUID workflowId, long lastSeq, RingCodec codec, int ringCapacity, int targetBatch, long nowMs) {
        this.runId = runId;
        this.workflowId = workflowId;
        this.codec = codec;
        this.ringCapacity = ringCapacity;
        this.targetBatch = targetBatch;
        this.lastActivityMs = nowMs;
        if (lastSeq < 0) {
            parked = new ArrayList<>();
        } else {
            this.lastSeq = lastSeq;
        }
    }

    // ---------------------------------------------------------------- state

    boolean recovering() {
        return parked != null;
    }

    boolean released() {
        return released;
    }

    long lastSeq() {
        return lastSeq;
    }

    /** @return false when some entry of the run could not be journaled */
    boolean allJournaled() {
        return lastUnjournaledSeq == 0;
    }

    /** Every durable sink has the run's entries through {@code seq}. */
    void persisted(long seq) {
        persistedThrough = Math.max(persistedThrough, seq);
    }

    long persistedThrough() {
        return persistedThrough;
    }

    /** Marks activity (an append) at {@code nowMs}. */
    void touch(long nowMs) {
        lastActivityMs = nowMs;
    }

    /** @return true when READY and quiet since {@code idleAfterMs} */
    boolean idleSince(long nowMs, long idleAfterMs) {
        return !released && parked == null && nowMs - lastActivityMs >= idleAfterMs;
    }

    /**
     * RECOVERING: keeps the entry for sequencing once the last seq is known.
     *
     * @param routedAtNanos its sampled route() time, or 0 when it is not sampled (a burst of new runs parks most
     *                      of their first entries: skipping their samples would leave the end-to-end latency
     *                      without the entries that waited longest)
     */
    void park(LogEntry e, long routedAtNanos) {
        if (routedAtNanos != 0L) {
            if (parkedSamples == null) parkedSamples = new ArrayList<>();
            parkedSamples.add(new long[] {parked.size(), routedAtNanos});
        }
        parked.add(e);
    }

    /** RECOVERING: runs {@code mark} once the parked entries are sequenced. */
    void deferMark(Runnable mark) {
        if (afterRecovery == null) afterRecovery = new ArrayList<>();
        afterRecovery.add(mark);
    }

    /** RECOVERING: finishes the completion once the parked entries are sequenced. */
    void deferCompletion(LongConsumer done, RunOutcome outcome) {
        onCompleted = done;
        completedOutcome = outcome;
    }

    /** @return the number of this lookup attempt (1 for the first failure) */
    int nextRecoveryAttempt() {
        return ++recoveryAttempts;
    }

    /**
     * What a RECOVERING buffer held when it became READY, to be replayed in this order.
     *
     * @param samples {index in parked, route() nanos} of its sampled entries
     */
    record Recovered(List<LogEntry> parked, List<long[]> samples, List<Runnable> marks, LongConsumer completion, RunOutcome outcome) {
    }

    /** While RECOVERING: a seq the run is known to have reached (from the journal); the lookup's answer can only raise it. */
    void floorLastSeq(long known) {
        lastSeq = Math.max(lastSeq, known);
    }

    /** RECOVERING -&gt; READY with the looked-up last seq (never below one already known). */
    Recovered endRecovery(long lookedUpLastSeq) {
        lastSeq = Math.max(lastSeq, lookedUpLastSeq);
        Recovered r = new Recovered(parked, parkedSamples == null ? List.of() : parkedSamples,
                afterRecovery == null ? List.of() : afterRecovery, onCompleted, completedOutcome);
        parked = null;
        parkedSamples = null;
        afterRecovery = null;
        onCompleted = null;
        completedOutcome = null;
        return r;
    }

    /** READY -&gt; RELEASED (final). Nothing may be pending. */
    void release() {
        if (!pending.isEmpty()) throw new IllegalStateException("run " + runId + " released with " + pending.size() + " pending entries");
        released = true;
        ring = null;
    }

    // ---------------------------------------------------------------- entries and batches

    /**
     * READY: gives the entry the next seq, adds it to the batch (and the ring, when watched); returns the sequenced entry.
     *
     * @param ringLimit the ring size in force now (smaller under memory pressure)
     * @param nowMs     now, the batch's start when it was empty
     */
    LogEntry sequence(LogEntry e, int ringLimit, long nowMs) {
        LogEntry s = e.withSeq(++lastSeq);
        if (pending.isEmpty()) {
            pendingSinceMs = nowMs;
            pending.ensureCapacity(lastBatchSize); // one array of the size batches have, not 10, 15, 22, ...
        }
        pending.add(s);
        if (watched) remember(s, ringLimit);
        return s;
    }

    /**
     * From now on the run's entries are kept in the ring (the first one sequenced after this call is
     * its first). Every entry after the call goes in, so the ring always holds consecutive seqs.
     */
    void watch() {
        watched = true;
    }

    private void remember(LogEntry s, int ringLimit) {
        int cap = Math.min(ringCapacity, ringLimit);
        if (cap > 0) {
            if (ring == null) ring = new CompactRing(codec, runId, cap);
            else if (cap != ring.capacity()) ring.capacity(cap);
            ring.add(s);
        } else {
            ring = null;
        }
    }

    /** The journal could not hold the entry just sequenced (last in pending), seq {@code seq}. */
    void notJournaled(long seq) {
        pendingUnjournaled++;
        lastUnjournaledSeq = seq;
    }

    int pendingCount() {
        return pending.size();
    }

    long pendingSinceMs() {
        return pendingSinceMs;
    }

    /**
     * After an append: true when the batch reached its target, which doubles (up to {@code maxBatch}),
     * as a busy run's batches should be larger.
     */
    boolean grewPastTarget(int maxBatch) {
        if (pending.size() < targetBatch) return false;
        targetBatch = Math.min(maxBatch, targetBatch * 2);
        return true;
    }

    /** @return true when the batch waits for no timer yet */
    boolean needsTimer() {
        return flushTimer == null && !pending.isEmpty();
    }

    void armTimer(Scheduler.Cancellable timer) {
        flushTimer = timer;
    }

    /**
     * The flush timer fired: halves the target (down to {@code minBatch}) when it found the batch less
     * than half full, as a quiet run's batches should be smaller.
     *
     * @return true when there is a batch to flush
     */
    boolean timerFired(int minBatch) {
        flushTimer = null;
        if (pending.isEmpty()) return false;
        if (pending.size() < targetBatch / 2) targetBatch = Math.max(minBatch, targetBatch / 2);
        return true;
    }

    /** Takes the current batch, leaving an empty one, and cancels its timer; null when nothing is pending. */
    SinkBatch drainPending() {
        if (flushTimer != null) {
            flushTimer.cancel();
            flushTimer = null;
        }
        if (pending.isEmpty()) return null;
        SinkBatch batch = new SinkBatch(pending, pendingUnjournaled);
        lastBatchSize = pending.size();
        pending = new ArrayList<>();
        pendingUnjournaled = 0;
        return batch;
    }

    int targetBatch() {
        return targetBatch;
    }

    // ---------------------------------------------------------------- ring

    /*
     * What a live tail can read from memory: the ring (a watched run's latest entries) or the pending
     * batch (entries not yet handed downstream), whichever reaches further back. Both end at lastSeq and
     * hold consecutive seqs (a batch is taken whole), so either is the run's suffix: the first look at a
     * run nobody watched still finds its unflushed entries here instead of waiting up to max-delay-ms
     * for them to reach the database.
     */

    /** @return entries held in memory with seq greater than {@code afterSeq}, oldest first */
    List<LogEntry> inMemoryAfter(long afterSeq) {
        if (pendingReachesFurther()) {
            int from = (int) Math.max(0, afterSeq + 1 - pending.get(0).seq());
            return from >= pending.size() ? new ArrayList<>(0) : new ArrayList<>(pending.subList(from, pending.size()));
        }
        return ring == null ? new ArrayList<>(0) : ring.after(afterSeq);
    }

    /** @return the oldest seq held in memory (ring or pending batch), or lastSeq + 1 when none */
    long firstInMemory() {
        if (pendingReachesFurther()) return pending.get(0).seq();
        return ring == null || ring.size() == 0 ? lastSeq + 1 : ring.firstSeq();
    }

    private boolean pendingReachesFurther() {
        return !pending.isEmpty() && (ring == null || ring.size() == 0 || pending.get(0).seq() < ring.firstSeq());
    }

    // ---------------------------------------------------------------- memory

    /** @return estimated heap bytes of the batch, the parked entries and the ring */
    long estimatedBytes() {
        long n = 0;
        for (LogEntry e : pending) n += estimate(e);
        if (parked != null) for (LogEntry e : parked) n += estimate(e);
        if (ring != null) n += ring.estimatedBytes();
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
