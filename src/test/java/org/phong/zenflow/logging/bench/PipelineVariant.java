package org.phong.zenflow.logging.bench;

import java.util.List;
import java.util.function.UnaryOperator;
import org.phong.zenflow.logging.LoggingPipeline;

/**
 * One configuration of the pipeline under test: a name for the table and a customisation of the
 * builder, applied after the server's parts (settings, PostgreSQL sink, executors) are set. The
 * throughput phase runs once per variant in {@link #ALL}, against the same COPY limit.
 *
 * @param name        as printed ("journal off")
 * @param targetRatio the target for end-to-end / COPY limit (0.9 journal off, 0.8 journal on)
 * @param customize   applied to the builder before {@code build()}
 */
record PipelineVariant(String name, double targetRatio, UnaryOperator<LoggingPipeline.Builder> customize) {
    /** The pipeline as the server builds it today (no write-ahead journal on this branch yet). */
    static final PipelineVariant JOURNAL_OFF = new PipelineVariant("journal off", 0.9, b -> b);

    /**
     * Every variant the full run measures. When the journal's builder switch lands, add e.g.
     * {@code new PipelineVariant("journal on (interval fsync)", 0.8, b -> b.journal(...))} here.
     */
    static final List<PipelineVariant> ALL = List.of(JOURNAL_OFF);
}
