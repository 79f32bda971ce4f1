package org.phong.zenflow.logging.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.config.StreamSettings;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.sink.postgres.PostgresLogReader;
import org.phong.zenflow.logging.stream.EncodedEntry;
import org.phong.zenflow.logging.stream.Frame;
import org.phong.zenflow.logging.stream.Outbound;
import org.phong.zenflow.logging.stream.StreamHub;
import org.phong.zenflow.logging.time.ExecutorScheduler;

/**
 * The live-tail section of the benchmark: the real pipeline (PostgreSQL sink) with the real
 * {@link StreamHub} as its listener, as the server builds them, and in-process readers in place of
 * WebSocket sessions. A reader's {@link Outbound#send} builds the frame's text (the string a socket
 * would carry: the shared per-entry JSON, concatenated per reader), takes the time, and completes
 * the send from a separate "socket" thread pool, as Liberty's asynchronous send does; the network
 * and the client's parsing are not part of the figure (the server-side IT {@code StreamLatencyIT}
 * measures over real WebSockets).
 *
 * <p>Route-to-reader latency is from just before {@code route()} to the moment the reader holds the
 * frame's text. Every reader must end with exactly 1..N of its run and the run's end (else the phase
 * reports a problem, and the benchmark fails).
 */
final class LiveTailPhase {
    /** Threads that complete the readers' sends (the stand-in for the WebSocket container's). */
    private static final int SOCKET_THREADS = 2;
    private static final long DRAIN_MS = 120_000;

    private final BenchDatabase db;
    private final LoggingSettings settings;
    private final Workload workload;
    private final List<String> problems;

    LiveTailPhase(BenchDatabase db, LoggingSettings settings, Workload workload, List<String> problems) {
        this.db = db;
        this.settings = settings;
        this.workload = workload;
        this.problems = problems;
    }

    /** A latency figure. */
    record Latency(String scenario, int runs, int readersPerRun, double ratePerRun, long entries, double p50Ms, double p99Ms,
                   double p999Ms, double maxMs, double entriesPerFrame, long closedSlow) {
        Map<String, Object> json() {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("scenario", scenario);
            j.put("runs", runs);
            j.put("readersPerRun", readersPerRun);
            j.put("entriesPerSecondPerRun", ratePerRun);
            j.put("entriesPerRun", entries);
            j.put("p50Ms", p50Ms);
            j.put("p99Ms", p99Ms);
            j.put("p999Ms", p999Ms);
            j.put("maxMs", maxMs);
            j.put("entriesPerFrame", entriesPerFrame);
            j.put("closedSlow", closedSlow);
            return j;
        }
    }

    /** One in-process reader of one run: checks exactness, records latency, completes sends on the socket pool. */
    private static final class Reader implements Outbound {
        private final AtomicLongArray routeNanos;
        private final Recorder latency;
        private final ExecutorService socket;
        private final long measureFromSeq;
        private long next = 1;
        private long frames;
        private long entries;
        volatile int closeCode = -1;
        volatile String problem;
        volatile boolean ended;
        /** Set after subscribing: a ping is answered at once (as a client's WebSocket stack does with a pong). */
        volatile org.phong.zenflow.logging.stream.Subscription sub;

        Reader(AtomicLongArray routeNanos, Recorder latency, ExecutorService socket, long measureFromSeq) {
            this.routeNanos = routeNanos;
            this.latency = latency;
            this.socket = socket;
            this.measureFromSeq = measureFromSeq;
        }

        @Override
        public void send(Frame frame, Consumer<Throwable> done) {
            String text = frame.text(); // what the socket would carry
            long now = System.nanoTime();
            if (frame instanceof Frame.Logs l) {
                frames++;
                for (EncodedEntry e : l.entries()) {
                    if (e.seq() != next && problem == null) problem = "seq " + e.seq() + " where " + next + " was due";
                    next = e.seq() + 1;
                    entries++;
                    if (e.seq() >= measureFromSeq) latency.recordValue(Math.max(0, now - routeNanos.get((int) e.seq())));
                }
            } else if (frame instanceof Frame.RunEnded) {
                ended = true;
            }
            if (text.isEmpty()) problem = "empty frame";
            socket.execute(() -> done.accept(null));
        }

        @Override
        public void ping() {
            var s = sub;
            if (s != null) s.heard();
        }

        @Override
        public void close(int code, String reason) {
            closeCode = code;
        }
    }

    /**
     * {@code runs} runs, {@code readersPerRun} readers each, {@code ratePerRun} entries/s into each
     * for warm-up plus measured seconds; one generator thread paces all runs round-robin.
     */
    Latency latency(String scenario, int runs, int readersPerRun, double ratePerRun, int warmupSeconds, int seconds)
            throws Exception {
        db.truncate();
        int perRun = (int) (ratePerRun * (warmupSeconds + seconds));
        long measureFrom = (long) (ratePerRun * warmupSeconds) + 1;
        ExecutorService socket = Executors.newFixedThreadPool(SOCKET_THREADS, BenchPipeline.daemon("bench-socket"));
        Recorder latency = new Recorder(3);
        Holder h = new Holder();
        BenchPipeline bp = new BenchPipeline(db.ds, settings, PipelineVariant.JOURNAL_OFF, h);
        try {
            StreamHub hub = h.attach(bp, db);
            List<UUID> ids = new ArrayList<>();
            List<AtomicLongArray> routeNanos = new ArrayList<>();
            List<Reader> readers = new ArrayList<>();
            UUID wf = UUID.randomUUID();
            for (int r = 0; r < runs; r++) {
                UUID run = UUID.randomUUID();
                ids.add(run);
                AtomicLongArray t = new AtomicLongArray(perRun + 1);
                routeNanos.add(t);
                bp.pipeline.router().runStarted(new org.phong.zenflow.logging.api.WorkflowRunStarted(wf, run));
                for (int k = 0; k < readersPerRun; k++) {
                    Reader rd = new Reader(t, latency, socket, measureFrom);
                    readers.add(rd);
                    rd.sub = hub.subscribe(run, 0, null, rd);
                }
            }
            bp.pipeline.router().barrier().get(1, TimeUnit.MINUTES);
            System.out.printf("live tail, %s: %d run(s) x %d reader(s), %,.0f entries/s per run, %d s warm-up + %d s measured%n",
                    scenario, runs, readersPerRun, ratePerRun, warmupSeconds, seconds);
            long total = (long) perRun * runs;
            double totalRate = ratePerRun * runs;
            long t0 = System.nanoTime();
            long notAccepted = 0;
            for (long i = 0; i < total; i++) {
                long due = t0 + (long) (i * 1e9 / totalRate);
                long ahead = due - System.nanoTime();
                if (ahead > 0) LockSupport.parkNanos(ahead);
                int r = (int) (i % runs);
                int seq = (int) (i / runs) + 1;
                routeNanos.get(r).set(seq, System.nanoTime());
                if (bp.pipeline.router().route(workload.entry(r, wf, ids.get(r), seq, java.time.Instant.now())) != RouteResult.ACCEPTED) {
                    notAccepted++;
                }
            }
            if (notAccepted > 0) problems.add("live tail " + scenario + ": " + notAccepted + " entries not accepted (seq would not match)");
            for (UUID run : ids) bp.pipeline.router().runCompleted(new org.phong.zenflow.logging.api.WorkflowRunCompleted(run, RunOutcome.SUCCEEDED));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
            for (Reader rd : readers) {
                while (rd.closeCode == -1 && System.nanoTime() < deadline) Thread.sleep(5);
            }
            long frames = 0;
            long entries = 0;
            for (Reader rd : readers) {
                frames += rd.frames;
                entries += rd.entries;
                // A gap or a duplicate is a problem (the benchmark fails); a reader the server closed 1013 (too slow) is a
                // missed target, reported in its own row: what it received up to then was exact (rd.problem is null).
                if (rd.problem != null) problems.add("live tail " + scenario + ": " + rd.problem);
                else if (rd.closeCode == Outbound.TRY_AGAIN_LATER) continue;
                else if (rd.closeCode != Outbound.NORMAL || !rd.ended || rd.next != perRun + 1) {
                    problems.add("live tail " + scenario + ": a reader ended with close " + rd.closeCode + " after seq " + (rd.next - 1)
                            + " of " + perRun);
                }
            }
            Histogram hist = latency.getIntervalHistogram();
            Latency l = new Latency(scenario, runs, readersPerRun, ratePerRun, perRun, ms(hist.getValueAtPercentile(50)),
                    ms(hist.getValueAtPercentile(99)), ms(hist.getValueAtPercentile(99.9)), ms(hist.getMaxValue()),
                    entries / (double) Math.max(1, frames), hub.closedSlow());
            System.out.printf("  route-to-reader p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms; %.1f entries per frame; %d closed 1013%n",
                    l.p50Ms, l.p99Ms, l.p999Ms, l.maxMs, l.entriesPerFrame, l.closedSlow);
            hub.stop();
            return l;
        } finally {
            if (!bp.awaitIdle(DRAIN_MS)) problems.add("live tail " + scenario + ": pipeline did not drain");
            bp.shutdown();
            socket.shutdownNow();
        }
    }

    /** Ingest throughput into one run with {@code readers} readers, or none. */
    record Throughput(int readers, List<Double> perTrial, double median) {
    }

    /**
     * Unpaced routing of {@code entries} into one fresh run, timed to the last seq (router barrier),
     * {@code trials} times with {@code readers} readers and as often without, alternating order, each
     * trial on a drained pipeline. The entries are built before the clock starts (building one, its
     * metadata parsed, costs more than routing it), and the pipeline's queue capacity ({@code roomy})
     * holds a whole trial below the backpressure threshold: a shed entry returns at once, so a trial
     * that shed some (up to 5% did at the default capacity, more in some trials than in others) looked
     * faster than one that did not. @return {without, with}
     */
    Throughput[] ingest(int readers, int entries, int trials, LoggingSettings roomy) throws Exception {
        db.truncate();
        ExecutorService socket = Executors.newFixedThreadPool(SOCKET_THREADS, BenchPipeline.daemon("bench-socket"));
        Holder h = new Holder();
        BenchPipeline bp = new BenchPipeline(db.ds, roomy, PipelineVariant.JOURNAL_OFF, h);
        List<Double> without = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        System.out.printf("live tail, ingest: %,d entries unpaced into one run, %d readers vs none, %d trials each%n",
                entries, readers, trials);
        try {
            StreamHub hub = h.attach(bp, db);
            UUID wf = UUID.randomUUID();
            route(bp, wf, UUID.randomUUID(), entries, 0); // warm-up
            for (int trial = 0; trial < trials; trial++) {
                for (int half = 0; half < 2; half++) {
                    boolean withReaders = (trial + half) % 2 == 1;
                    if (!bp.awaitIdle(DRAIN_MS)) problems.add("live tail ingest: pipeline did not drain");
                    UUID run = UUID.randomUUID();
                    bp.pipeline.router().runStarted(new org.phong.zenflow.logging.api.WorkflowRunStarted(wf, run));
                    List<Reader> rs = new ArrayList<>();
                    if (withReaders) {
                        AtomicLongArray none = new AtomicLongArray(entries + 1);
                        for (int k = 0; k < readers; k++) {
                            Reader rd = new Reader(none, new Recorder(3), socket, Long.MAX_VALUE);
                            rs.add(rd);
                            rd.sub = hub.subscribe(run, 0, null, rd);
                        }
                    }
                    bp.pipeline.router().barrier().get(1, TimeUnit.MINUTES);
                    double rate = route(bp, wf, run, entries, trial * 2 + half + 1);
                    (withReaders ? with : without).add(rate);
                    bp.pipeline.router().runCompleted(new org.phong.zenflow.logging.api.WorkflowRunCompleted(run, RunOutcome.SUCCEEDED));
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
                    for (Reader rd : rs) {
                        while (rd.closeCode == -1 && System.nanoTime() < deadline) Thread.sleep(5);
                        if (rd.problem != null || rd.closeCode != Outbound.NORMAL && rd.closeCode != Outbound.TRY_AGAIN_LATER) {
                            problems.add("live tail ingest: a reader ended with close " + rd.closeCode + " " + rd.problem);
                        }
                    }
                }
            }
            hub.stop();
        } finally {
            if (!bp.awaitIdle(DRAIN_MS)) problems.add("live tail ingest: pipeline did not drain");
            bp.shutdown();
            socket.shutdownNow();
        }
        Throughput a = new Throughput(0, without, median(without));
        Throughput b = new Throughput(readers, with, median(with));
        System.out.printf("  routed entries/s, median of %d: %,.0f without readers, %,.0f with %d (%.1f%%); all without %s, all with %s%n",
                trials, a.median, b.median, readers, 100 * b.median / a.median, rounded(without), rounded(with));
        return new Throughput[] {a, b};
    }

    /** @return entries/s from the first route() to the last seq given */
    private double route(BenchPipeline bp, UUID wf, UUID run, int entries, long runIndex) throws Exception {
        List<org.phong.zenflow.logging.api.LogEntry> built = new ArrayList<>(entries);
        java.time.Instant now = java.time.Instant.now();
        for (int i = 1; i <= entries; i++) built.add(workload.entry(runIndex, wf, run, i, now));
        long t0 = System.nanoTime();
        long shed = 0;
        for (org.phong.zenflow.logging.api.LogEntry e : built) {
            if (bp.pipeline.router().route(e) != RouteResult.ACCEPTED) shed++;
        }
        bp.pipeline.router().barrier().get(1, TimeUnit.MINUTES);
        double rate = entries / ((System.nanoTime() - t0) / 1e9);
        if (shed > 0) problems.add("live tail ingest: " + shed + " of " + entries + " entries shed by backpressure in a trial");
        return rate;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.isEmpty() ? Double.NaN : s.get(s.size() / 2);
    }

    private static List<Long> rounded(List<Double> v) {
        return v.stream().map(Math::round).toList();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /**
     * The pipeline's listener must exist before the pipeline, the hub needs the pipeline's buffers:
     * this forwards to the hub once attached (as the server's module wires them).
     */
    private static final class Holder implements org.phong.zenflow.logging.buffer.BufferListener {
        private volatile StreamHub hub;

        StreamHub attach(BenchPipeline bp, BenchDatabase db) {
            PostgresLogReader reader = new PostgresLogReader(db.ds);
            StreamHub h = new StreamHub(StreamSettings.defaults(), new ExecutorScheduler(bp.timer), bp.executor,
                    (runId, afterSeq, limit) -> reader.readAfter(runId, afterSeq, limit, null, null));
            hub = h;
            return h.attach(bp.pipeline.buffers());
        }

        @Override
        public void runStarted(UUID workflowId, UUID runId) {
            StreamHub h = hub;
            if (h != null) h.runStarted(workflowId, runId);
        }

        @Override
        public boolean watches(UUID runId) {
            StreamHub h = hub;
            return h != null && h.watches(runId);
        }

        @Override
        public void sequenced(org.phong.zenflow.logging.api.LogEntry e) {
            StreamHub h = hub;
            if (h != null) h.sequenced(e);
        }

        @Override
        public void runReleased(UUID runId, long lastSeq, RunOutcome outcome) {
            StreamHub h = hub;
            if (h != null) h.runReleased(runId, lastSeq, outcome);
        }
    }
}
