package org.phong.zenflow.logging.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.phong.zenflow.logging.config.LoggingSettings;

/**
 * Command-line options of {@link PipelineBenchmark}, {@code --key=value}. {@code --mode=full} (the
 * manual run, about 5 minutes) or {@code --mode=short} (the CI run inside {@code mvn verify}: a few
 * seconds of load per phase, smaller run counts; same code paths and checks) sets every default;
 * any key below overrides one. The Log4j2 peer ({@code log4j}) runs by default in full mode only;
 * {@code --phases=log4j,limit} selects it in either.
 */
record BenchOptions(String mode, Path out, long seed, java.util.Set<String> phases,
                    int e2eRuns, double e2eRate, int e2eWarmupSeconds, int e2eSeconds, int meanEntriesPerRun,
                    int generatorThreads,
                    int latencyRuns, double latencyRate, int latencyWarmupSeconds, int latencySeconds,
                    int memoryWarmupRuns, int churnRuns, int churnEntries, int churnConcurrency,
                    int idleRuns, int idleEntries, int fullRingRuns, long tombstoneCheckMs, boolean memoryHistograms,
                    int liveReaders, double liveRate, int liveRuns, double liveRunRate, int liveWarmupSeconds, int liveSeconds,
                    int liveIngestEntries, int liveTrials,
                    int log4jQueue, int log4jBatch,
                    Map<String, String> postgresConfig, org.phong.zenflow.logging.config.CopyFormat sinkFormat,
                    int copyConnections, int copyMaxRows, int clusterRuns, int clusterWarmupSeconds, int clusterSeconds) {

    static BenchOptions parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) throw new IllegalArgumentException("expected --key=value, got " + arg);
            a.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        String mode = a.getOrDefault("mode", "full");
        boolean full = switch (mode) {
            case "full" -> true;
            case "short" -> false;
            default -> throw new IllegalArgumentException("--mode must be full or short, was " + mode);
        };
        BenchOptions o = new BenchOptions(mode,
                Path.of(a.getOrDefault("out", "target/bench")),
                Long.parseLong(a.getOrDefault("seed", "7")),
                phases(a.getOrDefault("phases", String.join(",", full ? PHASES : SHORT_PHASES))),
                i(a, "e2e-runs", 1000),
                // above what the pipeline can take (generators honour backpressure): the e2e phase measures capacity
                d(a, "e2e-rate", full ? 400_000 : 100_000),
                i(a, "e2e-warmup-seconds", full ? 10 : 1),
                i(a, "e2e-seconds", full ? 30 : 2),
                i(a, "entries-per-run", full ? 300 : 60),
                i(a, "threads", 2),
                i(a, "latency-runs", 1000),
                d(a, "latency-rate", 20_000),
                i(a, "latency-warmup-seconds", full ? 5 : 1),
                i(a, "latency-seconds", full ? 30 : 2),
                i(a, "memory-warmup-runs", 2000),
                i(a, "churn-runs", full ? 100_000 : 2000),
                i(a, "churn-entries", 5),
                i(a, "churn-concurrency", 1000),
                i(a, "idle-runs", full ? 10_000 : 1000),
                i(a, "idle-entries", 20),
                i(a, "full-ring-runs", full ? 2000 : 100),
                i(a, "tombstone-check-ms", full ? 5_000 : 1_000),
                // class histograms of live objects before and after the churn, in <out>/histograms
                Boolean.parseBoolean(a.getOrDefault("memory-histograms", "false")),
                i(a, "live-readers", 50),
                d(a, "live-rate", 10_000),
                i(a, "live-runs", 200),
                d(a, "live-run-rate", 100),
                i(a, "live-warmup-seconds", full ? 3 : 1),
                i(a, "live-seconds", full ? 10 : 2),
                i(a, "live-ingest-entries", full ? 100_000 : 20_000),
                i(a, "live-trials", full ? 9 : 1),
                // Log4j2's AsyncAppender default queue; a JDBC batch (and transaction) the size of the sink's COPY
                i(a, "log4j-queue", 1024),
                i(a, "log4j-batch", LoggingSettings.defaults().copyMaxRows()),
                pgConfig(a.getOrDefault("pg", "")),
                // the sink's COPY format; the server's default unless given (text | binary)
                a.containsKey("sink-format") ? org.phong.zenflow.logging.config.CopyFormat.valueOf(
                        a.get("sink-format").toUpperCase(java.util.Locale.ROOT)) : LoggingSettings.defaults().copyFormat(),
                // connections the sink writes a deep backlog's batch on (1 = one COPY per batch); the server's default unless given
                i(a, "copy-connections", LoggingSettings.defaults().copyConnections()),
                // rows per COPY, for the sink and the limit alike; the server's default unless given
                i(a, "copy-max-rows", LoggingSettings.defaults().copyMaxRows()),
                // cluster mode, 1/2/3 nodes in this JVM on a forked broker (ClusterPhase)
                i(a, "cluster-runs", full ? 1000 : 100),
                i(a, "cluster-warmup-seconds", full ? 10 : 2),
                i(a, "cluster-seconds", full ? 20 : 3));
        a.keySet().removeAll(java.util.Set.of("mode", "out", "seed", "phases", "e2e-runs", "e2e-rate", "e2e-warmup-seconds",
                "e2e-seconds", "entries-per-run", "threads", "latency-runs", "latency-rate", "latency-warmup-seconds",
                "latency-seconds", "memory-warmup-runs", "churn-runs", "churn-entries", "churn-concurrency", "idle-runs",
                "idle-entries", "full-ring-runs", "tombstone-check-ms", "memory-histograms", "live-readers", "live-rate", "live-runs", "live-run-rate",
                "live-warmup-seconds", "live-seconds", "live-ingest-entries", "live-trials", "log4j-queue", "log4j-batch", "pg", "sink-format",
                "copy-connections", "copy-max-rows", "cluster-runs", "cluster-warmup-seconds", "cluster-seconds"));
        if (!a.isEmpty()) throw new IllegalArgumentException("unknown option(s): " + a.keySet());
        if (o.idleRuns <= MemoryPhase.FEW_RUNS) throw new IllegalArgumentException("--idle-runs must exceed " + MemoryPhase.FEW_RUNS);
        if (o.copyConnections < 1 || o.copyConnections > LoggingSettings.MAX_COPY_CONNECTIONS) {
            throw new IllegalArgumentException("--copy-connections must be 1.." + LoggingSettings.MAX_COPY_CONNECTIONS);
        }
        if (o.copyMaxRows < 1) throw new IllegalArgumentException("--copy-max-rows must be at least 1");
        if (o.log4jQueue < 1 || o.log4jBatch < 1) throw new IllegalArgumentException("--log4j-queue and --log4j-batch must be at least 1");
        return o;
    }

    /**
     * Phases in run order; the COPY limit needs the runs of the e2e phase (or, without it, of the
     * log4j phase). {@code log4j} is the Log4j2 JDBC-appender peer ({@link Log4jJdbcPeer}).
     */
    static final java.util.List<String> PHASES = java.util.List.of("e2e", "log4j", "limit", "latency", "live", "memory", "cluster");
    /** The short run's phases when {@code --phases} is not given: the peer only on request (keeps the verify smoke as it was). */
    static final java.util.List<String> SHORT_PHASES = PHASES.stream().filter(p -> !p.equals("log4j") && !p.equals("cluster")).toList();

    boolean runs(String phase) {
        return phases.contains(phase);
    }

    private static java.util.Set<String> phases(String list) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>(java.util.Arrays.asList(list.split(",")));
        if (!PHASES.containsAll(out)) throw new IllegalArgumentException("--phases: a comma list of " + PHASES + ", was " + list);
        if (out.contains("limit") && !out.contains("e2e") && !out.contains("log4j")) {
            throw new IllegalArgumentException("--phases: limit needs e2e or log4j (same rows)");
        }
        return out;
    }

    /** {@code --pg=shared_buffers:512MB,max_wal_size:4GB}: PostgreSQL settings over zonky's defaults. */
    private static Map<String, String> pgConfig(String list) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String kv : list.split(",")) {
            if (kv.isBlank()) continue;
            int colon = kv.indexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("--pg: name:value pairs separated by commas, was " + list);
            out.put(kv.substring(0, colon).trim(), kv.substring(colon + 1).trim());
        }
        return out;
    }

    private static int i(Map<String, String> a, String k, int def) {
        return a.containsKey(k) ? Integer.parseInt(a.get(k)) : def;
    }

    private static double d(Map<String, String> a, String k, double def) {
        return a.containsKey(k) ? Double.parseDouble(a.get(k)) : def;
    }
}
