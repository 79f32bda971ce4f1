package org.phong.zenflow.logging.bench;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * JMH: what a log call costs the engine's thread before it reaches {@code route()}: the workload's entry
 * built and validated ({@code LogEntry.Builder.build()}: text cleaning, metadata normalisation), the same
 * entry the pipeline benchmark's engine threads build. Compact metadata takes {@code CompactJson}'s scan;
 * {@link #buildSpacedMetadata} has whitespace to drop, {@link #buildTreePathMetadata} an exponent, which
 * only the JSON-P path writes (as {@code 1E+2}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class EntryBuildJmh {
    private final Workload workload = new Workload(1);
    private final UUID workflow = UUID.randomUUID();
    private final UUID run = UUID.randomUUID();
    private long k;

    @Benchmark
    public LogEntry buildWorkloadEntry() {
        return workload.entry(7, workflow, run, ++k, null);
    }

    @Benchmark
    public LogEntry buildSpacedMetadata() {
        return entry("{ \"attempt\": 2, \"durationMs\": 417, \"items\": 803 }");
    }

    @Benchmark
    public LogEntry buildTreePathMetadata() {
        return entry("{\"attempt\":2,\"durationMs\":417,\"items\":8.03e2}");
    }

    private LogEntry entry(String metadata) {
        return LogEntry.builder().workflowId(workflow).runId(run).nodeKey("fetch-orders").level(org.phong.zenflow.logging.api.LogLevel.INFO)
                .message("fetch-orders: processed 803 items of batch 12 in 417 ms").metadata(metadata)
                .traceId("8a3f19c2d4e5f607").hierarchy("root/fetch-orders").build();
    }
}
