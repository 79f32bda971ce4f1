package org.phong.zenflow.logging.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.cluster.ClusterNode;
import org.phong.zenflow.logging.config.SecuritySettings;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;
import org.phong.zenflow.logging.redact.Redactor;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.stats.PipelineObserver;
import org.phong.zenflow.logging.testing.Directories;

/**
 * Cluster mode end to end on this machine: 1, 2 and 3 {@link ClusterNode}s in this JVM, each behind its
 * forwarding {@link LogRouter} as the server wires it, on one forked KRaft broker (ingest and output topics
 * of {@link #PARTITIONS} partitions) and the benchmark's PostgreSQL. Generator threads route entries of
 * many concurrent runs, each run pinned to one node (an engine's run lives on one server), in a closed
 * loop: a refusal (the producer's buffer full) parks 1 ms and routes the same entry again, so the load is
 * whatever the nodes take, not a rate we chose. Reported per node count: entries stored per second in the
 * steady window (the owners' counters), and the CPU of this JVM (routers, producers, owner loops,
 * publishers, generators), of the broker and of PostgreSQL, which together tell what limits it here.
 * After each round the nodes drain and the table is checked run by run (rows = accepted, seq 1..n).
 */
final class ClusterPhase {
    static final int PARTITIONS = 6;
    private static final long DRAIN_TIMEOUT_MS = 180_000;

    /** One round's figures. */
    record Round(int nodes, double storedPerSecond, double jvmCores, double brokerCores, double databaseCores, long stored,
                 List<String> problems) {
        Map<String, Object> json() {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("nodes", nodes);
            j.put("storedPerSecond", storedPerSecond);
            j.put("benchmarkJvmCpuCores", jvmCores);
            j.put("brokerCpuCores", brokerCores);
            j.put("databaseCpuCores", databaseCores);
            j.put("storedInAll", stored);
            j.put("problems", problems);
            return j;
        }
    }

    private final BenchDatabase db;
    private final Workload workload;
    private final int runs;
    private final int threads;
    private Path brokerDir;

    ClusterPhase(BenchDatabase db, Workload workload, int runs, int threads) {
        this.db = db;
        this.workload = workload;
        this.runs = runs;
        this.threads = threads;
    }

    /** Runs one round per node count on one broker, which it starts and stops. */
    List<Round> run(int[] nodeCounts, int warmupSeconds, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("bench-cluster");
        KafkaBrokerLauncher.quietClientLogs();
        brokerDir = dir.resolve("kafka");
        String bootstrap = KafkaBrokerLauncher.start(brokerDir, freePort(), freePort(), true);
        try {
            List<Round> out = new ArrayList<>();
            for (int n : nodeCounts) out.add(round(bootstrap, n, warmupSeconds, seconds));
            return out;
        } finally {
            KafkaBrokerLauncher.stop(dir.resolve("kafka"));
            Directories.deleteTree(dir);
        }
    }

    private Round round(String bootstrap, int nodeCount, int warmupSeconds, int seconds) throws Exception {
        db.truncate();
        String in = "bench-ingest-" + nodeCount;
        String output = "bench-output-" + nodeCount;
        KafkaBrokerLauncher.createTopic(bootstrap, in, PARTITIONS);
        KafkaBrokerLauncher.createTopic(bootstrap, output, PARTITIONS);
        List<ClusterNode> nodes = new ArrayList<>();
        List<LogRouter> routers = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            ClusterNode node = ClusterNode.builder().topics(in, output).groupId("bench-" + in).node("bench-node-" + i)
                    .kafka(Map.of("bootstrap.servers", bootstrap)).dataSource(db.ds).threads(BenchPipeline.daemon("bench-owner-" + i))
                    .readyTimeout(Duration.ofSeconds(30)).build().start();
            nodes.add(node);
            routers.add(LogRouter.forwarding(node, Redactor.from(SecuritySettings.defaults()), PipelineObserver.NONE));
        }
        System.out.printf("cluster, %d node(s) in this JVM: %d runs pinned round-robin to the nodes, %d generator threads, closed loop, %d s + %d s%n",
                nodeCount, runs, threads, warmupSeconds, seconds);
        Map<UUID, LongAdder> accepted = new HashMap<>();
        UUID[] runIds = new UUID[runs];
        UUID[] workflows = new UUID[runs];
        for (int r = 0; r < runs; r++) {
            runIds[r] = UUID.randomUUID();
            workflows[r] = workload.workflowId(r);
            accepted.put(runIds[r], new LongAdder());
        }
        AtomicInteger stop = new AtomicInteger();
        List<Thread> gens = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            Thread g = new Thread(() -> {
                long[] next = new long[runs];
                while (stop.get() == 0) {
                    for (int r = first; r < runs && stop.get() == 0; r += threads) {
                        LogEntry e = workload.entry(r, workflows[r], runIds[r], ++next[r], Instant.now());
                        LogRouter router = routers.get(r % nodeCount);
                        while (router.route(e) != RouteResult.ACCEPTED) {
                            if (stop.get() != 0) return;
                            LockSupport.parkNanos(1_000_000); // the producer's buffer is full: the closed loop's back-off
                        }
                        accepted.get(runIds[r]).increment();
                    }
                }
            }, "bench-cluster-gen-" + t);
            g.setDaemon(true);
            gens.add(g);
        }
        gens.forEach(Thread::start);
        Thread.sleep(warmupSeconds * 1000L);
        SteadyWindow w = new SteadyWindow().count("stored", () -> stored(nodes)).count("cpu", PipelineBenchmark::processCpuNanos)
                .count("broker", this::brokerCpuNanos).count("databaseCpu", db::cpuNanos);
        w.open();
        Thread.sleep(seconds * 1000L);
        w.close();
        stop.set(1);
        for (Thread g : gens) g.join();
        long total = accepted.values().stream().mapToLong(LongAdder::sum).sum();
        long deadline = System.currentTimeMillis() + DRAIN_TIMEOUT_MS;
        while (stored(nodes) < total && System.currentTimeMillis() < deadline) Thread.sleep(100);
        for (ClusterNode n : nodes) n.close();
        Map<UUID, Long> expected = new HashMap<>();
        accepted.forEach((k, v) -> expected.put(k, v.sum()));
        List<String> problems = new ArrayList<>(db.verify(expected));
        Round r = new Round(nodeCount, w.perSecond("stored"), w.share("cpu"), w.share("broker"), w.share("databaseCpu"), total, problems);
        System.out.printf("  %,.0f entries/s stored in the steady window (this JVM %.2f cores, broker %.2f, PostgreSQL %.2f), %,d in all: %s%n",
                r.storedPerSecond(), r.jvmCores(), r.brokerCores(), r.databaseCores(), total, problems.isEmpty() ? "exact" : problems);
        return r;
    }

    private static long stored(List<ClusterNode> nodes) {
        long s = 0;
        for (ClusterNode n : nodes) s += n.status().loop().entriesWritten();
        return s;
    }

    /**
     * CPU of the forked broker: the process running kafka.Kafka on this phase's directory (launched detached,
     * not a child of this JVM), from /proc (Linux; 0 elsewhere).
     */
    private long brokerCpuNanos() {
        String marker = brokerDir.toString();
        long ticks = 0;
        try (java.nio.file.DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8);
                    if (!cmd.contains("kafka.Kafka") || !cmd.contains(marker)) continue;
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                } catch (java.io.IOException | RuntimeException gone) {
                    // exited meanwhile, or not ours to read
                }
            }
        } catch (java.io.IOException noProc) {
            return 0;
        }
        return ticks * 10_000_000L; // USER_HZ = 100
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
