package org.phong.zenflow.logging.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.router.RouteResult;

/**
 * Simulated engine: {@code threads} generator threads, each owning {@code concurrentRuns / threads}
 * run slots, emit entries round-robin over their runs at {@code rate / threads} entries/s (open
 * loop: entry i is due at {@code start + i x interval}; a thread ahead of schedule parks, one behind
 * catches up in a burst of at most {@link #MAX_LAG_NS} and counts the rest as missed). A run emits
 * {@link Workload#runLength} entries, completes, and a new run takes its slot, so about
 * {@code concurrentRuns} runs are always open.
 *
 * <p>Optionally closed on persistence ({@link #boundUnpersisted}): the threads also wait while more than a
 * given number of accepted entries are not yet written. Without a journal the router's own admission bound
 * does that; with one, an entry leaves admission once journaled, and an open-loop engine above the sinks' pace
 * would fill the journal at the cost of the CPU the sinks need, which measures a backlog growing, not a
 * sustained rate.
 *
 * <p>Only the {@code route()} call is timed (on the calling thread, into an HdrHistogram
 * {@link Recorder}); building the entry is the engine's cost, not the router's.
 *
 * <p>Bookkeeping for the exactness check: entries ACCEPTED per run, and the last seq each
 * {@code runCompleted} reports (must equal the accepted count).
 */
final class LoadGenerator {
    /** How far behind schedule a thread may burst to catch up; slots beyond are skipped (missed). */
    static final long MAX_LAG_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A thread more than this ahead of schedule parks. */
    private static final long PARK_AHEAD_NS = TimeUnit.MICROSECONDS.toNanos(200);
    /** Wait between backpressure checks when the router has no room. */
    private static final long BACKPRESSURE_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A finished or open run: what was accepted for it. */
    record RunRecord(long runIndex, UUID workflowId, UUID runId, long accepted) {
    }

    /** Entries between two checks of the unpersisted bound (a LongAdder sum per entry would cost more than the check saves). */
    private static final int UNPERSISTED_CHECK_EVERY = 64;

    private final LogRouter router;
    private final Workload workload;
    private java.util.function.LongSupplier persisted;
    private long maxUnpersisted = Long.MAX_VALUE;
    private final int threads;
    private final int concurrentRuns;
    private final double rate;
    private final int meanEntriesPerRun;
    private final boolean honourBackpressure;
    private final Recorder latency;
    private final AtomicLong nextRunIndex;

    private final List<Thread> running = new ArrayList<>();
    private volatile boolean stop;
    final LongAdder attempted = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder missed = new LongAdder();
    final LongAdder backpressureWaitNanos = new LongAdder();
    final LongAdder runsCompleted = new LongAdder();
    private final Map<UUID, RunRecord> runs = new ConcurrentHashMap<>();
    private final List<String> seqMismatches = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<CompletableFuture<Long>> completions = java.util.Collections.synchronizedList(new ArrayList<>());

    LoadGenerator(LogRouter router, Workload workload, int threads, int concurrentRuns, double rate,
                  int meanEntriesPerRun, boolean honourBackpressure, Recorder latency, AtomicLong nextRunIndex) {
        this.router = router;
        this.workload = workload;
        this.threads = threads;
        this.concurrentRuns = concurrentRuns;
        this.rate = rate;
        this.meanEntriesPerRun = meanEntriesPerRun;
        this.honourBackpressure = honourBackpressure;
        this.latency = latency;
        this.nextRunIndex = nextRunIndex;
    }

    /**
     * Closes the loop on persistence: generator threads wait while more than {@code max} accepted entries
     * are not yet persisted (waits count as backpressure). Call before {@link #start}.
     *
     * @param rowsPersisted rows the pipeline has written so far (starting at 0 with this generator)
     */
    LoadGenerator boundUnpersisted(java.util.function.LongSupplier rowsPersisted, long max) {
        this.persisted = rowsPersisted;
        this.maxUnpersisted = max;
        return this;
    }

    private boolean tooMuchUnpersisted() {
        return persisted != null && accepted.sum() - persisted.getAsLong() > maxUnpersisted;
    }

    void start() {
        running.addAll(startSlotThreads(threads, concurrentRuns, "bench-engine-", this::generate));
    }

    /**
     * Starts {@code threads} daemon threads that share {@code concurrentRuns} run slots as evenly as possible
     * (the first {@code concurrentRuns % threads} get one more); each runs {@code work} with its number of slots.
     *
     * @return the started threads
     */
    static List<Thread> startSlotThreads(int threads, int concurrentRuns, String namePrefix, java.util.function.IntConsumer work) {
        List<Thread> out = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            int slots = concurrentRuns / threads + (t < concurrentRuns % threads ? 1 : 0);
            Thread th = new Thread(() -> work.accept(slots), namePrefix + t);
            th.setDaemon(true);
            out.add(th);
            th.start();
        }
        return out;
    }

    /** Stops emitting; every open run is completed by its thread. Waits for the threads and the completions. */
    void stopAndCompleteRuns() throws Exception {
        stop = true;
        for (Thread t : running) t.join();
        CompletableFuture.allOf(completions.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    }

    /** @return accepted entries per run, every run this generator opened */
    Map<UUID, Long> expected() {
        Map<UUID, Long> out = new java.util.HashMap<>();
        for (RunRecord r : runs.values()) out.put(r.runId(), r.accepted());
        return out;
    }

    /** @return every run this generator opened, in run-index order */
    List<RunRecord> runs() {
        List<RunRecord> out = new ArrayList<>(runs.values());
        out.sort(java.util.Comparator.comparingLong(RunRecord::runIndex));
        return out;
    }

    /** @return runs whose completion reported a last seq other than their accepted count */
    List<String> seqMismatches() {
        return seqMismatches;
    }

    private final class Slot extends RunSlot {
        long acceptedHere;

        void open() {
            take(workload, nextRunIndex.getAndIncrement(), meanEntriesPerRun);
            acceptedHere = 0;
            router.runStarted(new WorkflowRunStarted(workflowId, runId));
        }

        void complete() {
            RunRecord r = new RunRecord(runIndex, workflowId, runId, acceptedHere);
            runs.put(runId, r);
            CompletableFuture<Long> f = router.runCompleted(new WorkflowRunCompleted(runId, RunOutcome.SUCCEEDED))
                    .whenComplete((last, err) -> {
                        if (err != null) seqMismatches.add("run " + r.runId() + ": completion failed: " + err);
                        else if (last != r.accepted()) {
                            seqMismatches.add("run " + r.runId() + ": completion reported last seq " + last
                                    + " but " + r.accepted() + " entries were accepted");
                        }
                    });
            completions.add(f);
            runsCompleted.increment();
        }
    }

    private void generate(int slotCount) {
        Slot[] slots = new Slot[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Slot();
            slots[i].open();
        }
        if (slotCount == 0) return;
        long interval = (long) (1e9 * threads / rate);
        long start = System.nanoTime();
        long i = 0;
        while (!stop) {
            long due = start + i * interval;
            long now = System.nanoTime();
            if (due - now > PARK_AHEAD_NS) {
                LockSupport.parkNanos(due - now);
                continue;
            }
            if (now - due > MAX_LAG_NS) { // behind: skip the slots that are too late to matter
                long skip = (now - due - MAX_LAG_NS) / interval + 1;
                missed.add(skip);
                i += skip;
                continue;
            }
            boolean unpersisted = i % UNPERSISTED_CHECK_EVERY == 0 && tooMuchUnpersisted();
            if (unpersisted || honourBackpressure && !router.hasRoomFor(1)) {
                long w0 = System.nanoTime();
                while (!stop && (tooMuchUnpersisted() || honourBackpressure && !router.hasRoomFor(1))) {
                    LockSupport.parkNanos(BACKPRESSURE_WAIT_NS);
                }
                long waited = System.nanoTime() - w0;
                backpressureWaitNanos.add(waited);
                start += waited; // the schedule moves with the wait: it is the sink's pace, not missed load
                continue;
            }
            Slot s = slots[(int) (i % slotCount)];
            LogEntry e = workload.entry(s.runIndex, s.workflowId, s.runId, s.emitted + 1, null);
            long t0 = System.nanoTime();
            RouteResult r = router.route(e);
            long t1 = System.nanoTime();
            latency.recordValue(t1 - t0);
            attempted.increment();
            s.emitted++;
            switch (r) {
                case ACCEPTED -> {
                    accepted.increment();
                    s.acceptedHere++;
                }
                case DROPPED -> dropped.increment();
                case REJECTED -> rejected.increment();
            }
            if (s.emitted >= s.length) {
                s.complete();
                s.open();
            }
            i++;
        }
        for (Slot s : slots) s.complete();
    }
}
