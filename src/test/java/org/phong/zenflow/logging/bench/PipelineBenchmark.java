package org.phong.zenflow.logging.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.phong.zenflow.logging.config.LoggingSettings;

/**
 * The pipeline benchmark (see the package comment and docs/benchmark.md). Phases, each on an
 * emptied {@code logs} table and ending with the exactness check:
 * <ol>
 *   <li><b>end to end</b>, once per {@link PipelineVariant}: {@code e2e-runs} concurrent runs offered
 *       {@code e2e-rate} entries/s (above what the database takes, generators honouring backpressure),
 *       rows persisted per second over the steady window after the warm-up;</li>
 *   <li><b>Log4j2 peer</b> ({@code log4j}, full mode or on request): the same rows through Log4j2's
 *       AsyncAppender and JdbcAppender ({@link Log4jJdbcPeer}), same producers, same steady window;</li>
 *   <li><b>COPY limit</b>: the same rows by one connection straight from Java ({@link CopyLimit}), measured
 *       right after each end-to-end variant with that variant's rows (the ratio's two figures side by side:
 *       this machine's speed drifts between minutes), or after the Log4j2 peer without the e2e phase;</li>
 *   <li><b>route latency</b>: {@code latency-rate} entries/s across {@code latency-runs} runs, route()
 *       timed on the caller, HdrHistogram over the measured window;</li>
 *   <li><b>memory and threads</b> ({@link MemoryPhase}).</li>
 * </ol>
 * Prints one table, writes {@code results.json}, {@code timeline.csv}, {@code chart.svg} under
 * {@code --out}. Exit status 1 when any entry was lost or duplicated (or a phase failed), else 0.
 */
public final class PipelineBenchmark {
    static final int NS_PER_US = 1000;
    /** The Log4j2 peer's drain gives up when no row commits for this long (a failed batch never does). */
    private static final long LOG4J_STALL_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    /** Bound on stopping the Log4j2 context (the queue drains, the last batch flushes). */
    private static final long LOG4J_STOP_MS = 300_000;
    /** Runs of the Log4j2 peer whose rows are compared field by field with the workload's. */
    private static final int LOG4J_CONTENT_RUNS = 50;

    private final BenchOptions o;
    private final LoggingSettings settings;
    private final Workload workload;
    private final Timeline timeline = new Timeline();
    private final AtomicLong nextRunIndex = new AtomicLong();
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final List<Report.Row> rows = new ArrayList<>();
    private BenchDatabase db;
    private final LoggingSettings roomySettings;

    private PipelineBenchmark(BenchOptions o) {
        this.o = o;
        this.workload = new Workload(o.seed());
        java.util.Properties p = new java.util.Properties();
        p.setProperty(LoggingSettings.COPY_FORMAT, o.sinkFormat().name().toLowerCase(java.util.Locale.ROOT));
        p.setProperty(LoggingSettings.COPY_CONNECTIONS, Integer.toString(o.copyConnections()));
        p.setProperty(LoggingSettings.COPY_MAX_ROWS, Integer.toString(o.copyMaxRows()));
        this.settings = LoggingSettings.fromProperties(p);
        // The live-tail ingest trials route a whole trial unpaced: room for it below the backpressure threshold.
        p.setProperty(LoggingSettings.QUEUE_CAPACITY, Integer.toString(Math.max(settings.queueCapacity(), 2 * o.liveIngestEntries())));
        this.roomySettings = LoggingSettings.fromProperties(p);
    }

    public static void main(String[] args) throws Exception {
        BenchOptions o = BenchOptions.parse(args);
        int status;
        try {
            status = new PipelineBenchmark(o).run();
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    private int run() throws Exception {
        long began = System.nanoTime();
        Files.createDirectories(o.out());
        results.put("mode", o.mode());
        results.put("started", Instant.now().toString());
        results.put("machine", Report.machine());
        results.put("options", o.toString());
        System.out.println("zenflow-logging benchmark, mode " + o.mode() + " on " + Report.machine());
        try (BenchDatabase database = BenchDatabase.start(o.postgresConfig())) {
            db = database;
            results.put("postgres", db.settings());
            System.out.println("embedded PostgreSQL on port " + db.port() + " " + db.settings());

            List<Map<String, Object>> variants = new ArrayList<>();
            double limitRate = Double.NaN; // the latest COPY limit measured
            if (o.runs("e2e")) {
                for (PipelineVariant v : PipelineVariant.ALL) {
                    E2e r = endToEnd(v);
                    variants.add(r.json);
                    if (!o.runs("limit")) continue;
                    // Each variant is divided by a limit measured right after it, of its own rows: this machine's
                    // speed drifts by up to a fifth from one minute to the next (docs/benchmark.md), and a limit
                    // measured minutes later would move the ratio by as much.
                    limitRate = copyLimit(r.runs, "after e2e " + v.name(), r.json).rowsPerSecond();
                    double ratio = r.steadyRate / limitRate;
                    r.json.put("ratioToCopyLimit", ratio);
                    rows.add(new Report.Row("e2e / COPY limit, " + v.name(), String.format("%.2f", ratio),
                            String.format(">= %.2f", v.targetRatio()), ratio >= v.targetRatio()));
                }
                results.put("endToEnd", variants);
            }
            Peer peer = null;
            if (o.runs("log4j")) {
                peer = log4jPeer();
                for (int i = 0; i < variants.size(); i++) {
                    if (PipelineVariant.ALL.get(i) != PipelineVariant.JOURNAL_ON) continue;
                    double ratio = (double) variants.get(i).get("persistedPerSecond") / peer.steadyRate;
                    peer.json.put("pipelineJournalOnRatio", ratio);
                    rows.add(new Report.Row("pipeline e2e (journal on) / Log4j2 JDBC", String.format("%.2f", ratio), "", null));
                }
                if (o.runs("limit") && Double.isNaN(limitRate)) limitRate = copyLimit(peer.runs, "after the Log4j2 peer", peer.json).rowsPerSecond();
                if (o.runs("limit")) {
                    double ratio = peer.steadyRate / limitRate;
                    peer.json.put("ratioToCopyLimit", ratio);
                    rows.add(new Report.Row("Log4j2 JDBC / COPY limit", String.format("%.2f", ratio), "", null));
                }
            }
            if (o.runs("latency")) latency();
            if (o.runs("live")) liveTail();
            if (o.runs("memory")) tombstoneCheck(memory()); // separate calls: the first pipeline is unreachable in the second
            if (o.runs("cluster")) cluster();
        }
        results.put("integrityProblems", problems);
        results.put("seconds", (System.nanoTime() - began) / 1e9);
        rows.add(new Report.Row("entries lost or duplicated (rows and seq per run, every phase)",
                problems.isEmpty() ? "none" : problems.size() + " problem(s)", "none", problems.isEmpty()));
        Report.write(o.out(), results, timeline, rows);
        System.out.println();
        System.out.println(Report.table(o.mode(), rows, (System.nanoTime() - began) / 1e9));
        System.out.println("results: " + o.out().toAbsolutePath() + "/{results.json,timeline.csv,chart.svg}");
        if (!problems.isEmpty()) {
            System.out.println("FAILED: entries lost or duplicated:");
            problems.forEach(p -> System.out.println("  " + p));
            return 1;
        }
        return 0;
    }

    private record E2e(Map<String, Object> json, List<LoadGenerator.RunRecord> runs, double steadyRate) {
    }

    private E2e endToEnd(PipelineVariant v) throws Exception {
        db.truncate();
        Recorder rec = new Recorder(3);
        BenchPipeline bp = new BenchPipeline(db.ds, settings, v);
        // Closed on persistence as the journal-off pipeline's admission is: at most the backpressure threshold of
        // queue-capacity accepted and not yet written, with or without the journal (LoadGenerator).
        long unpersisted = (long) (settings.queueCapacity() * settings.backpressureThreshold());
        LoadGenerator g = new LoadGenerator(bp.pipeline.router(), workload, o.generatorThreads(), o.e2eRuns(),
                o.e2eRate(), o.meanEntriesPerRun(), true, rec, nextRunIndex).boundUnpersisted(bp.sink::rowsWritten, unpersisted);
        String phase = "e2e " + v.name();
        System.out.println(phase + ": " + o.e2eRuns() + " concurrent runs offered " + (long) o.e2eRate() + " entries/s for "
                + (o.e2eWarmupSeconds() + o.e2eSeconds()) + " s, at most " + unpersisted + " accepted and not yet persisted");
        long n0 = System.nanoTime();
        g.start();
        sample(phase + " (warm-up)", o.e2eWarmupSeconds() * 1000L, g, bp, rec, null);
        boolean dbCpu = db.cpuNanos() >= 0; // /proc (Linux) only
        SteadyWindow w = new SteadyWindow().count("persisted", bp.sink::rowsWritten).count("accepted", g.accepted::sum)
                .count("backpressureWait", g.backpressureWaitNanos::sum).count("cpu", PipelineBenchmark::processCpuNanos)
                .count("sinkBusy", bp.timed.busyNanos::sum).count("sinkCalls", bp.timed.calls::sum)
                .count("databaseCpu", db::cpuNanos);
        boolean statements = db.resetStatements();
        w.open();
        sample(phase, o.e2eSeconds() * 1000L, g, bp, rec, null);
        w.close();
        if (statements) {
            System.out.println("  statements by server time in the steady window (pg_stat_statements):");
            for (String line : db.topStatements(8)) System.out.println("    " + line);
        }
        g.stopAndCompleteRuns();
        timeline.sampleUntil(phase + " (drain)", () -> bp.pipeline.admission().inFlight() == 0,
                g.accepted::sum, bp.sink::rowsWritten, bp.pipeline.admission()::inFlight, rec);
        long end = System.nanoTime();
        boolean drained = bp.shutdown();
        check(phase, drained, db.verify(g.expected()), g.seqMismatches());

        double window = w.seconds();
        double steady = w.perSecond("persisted");
        double rowsPerCall = (double) w.delta("persisted") / Math.max(1, w.delta("sinkCalls"));
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("variant", v.name());
        j.put("concurrentRuns", o.e2eRuns());
        j.put("offeredPerSecond", o.e2eRate());
        j.put("maxUnpersisted", unpersisted);
        j.put("acceptedPerSecondInWindow", w.perSecond("accepted"));
        j.put("persistedPerSecond", steady);
        j.put("windowSeconds", window);
        j.put("sinkBusyShare", w.share("sinkBusy"));
        j.put("benchmarkJvmCpuCores", w.share("cpu"));
        j.put("databaseCpuCores", dbCpu ? w.share("databaseCpu") : -1.0);
        j.put("databaseCpuMicrosPerRow", dbCpu ? w.delta("databaseCpu") / 1e3 / Math.max(1, w.delta("persisted")) : -1.0);
        j.put("rowsPerSinkCall", rowsPerCall);
        j.put("backpressureWaitShare", w.share("backpressureWait") / o.generatorThreads());
        j.put("rowsTotal", g.accepted.sum());
        j.put("runsCompleted", g.runsCompleted.sum());
        j.put("overallPersistedPerSecond", g.accepted.sum() / ((end - n0) / 1e9));
        j.put("dropped", g.dropped.sum());
        j.put("rejected", g.rejected.sum());
        j.put("copyConnections", bp.sink.copyConnections());
        j.put("parallelSinkCalls", bp.sink.parallelBatches()); // over the whole phase: calls split over several connections
        rows.add(new Report.Row("e2e persisted rows/s, " + v.name() + " (" + o.e2eRuns() + " runs, steady " + Math.round(window) + " s)",
                String.format("%,.0f", steady), "", null));
        System.out.printf("  %,.0f rows/s persisted in the steady window (sink busy %.0f%%, %.0f rows a call, this JVM used %.2f cores, PostgreSQL %.2f cores = %.1f us a row), %,d rows in all, %,d runs completed, %d dropped, %,d calls split over up to %d connections%n",
                steady, 100.0 * w.delta("sinkBusy") / w.nanos(), rowsPerCall, w.share("cpu"), j.get("databaseCpuCores"),
                j.get("databaseCpuMicrosPerRow"), g.accepted.sum(), g.runsCompleted.sum(), g.dropped.sum(), bp.sink.parallelBatches(),
                bp.sink.copyConnections());
        return new E2e(j, g.runs(), steady);
    }

    private record Peer(Map<String, Object> json, List<LoadGenerator.RunRecord> runs, double steadyRate) {
    }

    /**
     * The Log4j2 peer ({@link Log4jJdbcPeer}): the same rows through Log4j2's AsyncAppender and
     * JdbcAppender into the same table, as many producer threads and concurrent runs as the e2e phase,
     * offered more than it takes (closed loop); committed rows per second over the same steady window,
     * then the exactness check (and a field-by-field check of a sample of runs: the mapping is the peer's own).
     */
    private Peer log4jPeer() throws Exception {
        db.truncate();
        String phase = "log4j jdbc";
        Log4jJdbcPeer p = new Log4jJdbcPeer(db.ds, workload, o.generatorThreads(), o.e2eRuns(), o.meanEntriesPerRun(),
                nextRunIndex, o.log4jQueue(), o.log4jBatch());
        Recorder none = new Recorder(3); // the chart's latency panel is route(): nothing recorded here
        LongSupplier inFlight = () -> p.logged.sum() - p.committed.sum();
        System.out.printf("%s: Log4j2 %s AsyncAppender (queue %d, blocking) -> JdbcAppender (batch %d), %d producer threads, %d concurrent runs, closed loop for %d s%n",
                phase, Log4jJdbcPeer.log4jVersion(), o.log4jQueue(), o.log4jBatch(), o.generatorThreads(), o.e2eRuns(),
                o.e2eWarmupSeconds() + o.e2eSeconds());
        p.startLog4j();
        long n0 = System.nanoTime();
        p.startProducers();
        timeline.sample(phase + " (warm-up)", o.e2eWarmupSeconds() * 1000L, p.logged::sum, p.committed::sum, inFlight, none, null);
        p.logCallNanos.getIntervalHistogram(); // discard the warm-up's calls
        SteadyWindow w = new SteadyWindow().count("committed", p.committed::sum).count("logged", p.logged::sum)
                .count("cpu", PipelineBenchmark::processCpuNanos).count("commits", p.commits::sum)
                .count("inLogCall", p.logCallNanosTotal::sum);
        w.open();
        timeline.sample(phase, o.e2eSeconds() * 1000L, p.logged::sum, p.committed::sum, inFlight, none, null);
        w.close();
        Histogram calls = p.logCallNanos.getIntervalHistogram();
        p.stopProducers();
        // The AsyncAppender flushes a short batch whenever its queue runs empty: wait for the table to catch up
        // (or for it to stop moving: a failed batch never commits), then stop the context (drains, last flush).
        long[] lastMove = {System.nanoTime(), p.committed.sum()};
        timeline.sampleUntil(phase + " (drain)", () -> {
            long c = p.committed.sum();
            if (c != lastMove[1]) {
                lastMove[0] = System.nanoTime();
                lastMove[1] = c;
            }
            return c >= p.logged.sum() || System.nanoTime() - lastMove[0] > LOG4J_STALL_NS;
        }, p.logged::sum, p.committed::sum, inFlight, none);
        boolean stopped = p.stopLog4j(LOG4J_STOP_MS);
        long end = System.nanoTime();
        List<LoadGenerator.RunRecord> runs = p.runs();
        List<String> sameRows = db.sameRows(workload, runs.subList(0, Math.min(LOG4J_CONTENT_RUNS, runs.size())));
        List<String> other = new ArrayList<>();
        if (p.appenderErrors.sum() > 0) other.add(p.appenderErrors.sum() + " appender error(s), first: " + p.firstError.get());
        long stored = db.count();
        if (stored != p.committed.sum()) other.add("table holds " + stored + " rows, the connections committed " + p.committed.sum());
        other.addAll(sameRows);
        check(phase, stopped, db.verify(p.expected()), other);

        double window = w.seconds();
        double steady = w.perSecond("committed");
        double rowsPerCommit = (double) w.delta("committed") / Math.max(1, w.delta("commits"));
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("log4jVersion", Log4jJdbcPeer.log4jVersion());
        j.put("producerThreads", o.generatorThreads());
        j.put("concurrentRuns", o.e2eRuns());
        j.put("asyncQueue", o.log4jQueue());
        j.put("jdbcBatch", o.log4jBatch());
        j.put("loggedPerSecondInWindow", w.perSecond("logged"));
        j.put("persistedPerSecond", steady);
        j.put("windowSeconds", window);
        j.put("benchmarkJvmCpuCores", w.share("cpu"));
        j.put("rowsPerCommit", rowsPerCommit);
        // the share of the producers' time spent inside logger.log (mostly blocked on the full queue): near 1 when
        // Log4j2/the database is the limit, low when the producers are (then the figure is not the appender's capacity)
        double blockedShare = w.share("inLogCall") / o.generatorThreads();
        j.put("producerTimeInLogCallShare", blockedShare);
        j.put("logCallP50Us", us(calls.getValueAtPercentile(50)));
        j.put("logCallP99Us", us(calls.getValueAtPercentile(99)));
        j.put("logCallMaxUs", us(calls.getMaxValue()));
        j.put("rowsTotal", p.logged.sum());
        j.put("runs", runs.size());
        j.put("overallPersistedPerSecond", p.committed.sum() / ((end - n0) / 1e9));
        j.put("appenderErrors", p.appenderErrors.sum());
        j.put("contentCheckedRuns", Math.min(LOG4J_CONTENT_RUNS, runs.size()));
        results.put("log4jJdbc", j);
        rows.add(new Report.Row("Log4j2 " + minor(Log4jJdbcPeer.log4jVersion()) + " JDBC appender (AsyncAppender, same rows) persisted rows/s",
                String.format("%,.0f", steady), "", null));
        System.out.printf("  %,.0f rows/s persisted in the steady window (%.0f rows a commit, this JVM used %.2f cores; producers %.0f%% of their time in logger.log, p50 %.1f us, p99 %.0f us), %,d rows in all, %,d runs, %d appender errors%n",
                steady, rowsPerCommit, w.share("cpu"), 100 * blockedShare, us(calls.getValueAtPercentile(50)), us(calls.getValueAtPercentile(99)),
                p.logged.sum(), runs.size(), p.appenderErrors.sum());
        return new Peer(j, runs, steady);
    }

    /** "2.25.3" -> "2.25" */
    static String minor(String version) {
        int first = version.indexOf('.');
        int second = first < 0 ? -1 : version.indexOf('.', first + 1);
        return second < 0 ? version : version.substring(0, second);
    }

    /**
     * The COPY limit in both formats; the faster is the limit (and should be the sink's format). Binary first: the
     * faster in every run so far, so the one a ratio uses is measured nearest the phase before it.
     *
     * @param runs  the rows to write (a phase's runs)
     * @param after what it follows, for the table
     * @param json  the phase's results, which get the limit under {@code copyLimit} (the first also goes to the top level)
     */
    private CopyLimit.Result copyLimit(List<LoadGenerator.RunRecord> runs, String after, Map<String, Object> json) throws Exception {
        CopyLimit.Result best = null;
        Map<String, Object> all = new LinkedHashMap<>();
        for (org.phong.zenflow.logging.config.CopyFormat f : List.of(org.phong.zenflow.logging.config.CopyFormat.BINARY,
                org.phong.zenflow.logging.config.CopyFormat.TEXT)) {
            CopyLimit.Result r = copyLimit(runs, f, after, all);
            if (best == null || r.rowsPerSecond() > best.rowsPerSecond()) best = r;
        }
        all.put("rowsPerSecond", best.rowsPerSecond());
        all.put("after", after);
        all.put("sinkFormat", settings.copyFormat().name().toLowerCase(java.util.Locale.ROOT));
        all.put("sinkCopyConnections", settings.copyConnections()); // the limit is one connection's; the sink may use more
        json.put("copyLimit", all);
        results.putIfAbsent("copyLimit", all);
        return best;
    }

    private CopyLimit.Result copyLimit(List<LoadGenerator.RunRecord> runs, org.phong.zenflow.logging.config.CopyFormat format,
                                       String after, Map<String, Object> all) throws Exception {
        db.truncate();
        String name = format.name().toLowerCase(java.util.Locale.ROOT);
        long expectedRows = runs.stream().mapToLong(LoadGenerator.RunRecord::accepted).sum();
        System.out.printf("COPY limit (%s) %s: the same %,d rows of %,d runs, one connection, %d rows per COPY%n",
                name, after, expectedRows, runs.size(), settings.copyMaxRows());
        double t0 = timeline.nowSeconds();
        long cpu0 = processCpuNanos();
        long db0 = db.cpuNanos();
        CopyLimit.Result r = CopyLimit.run(db.ds, workload, runs, settings.copyMaxRows(), format);
        double cores = (processCpuNanos() - cpu0) / (double) r.nanos();
        long db1 = db.cpuNanos();
        // The limit as a level across its phase (one figure: the COPYs' average rate).
        timeline.samples.add(new Timeline.Sample("COPY limit " + name + " " + after, t0, Double.NaN, r.rowsPerSecond(), 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        timeline.samples.add(new Timeline.Sample("COPY limit " + name + " " + after, timeline.nowSeconds(), Double.NaN, r.rowsPerSecond(), 0,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        long stored = db.count();
        if (stored != expectedRows || r.rows() != expectedRows) {
            problems.add("COPY limit (" + name + ") " + after + ": " + expectedRows + " rows sent, COPY reported " + r.rows() + ", table holds " + stored);
        }
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("rows", r.rows());
        j.put("seconds", r.nanos() / 1e9);
        j.put("rowsPerSecond", r.rowsPerSecond());
        j.put("rowsPerCopy", settings.copyMaxRows());
        j.put("benchmarkJvmCpuCores", cores);
        j.put("databaseCpuMicrosPerRow", db0 < 0 || db1 < 0 ? -1.0 : (db1 - db0) / 1e3 / Math.max(1, r.rows()));
        all.put(name, j);
        rows.add(new Report.Row("COPY limit rows/s, " + name + " format, " + after + " (same rows, one stream, same schema and indexes)",
                String.format("%,.0f", r.rowsPerSecond()), "", null));
        System.out.printf("  %,.0f rows/s (this JVM used %.2f cores, PostgreSQL %.1f us a row)%n", r.rowsPerSecond(), cores,
                j.get("databaseCpuMicrosPerRow"));
        return r;
    }

    private void latency() throws Exception {
        db.truncate();
        Recorder rec = new Recorder(3);
        Histogram measured = new Histogram(3);
        BenchPipeline bp = new BenchPipeline(db.ds, settings, PipelineVariant.JOURNAL_OFF);
        LoadGenerator g = new LoadGenerator(bp.pipeline.router(), workload, o.generatorThreads(), o.latencyRuns(),
                o.latencyRate(), o.meanEntriesPerRun(), false, rec, nextRunIndex);
        System.out.println("route latency: " + (long) o.latencyRate() + " entries/s offered across " + o.latencyRuns()
                + " runs by " + o.generatorThreads() + " threads, " + o.latencySeconds() + " s measured");
        g.start();
        sample("latency (warm-up)", o.latencyWarmupSeconds() * 1000L, g, bp, rec, null);
        long a0 = g.attempted.sum();
        long m0 = g.missed.sum();
        long t0 = System.nanoTime();
        sample("latency", o.latencySeconds() * 1000L, g, bp, rec, measured);
        double window = (System.nanoTime() - t0) / 1e9;
        long a1 = g.attempted.sum();
        long m1 = g.missed.sum();
        g.stopAndCompleteRuns();
        timeline.sampleUntil("latency (drain)", () -> bp.pipeline.admission().inFlight() == 0,
                g.accepted::sum, bp.sink::rowsWritten, bp.pipeline.admission()::inFlight, rec);
        boolean drained = bp.shutdown();
        check("latency", drained, db.verify(g.expected()), g.seqMismatches());

        double p50 = us(measured.getValueAtPercentile(50));
        double p99 = us(measured.getValueAtPercentile(99));
        double p999 = us(measured.getValueAtPercentile(99.9));
        double max = us(measured.getMaxValue());
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("offeredPerSecond", o.latencyRate());
        j.put("achievedPerSecond", (a1 - a0) / window);
        j.put("missedSlots", m1 - m0);
        j.put("runs", o.latencyRuns());
        j.put("threads", o.generatorThreads());
        j.put("samples", measured.getTotalCount());
        j.put("p50Us", p50);
        j.put("p90Us", us(measured.getValueAtPercentile(90)));
        j.put("p99Us", p99);
        j.put("p999Us", p999);
        j.put("maxUs", max);
        j.put("meanUs", measured.getMean() / NS_PER_US);
        j.put("dropped", g.dropped.sum());
        results.put("routeLatency", j);
        String label = String.format("route() at %,.0f/s offered (%,.0f achieved), %,d runs", o.latencyRate(), (a1 - a0) / window, o.latencyRuns());
        rows.add(new Report.Row(label + ": p50", String.format("%.1f us", p50), "", null));
        rows.add(new Report.Row(label + ": p99", String.format("%.1f us", p99), "<= 20 us", p99 <= 20));
        rows.add(new Report.Row(label + ": p99.9", String.format("%.1f us", p999), "<= 200 us", p999 <= 200));
        rows.add(new Report.Row(label + ": max", String.format("%.0f us", max), "", null));
        System.out.printf("  p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.0f us (%,d samples)%n", p50, p99, p999, max,
                measured.getTotalCount());
    }

    /** The live-tail section ({@link LiveTailPhase}): fan-out latency at two shapes, ingest with and without readers. */
    /** Cluster mode with 1, 2 and 3 nodes in this JVM (ClusterPhase): stored entries/s and where the CPU went. */
    private void cluster() throws Exception {
        List<ClusterPhase.Round> rounds = new ClusterPhase(db, workload, o.clusterRuns(), o.generatorThreads())
                .run(new int[]{1, 2, 3}, o.clusterWarmupSeconds(), o.clusterSeconds());
        List<Map<String, Object>> j = new ArrayList<>();
        for (ClusterPhase.Round r : rounds) {
            j.add(r.json());
            for (String p : r.problems()) problems.add("cluster, " + r.nodes() + " node(s): " + p);
            rows.add(new Report.Row(String.format("cluster mode, %d node(s) in one JVM, one broker (%d partitions): stored entries/s",
                    r.nodes(), ClusterPhase.PARTITIONS), String.format("%,.0f", r.storedPerSecond()), "", null));
            rows.add(new Report.Row(String.format("  CPU cores: this JVM / broker / PostgreSQL, %d node(s)", r.nodes()),
                    String.format("%.2f / %.2f / %.2f", r.jvmCores(), r.brokerCores(), r.databaseCores()), "", null));
        }
        results.put("cluster", j);
    }

    private void liveTail() throws Exception {
        LiveTailPhase p = new LiveTailPhase(db, settings, workload, problems);
        LiveTailPhase.Latency one = p.latency("one run, many readers", 1, o.liveReaders(), o.liveRate(), o.liveWarmupSeconds(),
                o.liveSeconds());
        LiveTailPhase.Latency many = p.latency("many runs, one reader each", o.liveRuns(), 1, o.liveRunRate(),
                o.liveWarmupSeconds(), o.liveSeconds());
        LiveTailPhase.Throughput[] ingest = p.ingest(o.liveReaders(), o.liveIngestEntries(), o.liveTrials(), roomySettings);
        double ratio = ingest[1].median() / ingest[0].median();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("oneRunManyReaders", one.json());
        j.put("manyRunsOneReaderEach", many.json());
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("entries", o.liveIngestEntries());
        in.put("readers", o.liveReaders());
        in.put("withoutReadersPerTrial", ingest[0].perTrial());
        in.put("withReadersPerTrial", ingest[1].perTrial());
        in.put("withoutReadersMedian", ingest[0].median());
        in.put("withReadersMedian", ingest[1].median());
        in.put("ratio", ratio);
        j.put("ingest", in);
        results.put("liveTail", j);
        rows.add(new Report.Row(String.format("live tail: %,.0f entries/s into 1 run, %d readers: route-to-reader p99", o.liveRate(),
                o.liveReaders()), String.format("%.1f ms", one.p99Ms()), "<= 100 ms", one.p99Ms() <= 100));
        rows.add(new Report.Row(String.format("live tail: %d runs at %,.0f entries/s, 1 reader each: route-to-reader p99", o.liveRuns(),
                o.liveRunRate()), String.format("%.1f ms", many.p99Ms()), "<= 100 ms", many.p99Ms() <= 100));
        rows.add(new Report.Row(String.format("live tail: readers closed 1013 (both shapes)"), String.valueOf(one.closedSlow() + many.closedSlow()),
                "0", one.closedSlow() + many.closedSlow() == 0));
        rows.add(new Report.Row(String.format("live tail: ingest into 1 run with %d readers / without (median of %d)", o.liveReaders(),
                o.liveTrials()), String.format("%.2f", ratio), ">= 0.95", ratio >= 0.95));
    }

    /** @return the memory figures, to which the tombstone check adds its own */
    private Map<String, Object> memory() throws Exception {
        db.truncate();
        BenchPipeline bp = new BenchPipeline(db.ds, settings, PipelineVariant.JOURNAL_OFF);
        System.out.printf("memory: %,d runs started and completed; %,d runs open and idle (%d entries each); %,d runs with a full ring%n",
                o.churnRuns(), o.idleRuns(), o.idleEntries(), o.fullRingRuns());
        double t0 = timeline.nowSeconds();
        MemoryPhase m = new MemoryPhase(bp, workload, nextRunIndex);
        if (o.memoryHistograms()) m.histogramDir = o.out().resolve("histograms");
        MemoryPhase.Result r = m.run(o.memoryWarmupRuns(), o.churnRuns(), o.churnEntries(), o.churnConcurrency(),
                o.idleRuns(), o.idleEntries(), o.fullRingRuns());
        timeline.samples.add(new Timeline.Sample("memory", t0, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        timeline.samples.add(new Timeline.Sample("memory", timeline.nowSeconds(), Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        boolean drained = bp.shutdown();
        check("memory", drained, db.verify(m.expected()), m.seqMismatches);

        double mb = 1024.0 * 1024.0; // MiB, as every heap figure of this benchmark since the first
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("heapBeforeChurnBytes", r.heapBeforeChurn());
        j.put("heapAfterChurnBytes", r.heapAfterChurn());
        j.put("churnRuns", r.churnRuns());
        j.put("churnGrowth", r.churnGrowth());
        j.put("churnBytesPerRun", (double) (r.heapAfterChurn() - r.heapBeforeChurn()) / r.churnRuns());
        j.put("idleRuns", r.idleRuns());
        j.put("idleEntriesPerRun", r.idleEntries());
        j.put("heapWith10RunsBytes", r.heapFewRuns());
        j.put("heapWithIdleRunsBytes", r.heapIdleRuns());
        j.put("bytesPerThousandIdleRuns", r.bytesPerThousandIdleRuns());
        j.put("estimatedBufferBytes", r.estimatedBufferBytes());
        j.put("threadsWith10Runs", r.threadsFewRuns());
        j.put("threadsWithIdleRuns", r.threadsIdleRuns());
        j.put("fullRingRuns", r.fullRingRuns());
        j.put("ringBufferSize", r.ringSize());
        j.put("bytesPerThousandFullRingRuns", r.bytesPerThousandFullRingRuns());
        results.put("memory", j);
        double perK = r.bytesPerThousandIdleRuns() / mb;
        // The 10 MB, read as 10,000,000 bytes (the stricter of MB and MiB).
        rows.add(new Report.Row(String.format("heap per 1,000 active runs (%,d open, idle, %d entries each, not watched)", r.idleRuns(), r.idleEntries()),
                String.format("%.1f MiB", perK), "<= 10 MB", r.bytesPerThousandIdleRuns() <= 10_000_000));
        double perKRing = r.bytesPerThousandFullRingRuns() / mb;
        rows.add(new Report.Row(String.format("heap per 1,000 watched runs with a full ring (%d entries each)", r.ringSize()),
                String.format("%.1f MiB (%,.0f bytes)", perKRing, r.bytesPerThousandFullRingRuns()), "<= 10 MB", r.bytesPerThousandFullRingRuns() <= 10_000_000));
        rows.add(new Report.Row(String.format("heap after %,d runs started+completed vs before", r.churnRuns()),
                String.format("%.1f -> %.1f MiB (%+.1f%%)", r.heapBeforeChurn() / mb, r.heapAfterChurn() / mb, 100 * r.churnGrowth()),
                "within 5%", Math.abs(r.churnGrowth()) <= 0.05));
        rows.add(new Report.Row(String.format("threads with 10 / %,d active runs", r.idleRuns()),
                r.threadsFewRuns() + " / " + r.threadsIdleRuns(), "no more", r.threadsIdleRuns() <= r.threadsFewRuns()));
        // "no more", not "equal": runs never get a thread, but a pool thread may end between the readings
        System.out.printf("  %.1f MiB per 1,000 idle runs, %.1f MiB per 1,000 full-ring runs; churn %.1f -> %.1f MiB; threads %d / %d%n",
                perK, perKRing, r.heapBeforeChurn() / mb, r.heapAfterChurn() / mb, r.threadsFewRuns(), r.threadsIdleRuns());

        return j;
    }

    /**
     * The same churn with tombstones kept --tombstone-check-ms instead of the default: is the growth
     * above the tombstones (bounded by cleanup-idle-after-ms) or a leak? Its own method, so the first
     * memory pipeline (and its tombstones) is unreachable here.
     */
    private void tombstoneCheck(Map<String, Object> j) throws Exception {
        double mb = 1024.0 * 1024.0; // MiB, as every heap figure of this benchmark since the first
        db.truncate();
        java.util.Properties p = new java.util.Properties();
        p.setProperty(LoggingSettings.CLEANUP_IDLE_AFTER_MS, String.valueOf(o.tombstoneCheckMs()));
        BenchPipeline bp2 = new BenchPipeline(db.ds, LoggingSettings.fromProperties(p), PipelineVariant.JOURNAL_OFF);
        MemoryPhase m2 = new MemoryPhase(bp2, workload, nextRunIndex);
        System.out.printf("memory: %,d runs started and completed with cleanup-idle-after-ms=%d, measured after their tombstones expired%n",
                o.churnRuns(), o.tombstoneCheckMs());
        long[] c = m2.churnUntilTombstonesExpire(o.memoryWarmupRuns(), o.churnRuns(), o.churnEntries(), o.churnConcurrency());
        timeline.samples.add(new Timeline.Sample("memory", timeline.nowSeconds(), Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        check("memory (tombstones expired)", bp2.shutdown(), db.verify(m2.expected()), m2.seqMismatches);
        double growth = (double) (c[1] - c[0]) / c[0];
        j.put("tombstoneCheckCleanupIdleAfterMs", o.tombstoneCheckMs());
        j.put("heapBeforeChurnExpiredBytes", c[0]);
        j.put("heapAfterChurnExpiredBytes", c[1]);
        j.put("churnGrowthAfterExpiry", growth);
        j.put("heapAfterSecondChurnExpiredBytes", c[2]);
        double again = (double) (c[2] - c[1]) / c[1];
        j.put("secondChurnGrowthAfterExpiry", again);
        rows.add(new Report.Row(String.format("same, after the runs' tombstones expired (cleanup-idle-after-ms=%,d)", o.tombstoneCheckMs()),
                String.format("%.1f -> %.1f MiB (%+.1f%%)", c[0] / mb, c[1] / mb, 100 * growth), "within 5%", Math.abs(growth) <= 0.05));
        rows.add(new Report.Row(String.format("same, %,d more runs (a leak grows again, a high-water mark does not)", o.churnRuns()),
                String.format("%.1f -> %.1f MiB (%+.1f%%)", c[1] / mb, c[2] / mb, 100 * again), "within 5%", Math.abs(again) <= 0.05));
        System.out.printf("  %.1f -> %.1f -> %.1f MiB once expired%n", c[0] / mb, c[1] / mb, c[2] / mb);
    }


    private void sample(String phase, long ms, LoadGenerator g, BenchPipeline bp, Recorder rec, Histogram keep)
            throws InterruptedException {
        timeline.sample(phase, ms, g.accepted::sum, bp.sink::rowsWritten, bp.pipeline.admission()::inFlight, rec, keep);
    }

    private void check(String phase, boolean drained, List<String> tableProblems, List<String> seqProblems) {
        if (!drained) problems.add(phase + ": the pipeline did not drain at shutdown");
        for (String p : tableProblems) problems.add(phase + ": " + p);
        synchronized (seqProblems) {
            for (String p : seqProblems) problems.add(phase + ": " + p);
        }
        System.out.println("  " + phase + ": rows and seq continuity " + (tableProblems.isEmpty() && seqProblems.isEmpty() && drained ? "exact" : "WRONG"));
    }

    /** @return CPU time of this JVM (all threads), to tell how much CPU PostgreSQL had left */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double us(long nanos) {
        return nanos / (double) NS_PER_US;
    }

    static String runtime() {
        return ManagementFactory.getRuntimeMXBean().getVmName() + " " + System.getProperty("java.version");
    }
}
