package org.phong.zenflow.logging.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.router.RouteResult;

/**
 * Memory and threads against the number of runs, on one pipeline (heap is "used after full GC",
 * {@code System.gc()} in a JVM with a fixed heap, so it is live data only):
 * <ol>
 *   <li><b>churn</b>: heap before and after {@code churnRuns} runs started, given a few entries each,
 *       completed and written (after a warm-up churn, so class loading and JIT are not counted);</li>
 *   <li><b>idle runs</b>: heap and threads with 10 open runs, then with {@code idleRuns} open runs, each
 *       having logged {@code idleEntries} entries that are written and none watched by a live tail (so a
 *       run holds only its state); the difference per 1,000 runs;</li>
 *   <li><b>full ring</b>: the same for {@code fullRingRuns} runs that a live tail looked at before they
 *       logged ring-buffer-size entries (the most a run holds when its batches are written).</li>
 * </ol>
 * Entries are routed honouring backpressure, and counted for the exactness check like every phase.
 */
final class MemoryPhase {
    private static final long IDLE_TIMEOUT_MS = 300_000;
    private static final int GC_ROUNDS = 3;
    private static final long GC_SETTLE_MS = 100;
    static final int FEW_RUNS = 10;
    private static final long BACKPRESSURE_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Heap figures in bytes. */
    record Result(long churnRuns, long heapBeforeChurn, long heapAfterChurn,
                  int idleRuns, int idleEntries, long heapFewRuns, long heapIdleRuns, long estimatedBufferBytes,
                  int threadsFewRuns, int threadsIdleRuns,
                  int fullRingRuns, int ringSize, long heapBeforeFullRing, long heapFullRing) {
        double churnGrowth() {
            return (double) (heapAfterChurn - heapBeforeChurn) / heapBeforeChurn;
        }

        double bytesPerThousandIdleRuns() {
            return (double) (heapIdleRuns - heapFewRuns) * 1000 / (idleRuns - FEW_RUNS);
        }

        double bytesPerThousandFullRingRuns() {
            return (double) (heapFullRing - heapBeforeFullRing) * 1000 / fullRingRuns;
        }
    }

    private final BenchPipeline bp;
    private final LogRouter router;
    private final Workload workload;
    private final AtomicLong nextRunIndex;
    /** First run index of this phase; accepted counts live in a primitive array allocated up front, so
     *  the bookkeeping itself does not grow the heap between two measurements. */
    private final long base;
    private long[] acceptedByIndex = new long[0];
    final List<String> seqMismatches = new ArrayList<>();
    /** Where the live-object class histograms around the churn go ({@code --memory-histograms}); null: none taken. */
    java.nio.file.Path histogramDir;

    MemoryPhase(BenchPipeline bp, Workload workload, AtomicLong nextRunIndex) {
        this.bp = bp;
        this.router = bp.pipeline.router();
        this.workload = workload;
        this.nextRunIndex = nextRunIndex;
        this.base = nextRunIndex.get();
    }

    /** @return accepted entries per run of this phase */
    Map<UUID, Long> expected() {
        int n = (int) (nextRunIndex.get() - base);
        Map<UUID, Long> out = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) out.put(workload.runId(base + i), acceptedByIndex[i]);
        return out;
    }

    Result run(int warmupRuns, int churnRuns, int churnEntries, int churnConcurrency,
               int idleRuns, int idleEntries, int fullRingRuns) throws Exception {
        acceptedByIndex = new long[warmupRuns + churnRuns + idleRuns + fullRingRuns];
        churn(warmupRuns, churnEntries, churnConcurrency);
        idle();
        long before = heapAfterGc("churn-before");
        churn(churnRuns, churnEntries, churnConcurrency);
        idle();
        long after = heapAfterGc("churn-after");

        List<Run> open = new ArrayList<>(open(FEW_RUNS, idleEntries, false));
        idle();
        long heapFew = heapAfterGc();
        int threadsFew = threads();
        open.addAll(open(idleRuns - FEW_RUNS, idleEntries, false));
        idle();
        long heapIdle = heapAfterGc();
        int threadsIdle = threads();
        long estimate = bp.pipeline.buffers().estimateMemory().totalBytes();
        complete(open);
        idle();

        int ring = bp.pipeline.settings().ringBufferSize();
        long beforeRing = heapAfterGc("full-ring-before");
        List<Run> full = open(fullRingRuns, ring, true);
        idle();
        long heapFull = heapAfterGc("full-ring");
        complete(full);
        idle();
        return new Result(churnRuns, before, after, idleRuns, idleEntries, heapFew, heapIdle, estimate,
                threadsFew, threadsIdle, fullRingRuns, ring, beforeRing, heapFull);
    }

    /**
     * The churn again, on a pipeline whose {@code cleanup-idle-after-ms} is short: heap before, and
     * after the 100,000 runs once their tombstones (the last seq a released run leaves for that long)
     * have expired and been swept. Tells a bounded, time-limited cost from a leak.
     *
     * @return heap before, after the churn, and after a second churn of as many runs, bytes
     */
    long[] churnUntilTombstonesExpire(int warmupRuns, int churnRuns, int churnEntries, int churnConcurrency)
            throws Exception {
        acceptedByIndex = new long[warmupRuns + 2 * churnRuns];
        long expiry = bp.pipeline.settings().cleanupIdleAfterMs();
        // A tombstone lives cleanup-idle-after-ms; the sweep runs every quarter of it.
        long wait = expiry + expiry / 4 + expiry / 10;
        churn(warmupRuns, churnEntries, churnConcurrency);
        idle();
        Thread.sleep(wait);
        long before = heapAfterGc();
        churn(churnRuns, churnEntries, churnConcurrency);
        idle();
        Thread.sleep(wait);
        long after = heapAfterGc();
        // Once more: a high-water mark (e.g. a map's table) stays put, a leak grows again.
        churn(churnRuns, churnEntries, churnConcurrency);
        idle();
        Thread.sleep(wait);
        long again = heapAfterGc();
        return new long[]{before, after, again};
    }

    private final class Run {
        final long index = nextRunIndex.getAndIncrement();
        final UUID workflowId = workload.workflowId(index);
        final UUID runId = workload.runId(index);
        long accepted;
    }

    private void churn(int runs, int entries, int concurrency) throws Exception {
        for (int done = 0; done < runs; done += concurrency) {
            complete(open(Math.min(concurrency, runs - done), entries, false));
        }
    }

    /**
     * Starts {@code n} runs and routes {@code entries} entries to each, interleaved across the runs.
     *
     * @param watched look at each run as a live tail does first, so it keeps a ring of its latest entries
     */
    private List<Run> open(int n, int entries, boolean watched) {
        List<Run> runs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Run r = new Run();
            router.runStarted(new WorkflowRunStarted(r.workflowId, r.runId));
            runs.add(r);
        }
        if (watched) {
            router.barrier().join(); // the starts are in the buffers
            for (Run r : runs) bp.pipeline.buffers().snapshot(r.runId, 0);
        }
        for (int k = 1; k <= entries; k++) {
            for (Run r : runs) {
                while (!router.hasRoomFor(1)) LockSupport.parkNanos(BACKPRESSURE_WAIT_NS);
                if (router.route(workload.entry(r.index, r.workflowId, r.runId, r.accepted + 1, null)) == RouteResult.ACCEPTED) {
                    r.accepted++;
                }
            }
        }
        return runs;
    }

    private void complete(List<Run> runs) throws Exception {
        List<CompletableFuture<Long>> all = new ArrayList<>(runs.size());
        for (Run r : runs) {
            acceptedByIndex[(int) (r.index - base)] = r.accepted;
            all.add(router.runCompleted(new WorkflowRunCompleted(r.runId, RunOutcome.SUCCEEDED)).thenApply(last -> {
                if (last != r.accepted) {
                    synchronized (seqMismatches) {
                        seqMismatches.add("run " + r.runId + ": completion reported last seq " + last + ", accepted " + r.accepted);
                    }
                }
                return last;
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(IDLE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private void idle() throws InterruptedException {
        if (!bp.awaitIdle(IDLE_TIMEOUT_MS)) throw new IllegalStateException("the pipeline did not drain in " + IDLE_TIMEOUT_MS + " ms");
    }

    /**
     * Live heap: the bytes of the objects a full collection left, as the JVM's class histogram of live
     * objects ({@code jcmd GC.class_histogram}) totals them, after a few full collections so that
     * references cleared by one are collected by the next. Not the heap's "used" figure: after G1's full
     * collection that counts up to a region per compacting worker of free space too, and whatever the
     * pipeline's timers and the driver allocated since, which came and went by several hundred KB
     * between readings, as much as the 5% the churn figure allows.
     */
    static long heapAfterGc() throws InterruptedException {
        return liveHeap(classHistogram());
    }

    /** @return the "Total" line's bytes of a class histogram */
    static long liveHeap(String histogram) {
        for (String line : histogram.split("\\R")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                String[] f = t.split("\\s+");
                return Long.parseLong(f[f.length - 1]);
            }
        }
        throw new IllegalStateException("no Total line in the class histogram");
    }

    private static String classHistogram() throws InterruptedException {
        for (int i = 0; i < GC_ROUNDS; i++) {
            System.gc();
            Thread.sleep(GC_SETTLE_MS);
        }
        try {
            return String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[]{new String[0]}, new String[]{String[].class.getName()}));
        } catch (javax.management.JMException e) {
            throw new IllegalStateException("class histogram", e);
        }
    }

    /** {@link #heapAfterGc()}, keeping the histogram as {@code histogramDir/name.txt} when asked (to tell which objects a difference is) */
    private long heapAfterGc(String name) throws java.io.IOException, InterruptedException {
        String h = classHistogram();
        if (histogramDir != null) {
            java.nio.file.Files.createDirectories(histogramDir);
            java.nio.file.Files.writeString(histogramDir.resolve(name + ".txt"), h);
        }
        return liveHeap(h);
    }

    static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }
}
