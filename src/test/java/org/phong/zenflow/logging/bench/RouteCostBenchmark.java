package org.phong.zenflow.logging.bench;

import static org.phong.zenflow.logging.config.LoggingSettings.*;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.stats.PipelineObserver;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.TestSettings;
import org.phong.zenflow.logging.time.ExecutorScheduler;

/**
 * What observing costs on the caller's thread: ns per {@code route()} with no observer, with an
 * observer that counts every entry (LongAdder per level, like a Counter) and times 1 in 64 calls,
 * and with one that times every call. A main program, not a test (speed is measured here, never
 * asserted): {@code mvn -o -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.phong.zenflow.logging.bench.RouteCostBenchmark}. Run it on a quiet machine.
 */
public final class RouteCostBenchmark {
    private static final int RUNS = 1000;
    private static final int WARMUP = 2_000_000;
    private static final int MEASURED = 5_000_000;
    private static final int ROUNDS = 3;

    /** Stands in for the MicroProfile bridge: the same calls, LongAdders in place of Counters and Timers. */
    static final class CountingObserver implements PipelineObserver {
        final int every;
        final Map<LogLevel, LongAdder> accepted = new EnumMap<>(LogLevel.class);
        final LongAdder timed = new LongAdder();
        final LongAdder nanos = new LongAdder();

        CountingObserver(int every) {
            this.every = every;
            for (LogLevel l : LogLevel.values()) accepted.put(l, new LongAdder());
        }

        @Override public int sampleEvery() { return every; }
        @Override public void accepted(LogLevel level) { accepted.get(level).increment(); }
        @Override public void routeSampled(long n) { timed.increment(); nanos.add(n); }
    }

    public static void main(String[] args) throws Exception {
        System.out.println("ns per route() on one caller thread (2 router workers consume concurrently)");
        for (int round = 0; round < ROUNDS; round++) {
            measure("no observer", PipelineObserver.NONE);
            measure("counting, 1 in 64 timed", new CountingObserver(64));
            measure("counting, every call timed", new CountingObserver(1));
        }
    }

    private static void measure(String label, PipelineObserver observer) throws Exception {
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        LogSink discard = new LogSink() {
            @Override public void process(List<LogEntry> entries) { }
            @Override public String name() { return "discard"; }
            @Override public boolean isHealthy() { return true; }
            @Override public boolean isDurable() { return true; }
        };
        LoggingPipeline p = LoggingPipeline.builder()
                .settings(TestSettings.of(QUEUE_CAPACITY, "100000000", RING_BUFFER_SIZE, "0", WORKERS, "2"))
                .sinks(List.of(discard)).scheduler(new ExecutorScheduler(timer)).executor(executor)
                .threadFactory(Thread::new).sequenceLookup(r -> 0).observer(observer).build().start();
        UUID wf = UUID.randomUUID();
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) entries.add(Entries.info(wf, UUID.randomUUID(), "benchmark entry " + i));
        LogRouter router = p.router();
        for (int i = 0; i < WARMUP; i++) router.route(entries.get(i % RUNS));
        p.router().barrier().get();
        long t0 = System.nanoTime();
        for (int i = 0; i < MEASURED; i++) router.route(entries.get(i % RUNS));
        long ns = System.nanoTime() - t0;
        p.shutdown(30_000);
        executor.shutdownNow();
        timer.shutdownNow();
        System.out.printf("%-28s %6.1f ns/route%n", label, (double) ns / MEASURED);
    }
}
