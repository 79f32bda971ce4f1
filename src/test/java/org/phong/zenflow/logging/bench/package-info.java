/**
 * The pipeline benchmark (docs/benchmark.md): the real plain-Java pipeline ({@code LoggingPipeline} with the real
 * {@code PostgresLogSink}, server settings) against an embedded PostgreSQL with the production schema,
 * next to the database's own limit measured in the same run, and next to the peer a Java team would bolt on
 * instead (Log4j2's AsyncAppender + JdbcAppender, {@link org.phong.zenflow.logging.bench.Log4jJdbcPeer}). Also
 * {@link org.phong.zenflow.logging.bench.HttpLoad}, a load tool for a running server. Entry point {@link
 * org.phong.zenflow.logging.bench.PipelineBenchmark}; JMH microbenchmarks in the same package ({@code *Jmh}).
 *
 * <p>Invariants the harness keeps:
 * <ul>
 *   <li><b>Exactness first.</b> Every phase that writes starts on an empty {@code logs} table
 *       (TRUNCATE), remembers how many entries {@code route()} ACCEPTED per run, and at the end checks
 *       in SQL that each run has exactly that many rows, seq 1..n without gap or duplicate, and that
 *       no other run has rows; the last seq each {@code runCompleted} reports must match too. Any
 *       difference fails the benchmark (exit status 1), whatever the speed figures say.</li>
 *   <li><b>Figures are printed, not asserted.</b> Targets are compared and marked ok/MISS in the
 *       table; a miss never fails the run (figures on a shared 2-core machine are noisy).</li>
 *   <li><b>The limit is the same work without the pipeline</b>: the same rows (same runs, seqs,
 *       messages, metadata) COPYed by one connection straight from Java into the same empty table
 *       with the same indexes, 5,000 rows a COPY, rows grouped by run (the database's best case),
 *       encoding overlapped with the COPY on another thread.</li>
 *   <li><b>Load is paced, open-loop</b> at a target rate by generator threads that each own a set
 *       of concurrent runs; a run emits its entries, completes, and a new run takes its slot. In the
 *       throughput phase the generators also honour backpressure (they wait while
 *       {@code hasRoomFor} says no, as an HTTP client does on 429), so nothing is shed and the
 *       pipeline is measured at its sustainable maximum.</li>
 *   <li><b>Pipeline variants</b> ({@link org.phong.zenflow.logging.bench.PipelineVariant}) are
 *       builder customisations; the throughput phase runs once per variant, so a journal on/off
 *       comparison is one more list element.</li>
 * </ul>
 * Outputs under {@code target/bench/}: {@code results.json}, {@code timeline.csv} (one row per
 * sample: phase, time, routed/s, persisted/s, route latency percentiles), {@code chart.svg}.
 */
package org.phong.zenflow.logging.bench;
