package org.phong.zenflow.logging.bench;

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
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.time.ExecutorScheduler;

/**
 * JMH: {@code WorkflowBufferManager.append()} as a router worker calls it: seq assignment, the
 * run's batch and ring, batch flushes (to a consumer that drops them) and the flush timers on a real
 * scheduled executor; 1,000 open runs, entries interleaved across them, server settings.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class BufferAppendJmh {
    private WorkflowBufferManager buffers;
    private ScheduledExecutorService timer;
    private LogEntry[] entries;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        timer = Executors.newSingleThreadScheduledExecutor(BenchPipeline.daemon("jmh-timer"));
        buffers = new WorkflowBufferManager(LoggingSettings.defaults(), batch -> { }, new ExecutorScheduler(timer),
                run -> 0, Runnable::run);
        entries = RouteJmh.entries(null, new Workload(1));
        for (int r = 0; r < RouteJmh.RUNS; r++) buffers.start(entries[r].workflowId(), entries[r].runId());
    }

    @Benchmark
    public void append() {
        LogEntry e = entries[next];
        next = next + 1 == entries.length ? 0 : next + 1;
        buffers.append(e);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        timer.shutdownNow();
    }
}
