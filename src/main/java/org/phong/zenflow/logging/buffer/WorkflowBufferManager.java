package org.phong.zenflow.logging.buffer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.SinkBatch;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.stats.EndToEndTracker;
import org.phong.zenflow.logging.stats.PipelineObserver;
import org.phong.zenflow.logging.journal.Journal;
import org.phong.zenflow.logging.time.Backoff;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * Owns every active run's {@link WorkflowBuffer}: gives entries their gap-free seq, batches them
 * by size or age, and hands batches downstream (the collector).
 *
 * <p>Threads: appends, starts and completions of a run arrive from the one router worker that owns
 * the run, so per-run order is routing order. Timers run on the one shared {@link Scheduler}: a
 * run with a pending batch holds one scheduled task, never a thread, so threads do not grow with
 * runs. A sweeper releases idle runs.
 *
 * <p>Sequence continuity: a run released (completed or idle) leaves a tombstone with its last seq
 * for {@code cleanup-idle-after-ms}; any other run asks the {@link SequenceLookup} (PostgreSQL) for its
 * last seq, parking its entries in order meanwhile and retrying with backoff while the lookup fails (a
 * run started by an event waits at most {@code persistence.batch-timeout-ms}, see {@link #start}). A parked entry keeps its place in flight, so a
 * long database outage turns into backpressure, not unbounded memory.
 *
 * <p>Forgetting persisted runs: when the {@link SequenceLookup} reads the durable sinks (the
 * database), a released run's entries there are all it needs to continue, so once every durable
 * sink has taken a run's last entry ({@link #persisted}) its tombstone is dropped (or never made),
 * and the {@link ForgetListener} is told, so per-run state anywhere falls back to nothing: 100,000
 * completed runs leave no trace on the heap once written. Tombstones of runs not yet written stay
 * (they carry the seq the database cannot answer yet) and still expire after
 * {@code cleanup-idle-after-ms} as a bound.
 *
 * <p>Batching: a batch goes downstream when it reaches the run's target size, when its first
 * entry is {@code max-delay-ms} old, at once for ERROR, and on completion. The target adapts per
 * run between {@code min-batch-size} and {@code max-batch-size}: doubled when a batch fills before
 * its timer (a busy run), halved when the timer finds it less than half full (a quiet run).
 */
public final class WorkflowBufferManager {
    private static final Logger LOG = Logger.getLogger(WorkflowBufferManager.class.getName());
    /** The idle sweep runs this many times per cleanup-idle-after-ms. */
    private static final int SWEEPS_PER_IDLE_PERIOD = 4;
    /** How often {@link #awaitLookups} looks again (only at shutdown). */
    private static final long LOOKUP_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final LoggingSettings settings;
    private final Consumer<SinkBatch> downstream;
    private final Scheduler scheduler;
    private final SequenceLookup lookup;
    private final Executor lookupExecutor;
    private final PipelineObserver observer;
    /** Follows sampled entries to the durable sinks; null when nothing is sampled. */
    private final EndToEndTracker tracker;
    /** The write-ahead journal, or null when the pipeline runs without one. */
    private final Journal journal;
    /** Ring size in force: ring-buffer-size normally, smaller under memory pressure. */
    private volatile int ringLimit;
    private final BufferListener listener;
    /** Compression of every run's ring (one shared dictionary). */
    private final RingCodec ringCodec = new RingCodec();

    private final ConcurrentHashMap<UUID, WorkflowBuffer> runs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, Tombstone> tombstones = new ConcurrentHashMap<>();
    /** Entries parked in runs waiting for their seq lookup (see {@link #parkedEntries()}). */
    private final AtomicLong parkedEntries = new AtomicLong();
    /** Started runs waiting for their lookup, by deadline (scheduler millis); see {@link #armStartDeadlines}. */
    private final ConcurrentHashMap<WorkflowBuffer, Long> startDeadlines = new ConcurrentHashMap<>();
    /** The one timer of {@link #startDeadlines}; guarded by that map's monitor. */
    private Scheduler.Cancellable startDeadlineTimer;
    /** See {@link #lateStartConflicts()}. */
    private final AtomicLong lateStartConflicts = new AtomicLong();
    private final AtomicLong flushedBatches = new AtomicLong();
    private final AtomicLong releasedRuns = new AtomicLong();
    private volatile boolean sweeping;
    /** Null unless the seq lookup reads the durable sinks; then told of every run forgotten as persisted. */
    private volatile ForgetListener forgetPersisted;
    private volatile Scheduler.Cancellable sweep;

    /**
     * @param lastSeq     the run's highest seq known here
     * @param expiresAtMs when it is forgotten
     * @param floorOnly   true when it came from the journal at startup: the database may know a higher seq (the
     *                    journal's copy may have been damaged or lost), so the lookup still runs and the higher wins
     */
    private record Tombstone(long lastSeq, long expiresAtMs, boolean floorOnly) {
        Tombstone(long lastSeq, long expiresAtMs) {
            this(lastSeq, expiresAtMs, false);
        }
    }

    /** Hears of a released run forgotten because every durable sink has its entries through {@code lastSeq}. */
    @FunctionalInterface
    public interface ForgetListener {
        /** @param runId the run @param lastSeq its last seq, persisted */
        void forgotten(UUID runId, long lastSeq);
    }

    /**
     * Declares that the {@link SequenceLookup} reads the durable sinks, so a released run whose entries
     * are all persisted needs no tombstone (see the class comment).
     *
     * @param listener told of each run forgotten that way (after its tombstone is gone)
     */
    public void forgetPersistedRuns(ForgetListener listener) {
        this.forgetPersisted = java.util.Objects.requireNonNull(listener);
    }

    /**
     * Every durable sink has taken the run's entries through {@code seq} (batches arrive in seq order).
     * Drops the run's tombstone when it covers no more than that; an active run remembers it, so its
     * release makes no tombstone. Does nothing unless {@link #forgetPersistedRuns} was called.
     */
    public void persisted(UUID runId, long seq) {
        ForgetListener forget = forgetPersisted;
        if (forget == null) return;
        WorkflowBuffer b = runs.get(runId);
        if (b != null) {
            synchronized (b) {
                if (!b.released()) {
                    b.persisted(seq);
                    return;
                }
            } // released between get and lock: its tombstone is in place
        }
        long[] dropped = {-1};
        tombstones.computeIfPresent(runId, (k, t) -> {
            if (t.lastSeq > seq) return t;
            dropped[0] = t.lastSeq;
            return null;
        });
        if (dropped[0] >= 0) forget.forgotten(runId, dropped[0]);
    }

    /** @return true when the run has a buffer or a tombstone here (its last seq is known without a lookup) */
    public boolean holds(UUID runId) {
        return runs.containsKey(runId) || tombstones.containsKey(runId);
    }

    /**
     * @param settings       batch sizes, delay, ring size, idle cleanup
     * @param downstream     receives each batch (one run's entries, ascending seq, with how many of them the
     *                       journal could not hold); must not block
     * @param scheduler      the shared timer and clock
     * @param lookup         last seq of runs not held here
     * @param lookupExecutor where lookups run (never a router worker)
     */
    public WorkflowBufferManager(LoggingSettings settings, Consumer<SinkBatch> downstream,
                                 Scheduler scheduler, SequenceLookup lookup, Executor lookupExecutor) {
        this(settings, downstream, scheduler, lookup, lookupExecutor, PipelineObserver.NONE, null, null, BufferListener.NONE);
    }

    /** A manager without journal or metrics that tells {@code listener} of every sequenced entry (the live tail's tests). */
    public WorkflowBufferManager(LoggingSettings settings, Consumer<SinkBatch> downstream,
                                 Scheduler scheduler, SequenceLookup lookup, Executor lookupExecutor,
                                 BufferListener listener) {
        this(settings, downstream, scheduler, lookup, lookupExecutor, PipelineObserver.NONE, null, null, listener);
    }

    /**
     * @param settings       batch sizes, delay, ring size, idle cleanup
     * @param downstream     receives each batch (one run's entries, ascending seq, with how many of them the
     *                       journal could not hold); must not block
     * @param scheduler      the shared timer and clock
     * @param lookup         last seq of runs not held here
     * @param lookupExecutor where lookups run (never a router worker)
     * @param observer       hears every flushed batch (size and wait)
     * @param tracker        registers sampled entries once sequenced; null when nothing is sampled
     * @param journal        the write-ahead journal every sequenced entry is appended to (null: none)
     * @param listener       told of every sequenced entry and run start/release, under the run's monitor
     *                       (the live tail); {@link BufferListener#NONE} for none
     */
    public WorkflowBufferManager(LoggingSettings settings, Consumer<SinkBatch> downstream,
                                 Scheduler scheduler, SequenceLookup lookup, Executor lookupExecutor,
                                 PipelineObserver observer, EndToEndTracker tracker, Journal journal,
                                 BufferListener listener) {
        this.observer = observer;
        this.tracker = tracker;
        this.journal = journal;
        this.ringLimit = settings.ringBufferSize();
        this.listener = listener;
        this.settings = settings;
        this.downstream = downstream;
        this.scheduler = scheduler;
        this.lookup = lookup;
        this.lookupExecutor = lookupExecutor;
    }

    /** Starts the idle sweeper. */
    public void start() {
        sweeping = true;
        scheduleSweep();
    }

    /** Stops the sweeper; pending batches stay until {@link #flushAll()}. */
    public void stop() {
        sweeping = false;
        Scheduler.Cancellable s = sweep;
        if (s != null) s.cancel();
    }

    // ---------------------------------------------------------------- run lifecycle

    /**
     * Opens a run. A run released moments ago (its tombstone is here) continues from its last seq. Any
     * other run may be new, or an old one started again after its tombstone expired: the
     * {@link SequenceLookup} is asked, as for an unknown run, so a restarted run continues its seq and
     * never hands out 1 again; its entries park in order meanwhile. Unlike an unknown run's, a started
     * run's lookup is not waited for forever: when the database has not answered within
     * {@code persistence.batch-timeout-ms} (stopped, hung), the run is taken for new and numbered from
     * the highest seq known here (0 without a journal's floor), so a database outage does not hold the
     * entries of the runs an engine starts meanwhile (the journal takes them). Should the database answer
     * later with a higher seq, the collision is logged as an error and counted ({@link #lateStartConflicts}).
     *
     * @param workflowId its workflow
     * @param runId      the run
     */
    public void start(UUID workflowId, UUID runId) {
        if (runs.get(runId) != null) return;
        Tombstone t = tombstones.remove(runId);
        if (t != null && !t.floorOnly()) {
            runs.put(runId, newBuffer(runId, workflowId, t.lastSeq));
            listener.runStarted(workflowId, runId);
            return;
        }
        WorkflowBuffer b = newBuffer(runId, workflowId, -1);
        if (t != null) b.floorLastSeq(t.lastSeq);
        if (runs.putIfAbsent(runId, b) != null) return;
        listener.runStarted(workflowId, runId);
        startDeadlines.put(b, scheduler.nowMillis() + settings.batchTimeoutMs());
        armStartDeadlines();
        requestLastSeq(b);
    }

    /**
     * Waits until no run waits for its seq lookup (at shutdown, before the last flush: parked entries
     * would otherwise be sequenced after the collector stopped).
     *
     * @param timeoutMs the longest wait
     * @return true when none is left waiting
     */
    public boolean awaitLookups(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            int waiting = 0;
            for (WorkflowBuffer b : runs.values()) {
                synchronized (b) {
                    if (b.recovering()) waiting++;
                }
            }
            if (waiting == 0) return true;
            if (System.nanoTime() - deadline > 0) {
                LOG.warning(waiting + " run(s) still wait for their last seq from the database after " + timeoutMs
                        + " ms; their parked entries stay in the journal or are lost with the process");
                return false;
            }
            LockSupport.parkNanos(LOOKUP_POLL_NANOS);
        }
    }

    /**
     * @return entries admitted and taken from the router's queue but not sequenced yet, because their run waits
     *         for its seq lookup: like the router's queue, they still need room in the journal (journal pressure)
     */
    public long parkedEntries() {
        return parkedEntries.get();
    }

    /**
     * One timer for every started run still waiting for its lookup, not one per run: a timer per start would
     * keep a cancelled task (and the buffer it names) in the scheduler's queue for batch-timeout-ms after the
     * lookup answered, which at thousands of runs a second is heap. The timer is armed for the earliest
     * deadline while any is pending and cancelled when none is left.
     */
    private void armStartDeadlines() {
        synchronized (startDeadlines) {
            if (startDeadlineTimer != null || startDeadlines.isEmpty()) return;
            long earliest = Long.MAX_VALUE;
            for (long d : startDeadlines.values()) earliest = Math.min(earliest, d);
            startDeadlineTimer = scheduler.schedule(this::sweepStartDeadlines, Math.max(0, earliest - scheduler.nowMillis()));
        }
    }

    /** Takes every started run past its deadline for new (see {@link #start}), then re-arms for the next. */
    private void sweepStartDeadlines() {
        synchronized (startDeadlines) {
            startDeadlineTimer = null;
        }
        long now = scheduler.nowMillis();
        for (Map.Entry<WorkflowBuffer, Long> d : startDeadlines.entrySet()) {
            if (d.getValue() > now) continue;
            WorkflowBuffer b = d.getKey();
            synchronized (b) {
                if (b.recovering()) {
                    LOG.warning("Run " + b.runId + " was started while PostgreSQL did not say within " + settings.batchTimeoutMs()
                            + " ms whether it has entries already: numbered as a new run from seq " + (b.lastSeq() + 1));
                    endRecoveryWith(b, 0);
                }
            }
            startDeadlines.remove(b);
        }
        armStartDeadlines();
    }

    /** A started run's lookup answered (or it was taken for new): it no longer needs the timer. */
    private void startDeadlineDone(WorkflowBuffer b) {
        if (startDeadlines.remove(b) == null) return;
        synchronized (startDeadlines) {
            if (startDeadlines.isEmpty() && startDeadlineTimer != null) {
                startDeadlineTimer.cancel();
                startDeadlineTimer = null;
            }
        }
    }

    /** @return started runs the database later said had entries already, after they were taken for new (see {@link #start}) */
    public long lateStartConflicts() {
        return lateStartConflicts.get();
    }

    /**
     * Flushes everything routed for the run so far and releases its buffer. When the run's last seq
     * is still being looked up, this happens as soon as the lookup answers and the parked entries
     * are sequenced.
     *
     * @param runId   the run
     * @param outcome how it ended
     * @param done    receives the run's last seq (0 when it is unknown here) once its entries are handed downstream
     */
    public void complete(UUID runId, RunOutcome outcome, LongConsumer done) {
        WorkflowBuffer b = runs.get(runId);
        if (b == null) {
            Tombstone t = tombstones.get(runId);
            done.accept(t == null ? 0 : t.lastSeq);
            return;
        }
        synchronized (b) {
            if (b.recovering()) {
                b.deferCompletion(done, outcome); // finished by the lookup, in order after the parked entries
                return;
            }
            finishCompletion(b, outcome, done);
        }
    }

    /**
     * Flushes the run; with a journal, the buffer is freed (and {@code done} told) only once the
     * run's entries are durable in it, so a completed run is never only in memory. A journal that
     * fails meanwhile frees it at once: the entries are with the sinks either way.
     */
    private void finishCompletion(WorkflowBuffer b, RunOutcome outcome, LongConsumer done) {
        flush(b);
        long last = b.lastSeq();
        if (journal == null || !b.allJournaled()) {
            release(b, outcome);
            done.accept(last);
            return;
        }
        journal.whenDurable(journal.appendedPosition()).whenComplete((v, ex) -> {
            synchronized (b) {
                // Entries routed after the completion keep the buffer; the idle sweep frees it later.
                if (!b.released() && b.bufferedCount() == 0 && b.lastSeq() == last) release(b, outcome);
            }
            done.accept(last);
        });
    }

    // ---------------------------------------------------------------- durability marks

    /**
     * What the durability waits need to know of a run at a point in its routing order.
     *
     * @param lastSeq          the run's last seq (0 when none is known here)
     * @param journalPosition  the journal position that covers every journaled entry of the run so far
     * @param allJournaled     false when some entry of the run could not be journaled
     */
    public record RunMark(long lastSeq, long journalPosition, boolean allJournaled) {
    }

    /**
     * Takes the run's mark (call on the run's router worker, via {@code LogRouter.inRunOrder}). When
     * the run's last seq is still being looked up, the mark is taken once its parked entries are
     * sequenced. Also flushes the run's pending batch, so a waiter does not wait for max-delay-ms.
     *
     * @param runId the run
     * @param out   receives the mark
     */
    public void mark(UUID runId, Consumer<RunMark> out) {
        WorkflowBuffer b = runs.get(runId);
        long position = journal == null ? 0 : journal.appendedPosition();
        if (b == null) {
            Tombstone t = tombstones.get(runId);
            out.accept(new RunMark(t == null ? 0 : t.lastSeq, position, true));
            return;
        }
        synchronized (b) {
            if (b.released()) {
                // released between get and lock: the tombstone (or the successor) has the run's state
                mark(runId, out);
                return;
            }
            if (b.recovering()) {
                b.deferMark(() -> takeMark(b, out));
                return;
            }
            takeMark(b, out);
        }
    }

    private void takeMark(WorkflowBuffer b, Consumer<RunMark> out) {
        flush(b);
        out.accept(new RunMark(b.lastSeq(), journal == null ? 0 : journal.appendedPosition(), b.allJournaled()));
    }

    /**
     * Remembers the highest seq of a run found in the journal at startup, so the run continues
     * after it (the database may not have those entries yet).
     */
    public void seedLastSeq(UUID runId, long lastSeq) {
        tombstones.merge(runId, new Tombstone(lastSeq, scheduler.nowMillis() + settings.cleanupIdleAfterMs(), true),
                (a, b) -> a.lastSeq >= b.lastSeq ? a : b);
    }

    /** @param limit ring size per run from now on (at most ring-buffer-size); shrinks rings as they take entries */
    public void ringLimit(int limit) {
        this.ringLimit = Math.min(limit, settings.ringBufferSize());
    }

    /** @return the ring size per run in force */
    public int ringLimit() {
        return ringLimit;
    }

    // ---------------------------------------------------------------- entries

    /**
     * Sequences an entry into its run's batch (called by the router worker owning the run).
     *
     * @param e an admitted entry without seq
     */
    public void append(LogEntry e) {
        append(e, 0L);
    }

    /**
     * Sequences a sampled entry and registers it with the end-to-end tracker. An entry that has to
     * wait for its run's seq lookup is parked with its sample and registered when it is sequenced.
     *
     * @param e             an admitted entry without seq
     * @param routedAtNanos System.nanoTime() of its route() call, or 0 when it is not sampled
     */
    public void append(LogEntry e, long routedAtNanos) {
        while (true) {
            WorkflowBuffer b = runs.get(e.runId());
            if (b == null) b = openUnknown(e);
            synchronized (b) {
                if (b.released()) continue; // swept between get and lock: take the successor
                b.touch(scheduler.nowMillis());
                if (b.recovering()) {
                    b.park(e, routedAtNanos);
                    parkedEntries.incrementAndGet();
                    return;
                }
                LogEntry s = sequence(b, e);
                listener.sequenced(s);
                if (routedAtNanos != 0L && tracker != null) tracker.expect(s.runId(), s.seq(), routedAtNanos);
                afterAppend(b, s);
                return;
            }
        }
    }

    /**
     * Under the buffer's monitor: the next seq, then straight into the journal, so the journal holds
     * a run's entries in seq order and, on the run's router worker, in routing order.
     */
    private LogEntry sequence(WorkflowBuffer b, LogEntry e) {
        LogEntry s = b.sequence(e, ringLimit, scheduler.nowMillis());
        if (journal != null && journal.append(s) == Journal.NOT_JOURNALED) b.notJournaled(s.seq());
        return s;
    }

    private void afterAppend(WorkflowBuffer b, LogEntry last) {
        if (b.grewPastTarget(settings.maxBatchSize()) || WorkflowBuffer.flushesAtOnce(last.level())) {
            flush(b);
        } else if (b.needsTimer()) {
            b.armTimer(scheduler.schedule(() -> onTimer(b), settings.maxDelayMs()));
        }
    }

    private void onTimer(WorkflowBuffer b) {
        synchronized (b) {
            if (b.timerFired(settings.minBatchSize())) flush(b);
        }
    }

    /** Runs under the buffer's monitor, so a run's batches go downstream in seq order. */
    private void flush(WorkflowBuffer b) {
        long since = b.pendingSinceMs();
        SinkBatch batch = b.drainPending();
        if (batch == null) return;
        flushedBatches.incrementAndGet();
        observer.batchFlushed(batch.entries().size(), scheduler.nowMillis() - since);
        downstream.accept(batch);
    }

    /** Flushes every run's pending batch now (shutdown, tests). */
    public void flushAll() {
        for (WorkflowBuffer b : runs.values()) {
            synchronized (b) {
                flush(b);
            }
        }
    }

    // ---------------------------------------------------------------- unknown runs

    private WorkflowBuffer openUnknown(LogEntry e) {
        Tombstone t = tombstones.remove(e.runId());
        // Unknown here, or known only from the journal: the database answers too, and the highest seq wins,
        // so a run never hands out again a seq that may have been stored or seen.
        boolean lookUp = t == null || t.floorOnly();
        WorkflowBuffer fresh = newBuffer(e.runId(), e.workflowId(), lookUp ? -1 : t.lastSeq);
        if (t != null && lookUp) fresh.floorLastSeq(t.lastSeq);
        WorkflowBuffer raced = runs.putIfAbsent(e.runId(), fresh);
        if (raced != null) return raced;
        if (fresh.recovering()) requestLastSeq(fresh);
        return fresh;
    }

    private void requestLastSeq(WorkflowBuffer b) {
        Runnable ask = () -> {
            long last;
            try {
                last = lookup.lastSeq(b.runId);
            } catch (Exception ex) {
                retryLookup(b, ex);
                return;
            }
            synchronized (b) {
                if (!b.recovering()) {
                    // a started run taken for new after the timeout: a higher answer means its seqs repeat
                    if (last > 0) {
                        lateStartConflicts.incrementAndGet();
                        LOG.severe("Run " + b.runId + " was taken for new while PostgreSQL was slow, but it has entries up to seq "
                                + last + " already: seqs from 1 were handed out again for it");
                    }
                    return;
                }
                endRecoveryWith(b, last);
            }
        };
        try {
            lookupExecutor.execute(ask);
        } catch (RejectedExecutionException ex) {
            retryLookup(b, ex);
        }
    }

    /** RECOVERING -&gt; READY with {@code last}: sequences the parked entries, runs the marks and a deferred completion. */
    private void endRecoveryWith(WorkflowBuffer b, long last) {
        WorkflowBuffer.Recovered r = b.endRecovery(last);
        parkedEntries.addAndGet(-r.parked().size());
        startDeadlineDone(b);
        int next = 0;
        for (int i = 0; i < r.parked().size(); i++) {
            LogEntry s = sequence(b, r.parked().get(i));
            listener.sequenced(s);
            if (next < r.samples().size() && r.samples().get(next)[0] == i) {
                if (tracker != null) tracker.expect(s.runId(), s.seq(), r.samples().get(next)[1]);
                next++;
            }
            afterAppend(b, s);
        }
        r.marks().forEach(Runnable::run);
        if (r.completion() != null) finishCompletion(b, r.outcome(), r.completion());
    }

    private void retryLookup(WorkflowBuffer b, Exception cause) {
        int attempt;
        synchronized (b) {
            if (!b.recovering()) return; // a started run already taken for new
            attempt = b.nextRecoveryAttempt();
        }
        long delay = Backoff.withJitter(settings.retryBackoffMs(), settings.retryMaxBackoffMs(), attempt);
        LOG.log(attempt == 1 ? Level.WARNING : Level.FINE,
                "Cannot look up the last seq of run " + b.runId + " (attempt " + attempt + "); its entries wait in order, retry in " + delay + " ms", cause);
        scheduler.schedule(() -> {
            boolean still;
            synchronized (b) {
                still = b.recovering();
            }
            if (still) requestLastSeq(b);
        }, delay);
    }

    // ---------------------------------------------------------------- idle cleanup

    private void scheduleSweep() {
        if (!sweeping) return;
        long period = Math.max(1, settings.cleanupIdleAfterMs() / SWEEPS_PER_IDLE_PERIOD);
        sweep = scheduler.schedule(() -> {
            try {
                sweepIdle();
            } finally {
                scheduleSweep();
            }
        }, period);
    }

    /** Releases runs idle for cleanup-idle-after-ms and forgets expired tombstones. */
    public void sweepIdle() {
        long now = scheduler.nowMillis();
        long idleAfter = settings.cleanupIdleAfterMs();
        for (WorkflowBuffer b : runs.values()) {
            synchronized (b) {
                if (b.idleSince(now, idleAfter)) {
                    flush(b);
                    release(b, null);
                }
            }
        }
        for (Iterator<Map.Entry<UUID, Tombstone>> it = tombstones.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue().expiresAtMs <= now) it.remove();
        }
    }

    /**
     * Under the buffer's monitor, with nothing pending. Tombstone first, so a successor continues the
     * seq; none when every durable sink already has the run's last entry and the lookup reads them.
     */
    private void release(WorkflowBuffer b, RunOutcome outcome) {
        ForgetListener forget = forgetPersisted;
        boolean written = forget != null && b.persistedThrough() >= b.lastSeq();
        if (!written) tombstones.put(b.runId, new Tombstone(b.lastSeq(), scheduler.nowMillis() + settings.cleanupIdleAfterMs()));
        b.release();
        runs.remove(b.runId, b);
        releasedRuns.incrementAndGet();
        listener.runReleased(b.runId, b.lastSeq(), outcome);
        if (written) forget.forgotten(b.runId, b.lastSeq());
    }

    /** @param lastSeq the run's known last seq, or -1 to look it up (the buffer starts RECOVERING) */
    private WorkflowBuffer newBuffer(UUID runId, UUID workflowId, long lastSeq) {
        WorkflowBuffer b = new WorkflowBuffer(runId, workflowId, lastSeq, ringCodec, settings.ringBufferSize(),
                settings.defaultBatchSize(), scheduler.nowMillis());
        if (listener.watches(runId)) b.watch();
        return b;
    }

    // ---------------------------------------------------------------- reading

    /**
     * @param runId    the run
     * @param afterSeq return entries with a greater seq
     * @return the run's entries in memory after {@code afterSeq} (its ring, or its pending batch when that
     *         reaches further back); empty when the run is not active here
     */
    public List<LogEntry> recent(UUID runId, long afterSeq) {
        WorkflowBuffer b = runs.get(runId);
        if (b == null) return List.of();
        synchronized (b) {
            return b.inMemoryAfter(afterSeq);
        }
    }

    /**
     * Where a live tail of the run must take its history from, read atomically with respect to the
     * run's appends: an entry sequenced after this call is reported to the {@link BufferListener}
     * after it; one sequenced before is in {@code inMemory} (seq &gt; afterSeq) or has seq &lt;
     * {@code firstInMemory} and is on its way to the durable sinks (in the pending batch or handed downstream).
     * Memory here is the run's ring or its pending batch, whichever reaches further back.
     * The run counts as watched from here on: its ring starts with the next entry sequenced, so the first
     * snapshot of a run nobody watched holds only its pending batch and the rest of its history is the
     * database's; later snapshots (a reconnect) find the entries since in memory.
     *
     * @param runId    the run
     * @param afterSeq the caller has everything up to this seq
     * @return the run's state here
     */
    public MemorySnapshot snapshot(UUID runId, long afterSeq) {
        WorkflowBuffer b = runs.get(runId);
        if (b != null) {
            synchronized (b) {
                if (!b.released()) {
                    b.watch(); // the ring starts here: what was sequenced before is on its way to the sinks
                    if (b.recovering()) return new MemorySnapshot(MemorySnapshot.State.RECOVERING, List.of(), 0, 0);
                    return new MemorySnapshot(MemorySnapshot.State.ACTIVE, b.inMemoryAfter(afterSeq), b.firstInMemory(), b.lastSeq());
                }
            }
        }
        Tombstone t = tombstones.get(runId);
        if (t != null) return new MemorySnapshot(MemorySnapshot.State.RELEASED, List.of(), t.lastSeq + 1, t.lastSeq);
        // Released so long ago that the tombstone expired, or never seen: everything is in the sinks.
        return new MemorySnapshot(MemorySnapshot.State.UNKNOWN, List.of(), 0, 0);
    }

    /**
     * @param state        ACTIVE (memory holds the latest entries), RECOVERING (last seq being looked up:
     *                     nothing sequenced yet), RELEASED (lastSeq known, nothing in memory), UNKNOWN
     * @param inMemory      entries in memory (ring or pending batch) after the asked seq, ascending (ACTIVE only)
     * @param firstInMemory oldest seq in memory, lastSeq + 1 when none (ACTIVE, RELEASED); 0 otherwise
     * @param lastSeq      last seq given (ACTIVE, RELEASED); 0 otherwise
     */
    public record MemorySnapshot(State state, List<LogEntry> inMemory, long firstInMemory, long lastSeq) {
        /** See the record. */
        public enum State { ACTIVE, RECOVERING, RELEASED, UNKNOWN }
    }

    /** @return the last seq given to an active or recently released run */
    public Optional<Long> lastSeq(UUID runId) {
        WorkflowBuffer b = runs.get(runId);
        if (b != null) {
            synchronized (b) {
                return b.recovering() ? Optional.empty() : Optional.of(b.lastSeq());
            }
        }
        Tombstone t = tombstones.get(runId);
        return t == null ? Optional.empty() : Optional.of(t.lastSeq);
    }

    /** @return true when the run has a buffer here */
    public boolean isActive(UUID runId) { return runs.containsKey(runId); }

    /** @return runs holding a buffer */
    public int activeRuns() { return runs.size(); }

    /** @return released runs whose last seq is kept here (not yet written, or seeded from the journal) */
    public int tombstones() { return tombstones.size(); }

    /** @return entries waiting in batches or parked for a seq lookup */
    public long bufferedEntries() {
        long n = 0;
        for (WorkflowBuffer b : runs.values()) {
            synchronized (b) {
                n += b.bufferedCount();
            }
        }
        return n;
    }

    /**
     * Walks every active run (cost grows with runs: for status pages and metrics scrapes, not the hot path).
     *
     * @return estimated heap held by buffers: total bytes, and the run holding the most
     */
    public MemoryEstimate estimateMemory() {
        long total = 0;
        long largest = 0;
        UUID largestRun = null;
        for (WorkflowBuffer b : runs.values()) {
            long n;
            synchronized (b) {
                n = b.estimatedBytes();
            }
            total += n;
            if (n > largest) {
                largest = n;
                largestRun = b.runId;
            }
        }
        return new MemoryEstimate(total, largest, largestRun);
    }

    /**
     * @param totalBytes      all buffers: pending batches, parked entries and rings
     * @param largestRunBytes the run holding the most
     * @param largestRun      that run, or null when there is none
     */
    public record MemoryEstimate(long totalBytes, long largestRunBytes, UUID largestRun) {
    }

    /** @return batches handed downstream since start */
    public long flushedBatches() { return flushedBatches.get(); }

    /** @return buffers released (completed or idle) since start */
    public long releasedRuns() { return releasedRuns.get(); }

    /** @return current target batch size of a run, for tests and diagnostics */
    public Optional<Integer> targetBatch(UUID runId) {
        WorkflowBuffer b = runs.get(runId);
        if (b == null) return Optional.empty();
        synchronized (b) {
            return Optional.of(b.targetBatch());
        }
    }
}
