package org.phong.zenflow.logging.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.metrics.Metadata;

/**
 * Every metric of the module in one table: name, kind, unit, tags and description. {@link PipelineMetrics}
 * registers {@link #ALL}, {@link JournalMetrics}, {@link KafkaMetrics} and {@link StreamMetrics} the
 * other lists; the table in docs/operations.md, the Grafana dashboard and the tests are checked against
 * this list, so a metric cannot be renamed in one place only.
 *
 * <p>Prometheus names (what /metrics shows, with tag {@code mp_scope="application"}): dots become
 * underscores; a counter gets {@code _total}; a timer {@code _seconds} with {@code _count},
 * {@code _sum}, {@code _max}, {@code _bucket} and {@code {quantile=...}}; a histogram the same without
 * a unit; a gauge with a unit gets the unit ({@code _bytes}, {@code _seconds}).
 *
 * <p>Conventions (Prometheus): a count that only grows is a counter (so {@code _total}, and
 * {@code rate()} works across restarts), never a gauge; sizes are in bytes and durations in seconds;
 * a counter of bytes says so in its name ({@code truncated.bytes}) rather than in a unit.
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

    public static final String JOURNAL_SIZE = "zenflow.logging.journal.size";
    public static final String JOURNAL_SEGMENTS = "zenflow.logging.journal.segments";
    public static final String JOURNAL_AVAILABLE = "zenflow.logging.journal.available";
    public static final String JOURNAL_APPENDED = "zenflow.logging.journal.appended.entries";
    public static final String JOURNAL_UNJOURNALED = "zenflow.logging.journal.unjournaled.entries";
    public static final String JOURNAL_FSYNCS = "zenflow.logging.journal.fsyncs";
    public static final String JOURNAL_FSYNC_LAST = "zenflow.logging.journal.fsync.last";
    public static final String JOURNAL_FSYNC_MAX = "zenflow.logging.journal.fsync.max";
    public static final String JOURNAL_FSYNC_MEAN = "zenflow.logging.journal.fsync.mean";
    public static final String JOURNAL_TRUNCATED_RECORDS = "zenflow.logging.journal.truncated.records";
    public static final String JOURNAL_TRUNCATED_BYTES = "zenflow.logging.journal.truncated.bytes";
    public static final String JOURNAL_SINK_BACKLOG_ENTRIES = "zenflow.logging.journal.sink.backlog.entries";
    public static final String JOURNAL_SINK_BACKLOG = "zenflow.logging.journal.sink.backlog";
    public static final String DEGRADATION_SAMPLED_OUT = "zenflow.logging.degradation.sampled.out.entries";
    public static final String DEGRADATION_TRANSITIONS = "zenflow.logging.degradation.transitions";

    public static final String KAFKA_SENT = "zenflow.logging.kafka.sent";
    public static final String KAFKA_FAILED = "zenflow.logging.kafka.failed.sends";
    public static final String KAFKA_RESENT = "zenflow.logging.kafka.resent";
    public static final String KAFKA_IN_FLIGHT = "zenflow.logging.kafka.in.flight";
    public static final String KAFKA_BACKLOG = "zenflow.logging.kafka.backlog";
    public static final String KAFKA_DROPPED = "zenflow.logging.kafka.dropped";
    public static final String KAFKA_REJECTED = "zenflow.logging.kafka.rejected";
    public static final String KAFKA_ACKED_POSITION = "zenflow.logging.kafka.acked.position";
    public static final String KAFKA_OLDEST_UNACKED_AGE = "zenflow.logging.kafka.oldest.unacked.age";
    public static final String KAFKA_SEND_LATENCY = "zenflow.logging.kafka.send.latency";
    public static final String KAFKA_JOURNAL_BACKLOG = "zenflow.logging.kafka.journal.backlog";
    public static final String KAFKA_JOURNAL_SKIPPED = "zenflow.logging.kafka.journal.skipped";

    public static final String CLUSTER_RECORDS_PRODUCED = "zenflow.logging.cluster.records.produced";
    public static final String CLUSTER_RECORDS_REFUSED = "zenflow.logging.cluster.records.refused";
    public static final String CLUSTER_RECORDS_FAILED = "zenflow.logging.cluster.records.failed";
    public static final String CLUSTER_ENTRIES_STORED = "zenflow.logging.cluster.entries.stored";
    public static final String CLUSTER_FENCED_WRITES = "zenflow.logging.cluster.fenced.writes";
    public static final String CLUSTER_MALFORMED_RECORDS = "zenflow.logging.cluster.malformed.records";
    public static final String CLUSTER_ENTRIES_REJECTED = "zenflow.logging.cluster.entries.rejected";
    public static final String CLUSTER_DATABASE_RETRIES = "zenflow.logging.cluster.database.retries";
    public static final String CLUSTER_OUTPUT_PUBLISHED = "zenflow.logging.cluster.output.published";
    public static final String CLUSTER_OUTPUT_FAILED = "zenflow.logging.cluster.output.failed";
    public static final String CLUSTER_OUTPUT_REPUBLISHED = "zenflow.logging.cluster.output.republished";
    public static final String CLUSTER_OUTPUT_EXPIRED = "zenflow.logging.cluster.output.expired";
    public static final String CLUSTER_OWNED_PARTITIONS = "zenflow.logging.cluster.owned.partitions";

    public static final String STREAM_SESSIONS = "zenflow.logging.stream.sessions";
    public static final String STREAM_WATCHED_RUNS = "zenflow.logging.stream.watched.runs";
    public static final String STREAM_SESSIONS_OPENED = "zenflow.logging.stream.sessions.opened";
    public static final String STREAM_FRAMES_SENT = "zenflow.logging.stream.frames.sent";
    public static final String STREAM_ENTRIES_SENT = "zenflow.logging.stream.entries.sent";
    public static final String STREAM_CLOSED_SLOW = "zenflow.logging.stream.closed.slow";
    public static final String STREAM_CLOSED_DEAD = "zenflow.logging.stream.closed.dead";
    public static final String STREAM_HISTORY_TIMEOUTS = "zenflow.logging.stream.history.timeouts";

    /** Tag keys. */
    public static final String LEVEL = "level";
    public static final String REASON = "reason";
    public static final String SINK = "sink";
    public static final String OUTCOME = "outcome";

    private static final String BYTES = "bytes";
    private static final String SECONDS = "seconds";

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
                    "Degradation level: 1 normal, 2 a durable sink failing, 3 journal failed or full, 4 memory pressure; 0 before the pipeline has started"),
            new Def(ROUTE_DURATION, Kind.TIMER, null, List.of(),
                    "Duration of route() (admission + enqueue) on the caller's thread, sampled 1 in metrics.route-sample-every calls"),
            new Def(BATCH_WAIT, Kind.TIMER, null, List.of(),
                    "How long a run's batch waited in its buffer before flushing (age of its oldest entry; bounded by buffer.max-delay-ms)"),
            new Def(SINK_WRITE_DURATION, Kind.TIMER, null, List.of(SINK, OUTCOME),
                    "Duration of one sink call (one COPY for postgresql, several at once for a deep backlog's batch: persistence latency per batch), outcome success or failure"),
            new Def(PIPELINE_LATENCY, Kind.TIMER, null, List.of(),
                    "End to end: from route() to the moment every durable sink has the entry, sampled 1 in metrics.route-sample-every entries"),
            new Def(BATCH_SIZE, Kind.HISTOGRAM, null, List.of(),
                    "Entries per run batch flushed from a buffer (adaptive between buffer.min-batch-size and max-batch-size)"),
            new Def(SINK_BATCH_SIZE, Kind.HISTOGRAM, null, List.of(SINK),
                    "Entries per sink call (batches of several runs are coalesced up to the sink's maximum)"));

    /** The journal's and the degradation machine's metrics, registered by {@link JournalMetrics}. */
    public static final List<Def> JOURNAL = List.of(
            new Def(JOURNAL_SIZE, Kind.GAUGE, BYTES, List.of(), "Bytes of all journal segment files on disk"),
            new Def(JOURNAL_SEGMENTS, Kind.GAUGE, null, List.of(), "Journal segment files on disk"),
            new Def(JOURNAL_AVAILABLE, Kind.GAUGE, null, List.of(),
                    "1 when entries are journaled now, 0 when the journal is disabled, failed or full"),
            new Def(JOURNAL_APPENDED, Kind.COUNTER, null, List.of(), "Entries appended to the journal"),
            new Def(JOURNAL_UNJOURNALED, Kind.COUNTER, null, List.of(),
                    "Entries routed while the journal was unavailable or full (held in memory only)"),
            new Def(JOURNAL_FSYNCS, Kind.COUNTER, null, List.of(), "Journal commits (forces to disk)"),
            new Def(JOURNAL_FSYNC_LAST, Kind.GAUGE, SECONDS, List.of(), "Duration of the last journal force"),
            new Def(JOURNAL_FSYNC_MAX, Kind.GAUGE, SECONDS, List.of(), "Longest journal force since start"),
            new Def(JOURNAL_FSYNC_MEAN, Kind.GAUGE, SECONDS, List.of(), "Mean journal force since start"),
            new Def(JOURNAL_TRUNCATED_RECORDS, Kind.COUNTER, null, List.of(),
                    "Damaged journal records cut at startup (one per damaged segment)"),
            new Def(JOURNAL_TRUNCATED_BYTES, Kind.COUNTER, null, List.of(), "Bytes cut from damaged journal segments at startup"),
            new Def(JOURNAL_SINK_BACKLOG_ENTRIES, Kind.GAUGE, null, List.of(SINK),
                    "Journaled entries the durable sink has not acknowledged"),
            new Def(JOURNAL_SINK_BACKLOG, Kind.GAUGE, BYTES, List.of(SINK),
                    "Journal bytes from the durable sink's acknowledged position to the end"),
            new Def(DEGRADATION_SAMPLED_OUT, Kind.COUNTER, null, List.of(),
                    "DEBUG/INFO entries sampled out under memory pressure (level 4)"),
            new Def(DEGRADATION_TRANSITIONS, Kind.COUNTER, null, List.of(), "Degradation level changes"));

    /** The Kafka sink's metrics, registered by {@link KafkaMetrics} when the sink is enabled. */
    public static final List<Def> KAFKA = List.of(
            new Def(KAFKA_SENT, Kind.COUNTER, null, List.of(), "Entries Kafka acknowledged"),
            new Def(KAFKA_FAILED, Kind.COUNTER, null, List.of(), "Failed sends; each entry is sent again in order"),
            new Def(KAFKA_RESENT, Kind.COUNTER, null, List.of(), "Entries sent again after a failed send"),
            new Def(KAFKA_IN_FLIGHT, Kind.GAUGE, null, List.of(), "Entries handed to the Kafka producer, not yet acknowledged"),
            new Def(KAFKA_BACKLOG, Kind.GAUGE, null, List.of(),
                    "Entries held for Kafka (queued + in flight), bounded by zenflow.logging.kafka.max-backlog-entries"),
            new Def(KAFKA_DROPPED, Kind.COUNTER, null, List.of(),
                    "Entries dropped for Kafka because its backlog was full or its journal share exceeded (loss for Kafka only, PostgreSQL has them)"),
            new Def(KAFKA_REJECTED, Kind.COUNTER, null, List.of(),
                    "Entries Kafka can never take, e.g. larger than max.request.size (loss for Kafka only)"),
            new Def(KAFKA_ACKED_POSITION, Kind.GAUGE, null, List.of(),
                    "The Kafka sink's acknowledged position: every entry up to it is in Kafka"),
            new Def(KAFKA_OLDEST_UNACKED_AGE, Kind.GAUGE, SECONDS, List.of(),
                    "Age of the oldest entry Kafka has not acknowledged (0 when none)"),
            new Def(KAFKA_SEND_LATENCY, Kind.TIMER, null, List.of(),
                    "Time from handing an entry to the Kafka producer to its acknowledgement (acks=all)"),
            new Def(KAFKA_JOURNAL_BACKLOG, Kind.GAUGE, BYTES, List.of(),
                    "With the journal: journal bytes from Kafka's acknowledged position to the end, bounded by zenflow.logging.kafka.journal-max-bytes"),
            new Def(KAFKA_JOURNAL_SKIPPED, Kind.COUNTER, null, List.of(),
                    "With the journal: entries skipped because Kafka's journal backlog exceeded its share (included in dropped)"));

    /** The live tail's metrics, registered by {@link StreamMetrics}. */
    public static final List<Def> STREAM = List.of(
            new Def(STREAM_SESSIONS, Kind.GAUGE, null, List.of(), "Live-tail sessions (WebSocket and long-poll) open now"),
            new Def(STREAM_WATCHED_RUNS, Kind.GAUGE, null, List.of(), "Runs with at least one live-tail session"),
            new Def(STREAM_SESSIONS_OPENED, Kind.COUNTER, null, List.of(), "Live-tail sessions opened"),
            new Def(STREAM_FRAMES_SENT, Kind.COUNTER, null, List.of(), "Frames of every type sent to live-tail clients"),
            new Def(STREAM_ENTRIES_SENT, Kind.COUNTER, null, List.of(), "Log frames sent to live-tail clients"),
            new Def(STREAM_CLOSED_SLOW, Kind.COUNTER, null, List.of(),
                    "Sessions closed 1013 because their outbound queue was full (client too slow)"),
            new Def(STREAM_CLOSED_DEAD, Kind.COUNTER, null, List.of(), "Sessions closed because the peer stopped answering pings"),
            new Def(STREAM_HISTORY_TIMEOUTS, Kind.COUNTER, null, List.of(),
                    "Sessions closed 1013 because history did not reach the database within history-wait-ms"));

    /**
     * Cluster mode's metrics, registered by {@link ClusterMetrics} only when cluster mode runs (so they are not
     * in {@link #EVERY}, whose series a single-node server serves; {@link #CATALOG} has both).
     */
    public static final List<Def> CLUSTER = List.of(
            new Def(CLUSTER_RECORDS_PRODUCED, Kind.COUNTER, null, List.of(),
                    "Ingest records (entries, run starts and ends) this node produced and Kafka acknowledged (acks=all)"),
            new Def(CLUSTER_RECORDS_REFUSED, Kind.COUNTER, null, List.of(),
                    "Ingest records the producer refused at once (buffer full, brokers or topic unknown): route() answered REJECTED, HTTP 429"),
            new Def(CLUSTER_RECORDS_FAILED, Kind.COUNTER, null, List.of(),
                    "Ingest records the producer took and then gave up on (delivery.timeout.ms): not stored; a ?wait=durable request saw it"),
            new Def(CLUSTER_ENTRIES_STORED, Kind.COUNTER, null, List.of(),
                    "Entries this node's partition owner stored with their seq (fenced writes that committed)"),
            new Def(CLUSTER_FENCED_WRITES, Kind.COUNTER, null, List.of(),
                    "Writes refused because another node claimed the partition since (this node stops that partition)"),
            new Def(CLUSTER_MALFORMED_RECORDS, Kind.COUNTER, null, List.of(),
                    "Ingest records that did not decode, consumed without a row (logged with their offset)"),
            new Def(CLUSTER_ENTRIES_REJECTED, Kind.COUNTER, null, List.of(),
                    "Entries PostgreSQL refused for their content, moved to logs_rejected in the owner's fenced write (each is missing from logs)"),
            new Def(CLUSTER_DATABASE_RETRIES, Kind.COUNTER, null, List.of(),
                    "Owner writes that failed in PostgreSQL and were retried from their first offset after backoff"),
            new Def(CLUSTER_OUTPUT_PUBLISHED, Kind.COUNTER, null, List.of(),
                    "Stored entries published to the output topic and acknowledged"),
            new Def(CLUSTER_OUTPUT_FAILED, Kind.COUNTER, null, List.of(),
                    "Stored entries not published to the output topic (refused or given up on; they are in PostgreSQL, republished at the partition's next claim)"),
            new Def(CLUSTER_OUTPUT_REPUBLISHED, Kind.COUNTER, null, List.of(),
                    "Stored entries read back from the output outbox and published again (a takeover, a failed send, a lost commit reply)"),
            new Def(CLUSTER_OUTPUT_EXPIRED, Kind.COUNTER, null, List.of(),
                    "Entries of output outbox rows that retention dropped from PostgreSQL before they were published (never on the output topic)"),
            new Def(CLUSTER_OWNED_PARTITIONS, Kind.GAUGE, null, List.of(),
                    "Ingest partitions this node owns now (claimed in the ledger, not fenced or revoked)"));

    /** Every metric of the module: the pipeline's, the journal's, Kafka's and the live tail's. */
    public static final List<Def> EVERY = concat(ALL, JOURNAL, KAFKA, STREAM);

    /** Every metric the module can register: {@link #EVERY} and cluster mode's. */
    public static final List<Def> CATALOG = concat(EVERY, CLUSTER);

    /** @return the definition of a metric of {@link #CATALOG} */
    public static Def def(String name) {
        for (Def d : CATALOG) if (d.name().equals(name)) return d;
        throw new IllegalArgumentException("not in MetricNames: " + name);
    }

    /** @return the MicroProfile metadata (name, description, unit) of a metric of {@link #CATALOG} */
    public static Metadata metadata(String name) {
        Def d = def(name);
        var b = Metadata.builder().withName(name).withDescription(d.description());
        if (d.unit() != null) b.withUnit(d.unit());
        return b.build();
    }

    @SafeVarargs
    private static List<Def> concat(List<Def>... lists) {
        List<Def> out = new ArrayList<>();
        for (List<Def> l : lists) out.addAll(l);
        return List.copyOf(out);
    }

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

    /** @return every Prometheus series name the module's metrics produce (cluster mode's included) */
    public static List<String> allPrometheusSeries() {
        return series(CATALOG);
    }

    /** @return the Prometheus series names of {@code defs} */
    public static List<String> series(List<Def> defs) {
        List<String> out = new ArrayList<>();
        for (Def d : defs) out.addAll(d.prometheusSeries());
        return out;
    }
}
