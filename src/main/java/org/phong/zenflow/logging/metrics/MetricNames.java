package org.phong.zenflow.logging.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Every metric of the module in one table: name, kind, unit, tags and description. {@link PipelineMetrics}
 * registers exactly these; the table in docs/operations.md, the Grafana dashboard and the tests are checked against
 * this list, so a metric cannot be renamed in one place only.
 *
 * <p>Prometheus names (what /metrics shows, with tag {@code mp_scope="application"}): dots become
 * underscores; a counter gets {@code _total}; a timer {@code _seconds} with {@code _count},
 * {@code _sum}, {@code _max}, {@code _bucket} and {@code {quantile=...}}; a histogram the same without
 * a unit; a gauge with a unit gets the unit ({@code _bytes}).
 */
public final class MetricNames {
    private MetricNames() {
    }

    /** What kind of MicroProfile metric. */
    public enum Kind { COUNTER, GAUGE, TIMER, HISTOGRAM }

    /**
     * One metric.
     *
     * @param name        MicroProfile name ({@code zenflow.logging.<area>.<thing>})
     * @param kind        its kind
     * @param unit        {@code MetricUnits} value or null
     * @param tags        its tag keys
     * @param description what it means
     */
    public record Def(String name, Kind kind, String unit, List<String> tags, String description) {

        /** @return the Prometheus name of the metric's main series (before {@code _count}, {@code _bucket}, ...) */
        public String prometheusBase() {
            String base = name.replace('.', '_');
            return switch (kind) {
                case COUNTER -> base + "_total";
                case TIMER -> base + "_seconds";
                case GAUGE, HISTOGRAM -> unit == null ? base : base + "_" + unit;
            };
        }

        /** @return every Prometheus series name this metric produces */
        public List<String> prometheusSeries() {
            String b = prometheusBase();
            return switch (kind) {
                case COUNTER, GAUGE -> List.of(b);
                case TIMER, HISTOGRAM -> List.of(b, b + "_count", b + "_sum", b + "_max", b + "_bucket");
            };
        }
    }

    public static final String ROUTER_ACCEPTED = "zenflow.logging.router.accepted";
    public static final String ROUTER_DROPPED = "zenflow.logging.router.dropped";
    public static final String ROUTER_REJECTED = "zenflow.logging.router.rejected";
    public static final String INGESTION_REJECTED = "zenflow.logging.ingestion.rejected";
    public static final String SINK_WRITTEN = "zenflow.logging.sink.written";
    public static final String SINK_FAILURES = "zenflow.logging.sink.failures";
    public static final String SINK_RETRIES = "zenflow.logging.sink.retries";
    public static final String SINK_DROPPED = "zenflow.logging.sink.dropped";

    public static final String ROUTER_IN_FLIGHT = "zenflow.logging.router.in.flight";
    public static final String ROUTER_CAPACITY = "zenflow.logging.router.capacity";
    public static final String ROUTER_THRESHOLD = "zenflow.logging.router.backpressure.threshold";
    public static final String ROUTER_QUEUE_DEPTH = "zenflow.logging.router.queue.depth";
    public static final String BUFFER_ACTIVE_RUNS = "zenflow.logging.buffer.active.runs";
    public static final String BUFFER_ENTRIES = "zenflow.logging.buffer.entries";
    public static final String BUFFER_MEMORY = "zenflow.logging.buffer.memory";
    public static final String BUFFER_LARGEST_RUN_MEMORY = "zenflow.logging.buffer.largest.run.memory";
    public static final String SINK_BACKLOG = "zenflow.logging.sink.backlog";
    public static final String DEGRADATION_LEVEL = "zenflow.logging.degradation.level";

    public static final String ROUTE_DURATION = "zenflow.logging.router.route.duration";
    public static final String BATCH_WAIT = "zenflow.logging.buffer.batch.wait";
    public static final String SINK_WRITE_DURATION = "zenflow.logging.sink.write.duration";
    public static final String PIPELINE_LATENCY = "zenflow.logging.pipeline.latency";
    public static final String BATCH_SIZE = "zenflow.logging.buffer.batch.size";
    public static final String SINK_BATCH_SIZE = "zenflow.logging.sink.batch.size";

    /** Tag keys. */
    public static final String LEVEL = "level";
    public static final String REASON = "reason";
    public static final String SINK = "sink";
    public static final String OUTCOME = "outcome";

    private static final String BYTES = "bytes";

    /** The module's metrics, in the order of docs/operations.md. */
    public static final List<Def> ALL = List.of(
            new Def(ROUTER_ACCEPTED, Kind.COUNTER, null, List.of(LEVEL),
                    "Entries admitted by route() (in process, CDI event or HTTP), by level"),
            new Def(ROUTER_DROPPED, Kind.COUNTER, null, List.of(REASON, LEVEL),
                    "DEBUG/INFO entries shed by the backpressure strategy, by reason (debug_first, sampled, workflow_shed, source_circuit_open, capacity) and level"),
            new Def(ROUTER_REJECTED, Kind.COUNTER, null, List.of(REASON, LEVEL),
                    "Entries route() refused and handed back to the caller: reserve_full (even WARN/ERROR have no room) or shutting_down"),
            new Def(INGESTION_REJECTED, Kind.COUNTER, null, List.of(REASON),
                    "POST /api/v1/logs requests refused whole, by reason: invalid (400), too_large (413), unsupported_media_type (415), backpressure (429), unauthenticated (401), forbidden (403), other"),
            new Def(SINK_WRITTEN, Kind.COUNTER, null, List.of(SINK),
                    "Entries a sink took: persisted (durable sinks such as postgresql) or published (live sinks)"),
            new Def(SINK_FAILURES, Kind.COUNTER, null, List.of(SINK),
                    "Failed sink calls (a durable sink keeps the batch and retries it with backoff)"),
            new Def(SINK_RETRIES, Kind.COUNTER, null, List.of(SINK),
                    "Sink calls that repeated a batch which had failed before (the collector's backoff retries; Fault Tolerance's own @Retry retries are ft_retry_retries_total)"),
            new Def(SINK_DROPPED, Kind.COUNTER, null, List.of(SINK),
                    "Entries a best-effort sink will never get: its queue was full or its call failed"),
            new Def(ROUTER_IN_FLIGHT, Kind.GAUGE, null, List.of(),
                    "Entries admitted and not yet in every durable sink (the quantity backpressure bounds)"),
            new Def(ROUTER_CAPACITY, Kind.GAUGE, null, List.of(),
                    "router.queue-capacity: most entries in flight before DEBUG/INFO are all dropped"),
            new Def(ROUTER_THRESHOLD, Kind.GAUGE, null, List.of(),
                    "Entries in flight at which the backpressure strategy engages and HTTP answers 429"),
            new Def(ROUTER_QUEUE_DEPTH, Kind.GAUGE, null, List.of(),
                    "Entries and run events waiting in the router workers' queues"),
            new Def(BUFFER_ACTIVE_RUNS, Kind.GAUGE, null, List.of(),
                    "Runs holding a buffer"),
            new Def(BUFFER_ENTRIES, Kind.GAUGE, null, List.of(),
                    "Entries waiting in run batches or parked for a seq lookup"),
            new Def(BUFFER_MEMORY, Kind.GAUGE, BYTES, List.of(),
                    "Estimated heap held by all run buffers (batches, parked entries, rings); walks every run per scrape"),
            new Def(BUFFER_LARGEST_RUN_MEMORY, Kind.GAUGE, BYTES, List.of(),
                    "Estimated heap held by the largest run's buffer"),
            new Def(SINK_BACKLOG, Kind.GAUGE, null, List.of(SINK),
                    "Entries queued for a sink or being written by it"),
            new Def(DEGRADATION_LEVEL, Kind.GAUGE, null, List.of(),
                    "Degradation level reported by the Degradation bean (the journal); 0 = normal or no journal installed"),
            new Def(ROUTE_DURATION, Kind.TIMER, null, List.of(),
                    "Duration of route() (admission + enqueue) on the caller's thread, sampled 1 in metrics.route-sample-every calls"),
            new Def(BATCH_WAIT, Kind.TIMER, null, List.of(),
                    "How long a run's batch waited in its buffer before flushing (age of its oldest entry; bounded by buffer.max-delay-ms)"),
            new Def(SINK_WRITE_DURATION, Kind.TIMER, null, List.of(SINK, OUTCOME),
                    "Duration of one sink call (one COPY for postgresql: persistence latency per batch), outcome success or failure"),
            new Def(PIPELINE_LATENCY, Kind.TIMER, null, List.of(),
                    "End to end: from route() to the moment every durable sink has the entry, sampled 1 in metrics.route-sample-every entries"),
            new Def(BATCH_SIZE, Kind.HISTOGRAM, null, List.of(),
                    "Entries per run batch flushed from a buffer (adaptive between buffer.min-batch-size and max-batch-size)"),
            new Def(SINK_BATCH_SIZE, Kind.HISTOGRAM, null, List.of(SINK),
                    "Entries per sink call (batches of several runs are coalesced up to the sink's maximum)"));

    /**
     * Metrics of other producers the dashboard uses: MicroProfile Fault Tolerance on the PostgreSQL
     * writer (scope base) and the JVM (scope base). The module does not duplicate them.
     */
    public static final Set<String> EXTERNAL_SERIES = Set.of(
            "ft_retry_retries_total",
            "ft_circuitbreaker_opened_total",
            "ft_circuitbreaker_state_total_nanoseconds",
            "ft_timeout_calls_total",
            "ft_invocations_total",
            "memory_usedHeap_bytes",
            "memory_maxHeap_bytes",
            "thread_count");

    /** @return every Prometheus series name the module's metrics produce */
    public static List<String> allPrometheusSeries() {
        List<String> out = new ArrayList<>();
        for (Def d : ALL) out.addAll(d.prometheusSeries());
        return out;
    }
}
