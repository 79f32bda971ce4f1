package org.phong.zenflow.logging.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.sink.postgres.CopyEncoder;

/**
 * JMH: {@link CopyEncoder} (text) and the binary encoder encoding one COPY's worth of the workload's rows (copy-max-rows, 5,000)
 * into a reused buffer, as the sink does per call; the score is per row.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CopyEncodeJmh {
    static final int ROWS = 5000;

    private final CopyEncoder encoder = new CopyEncoder();
    private final org.phong.zenflow.logging.sink.postgres.BinaryCopyEncoder binary = new org.phong.zenflow.logging.sink.postgres.BinaryCopyEncoder();
    private List<LogEntry> rows;

    @Setup(Level.Trial)
    public void setUp() {
        Workload w = new Workload(1);
        rows = new ArrayList<>(ROWS);
        for (int i = 0; i < ROWS; i++) {
            int run = i / 50;
            rows.add(w.entry(run, w.workflowId(run), w.runId(run), i % 50 + 1, null).withSeq(i % 50 + 1));
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int encode() {
        encoder.reset();
        encoder.encode(rows);
        return encoder.size();
    }

    /** The sink's default format (PGCOPY binary), same rows. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int encodeBinary() {
        binary.reset();
        binary.encode(rows);
        return binary.size();
    }
}
