package org.phong.zenflow.logging.metrics;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.interceptor.Interceptor;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Timer;
import org.phong.zenflow.logging.cdi.KafkaSinkWiring;
import org.phong.zenflow.logging.sink.kafka.KafkaLogSink;
import org.phong.zenflow.logging.sink.kafka.KafkaSinkStats;

/**
 * The Kafka sink's metrics ({@code zenflow.logging.kafka.*}, application scope), read from
 * {@link KafkaLogSink#stats()} snapshots; only the send latency is pushed (a timer updated from the
 * producer's acknowledgement callback). Registered only when the sink is enabled. Cumulative counts are
 * gauges because the sink owns the numbers (MicroProfile counters cannot read a value).
 */
@ApplicationScoped
public class KafkaMetrics {
    /** Area prefix of every name (metric names, not configuration keys). */
    private static final String AREA = "zenflow.logging.kafka.";
    public static final String SENT = AREA + "sent";
    public static final String FAILED = AREA + "failed";
    public static final String RESENT = AREA + "resent";
    public static final String IN_FLIGHT = AREA + "in.flight";
    public static final String BACKLOG = AREA + "backlog";
    public static final String DROPPED = AREA + "dropped";
    public static final String REJECTED = AREA + "rejected";
    public static final String ACKED_POSITION = AREA + "acked.position";
    public static final String OLDEST_UNACKED = AREA + "oldest.unacked";
    public static final String SEND_LATENCY = AREA + "send.latency";
    public static final String JOURNAL_BACKLOG_BYTES = AREA + "journal.backlog.bytes";
    public static final String JOURNAL_SKIPPED = AREA + "journal.skipped";

    @Inject
    MetricRegistry registry;

    @Inject
    KafkaSinkWiring kafka;

    /**
     * Registers once the application has started, after LoggingModule's start observer (default
     * priority {@code APPLICATION + 500}) has built the pipeline and its sink.
     */
    void register(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) @Initialized(ApplicationScoped.class) Object ignored) {
        KafkaLogSink sink = kafka.sinkOrNull();
        if (sink == null) return;
        gauge(sink, SENT, "Entries Kafka acknowledged since start (cumulative)", KafkaSinkStats::sent);
        gauge(sink, FAILED, "Failed sends since start (cumulative); each entry is sent again in order", KafkaSinkStats::failedSends);
        gauge(sink, RESENT, "Entries sent again after a failed send (cumulative)", KafkaSinkStats::resent);
        gauge(sink, IN_FLIGHT, "Entries handed to the Kafka producer, not yet acknowledged", KafkaSinkStats::inFlight);
        gauge(sink, BACKLOG, "Entries held for Kafka (queued + in flight), bounded by zenflow.logging.kafka.max-backlog-entries",
                KafkaSinkStats::backlog);
        gauge(sink, DROPPED, "Entries dropped for Kafka because its backlog was full (cumulative; loss for Kafka only, PostgreSQL has them)",
                KafkaSinkStats::dropped);
        gauge(sink, REJECTED, "Entries Kafka can never take, e.g. larger than max.request.size (cumulative; loss for Kafka only)",
                KafkaSinkStats::rejected);
        gauge(sink, JOURNAL_BACKLOG_BYTES, "With the journal: journal bytes from Kafka's acknowledged position to the end, "
                + "bounded by zenflow.logging.kafka.journal-max-bytes (0 without the journal)", KafkaSinkStats::journalBacklogBytes);
        gauge(sink, JOURNAL_SKIPPED, "With the journal: entries skipped because Kafka's journal backlog exceeded its share "
                + "(cumulative; included in dropped; loss for Kafka only)", KafkaSinkStats::journalSkipped);
        gauge(sink, ACKED_POSITION, "The Kafka sink's acknowledged position: every entry up to it is in Kafka", KafkaSinkStats::ackedPosition);
        registry.gauge(Metadata.builder().withName(OLDEST_UNACKED).withUnit(MetricUnits.MILLISECONDS)
                .withDescription("Age of the oldest entry Kafka has not acknowledged (0 when none)").build(),
                sink, s -> s.stats().oldestUnackedMs());
        Timer latency = registry.timer(Metadata.builder().withName(SEND_LATENCY)
                .withDescription("Time from handing an entry to the Kafka producer to its acknowledgement (acks=all)").build());
        sink.onLatency(nanos -> latency.update(Duration.ofNanos(nanos)));
    }

    private void gauge(KafkaLogSink sink, String name, String description, ToLongFunction<KafkaSinkStats> f) {
        registry.gauge(Metadata.builder().withName(name).withDescription(description).build(), sink, s -> f.applyAsLong(s.stats()));
    }
}
