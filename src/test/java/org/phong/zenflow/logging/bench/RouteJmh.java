package org.phong.zenflow.logging.bench;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.time.ExecutorScheduler;

/**
 * JMH: {@code LogRouter.route()} on the caller's thread, flat out, 1,000 open runs, the workload's
 * entries (built in setup: only routing is timed). The pipeline is the real one with a durable sink
 * that discards, so admission is released as in production; the capacity is raised so that routing
 * faster than the workers append never turns into shedding (which would time a cheaper path). Each
 * iteration ends by waiting for the workers to catch up, so backlog does not carry over.
 * Sample mode gives percentiles as well as the mean.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class RouteJmh {
    static final int RUNS = 1000;
    static final int ENTRIES_PER_RUN = 64;

    private LoggingPipeline pipeline;
    private ScheduledExecutorService timer;
    private ExecutorService executor;
    private LogEntry[] entries;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty(LoggingSettings.QUEUE_CAPACITY, "200000000");
        LoggingSettings s = LoggingSettings.fromProperties(p);
        timer = Executors.newSingleThreadScheduledExecutor(BenchPipeline.daemon("jmh-timer"));
        executor = Executors.newFixedThreadPool(BenchPipeline.EXECUTOR_THREADS, BenchPipeline.daemon("jmh-executor"));
        pipeline = LoggingPipeline.builder().settings(s).sinks(List.of(new DiscardingSink()))
                .scheduler(new ExecutorScheduler(timer)).executor(executor)
                .threadFactory(BenchPipeline.daemon("jmh-router")).sequenceLookup(run -> 0).build().start();
        entries = entries(pipeline, new Workload(1));
    }

    /** Opens {@link #RUNS} runs and builds their entries, interleaved across runs. */
    static LogEntry[] entries(LoggingPipeline p, Workload w) {
        LogEntry[] out = new LogEntry[RUNS * ENTRIES_PER_RUN];
        for (int r = 0; r < RUNS; r++) {
            UUID wf = w.workflowId(r);
            UUID run = w.runId(r);
            if (p != null) p.router().runStarted(new WorkflowRunStarted(wf, run));
            for (int k = 0; k < ENTRIES_PER_RUN; k++) out[k * RUNS + r] = w.entry(r, wf, run, k + 1, null);
        }
        return out;
    }

    @Benchmark
    public RouteResult route() {
        LogEntry e = entries[next];
        next = next + 1 == entries.length ? 0 : next + 1;
        return pipeline.router().route(e);
    }

    @TearDown(Level.Iteration)
    public void catchUp() throws InterruptedException {
        pipeline.router().barrier().join();
        while (pipeline.admission().inFlight() > 0) {
            pipeline.buffers().flushAll();
            Thread.sleep(1);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pipeline.shutdown(60_000);
        timer.shutdownNow();
        executor.shutdownNow();
    }

    /** Durable, so admission is released when it has a batch; writes nowhere. */
    static final class DiscardingSink implements LogSink {
        @Override
        public void process(List<LogEntry> entries) {
        }

        @Override
        public String name() {
            return "discard";
        }

        @Override
        public boolean isHealthy() {
            return true;
        }

        @Override
        public boolean isDurable() {
            return true;
        }
    }
}
