package org.phong.zenflow.logging.metrics;

import static org.phong.zenflow.logging.metrics.MetricNames.*;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.metrics.Timer;
import org.phong.zenflow.logging.cdi.KafkaSinkWiring;
import org.phong.zenflow.logging.sink.kafka.KafkaLogSink;
import org.phong.zenflow.logging.sink.kafka.KafkaSinkStats;

/**
 * The Kafka sink's metrics ({@link MetricNames#KAFKA}), read from {@link KafkaLogSink#stats()}
 * snapshots: gauges at scrape time, and the sink's cumulative totals as counters through the
 * {@link CounterMirror} (the sink owns the numbers; it stays free of MicroProfile types). Only the
 * send latency is pushed (a timer updated from the producer's acknowledgement callback). Registered
 * only when the sink is enabled.
 */
@ApplicationScoped
public class KafkaMetrics {
    private static final double MILLIS_PER_SECOND = 1e3;

    @Inject
    KafkaSinkWiring kafka;

    @Inject
    CatalogMetrics metrics;

    /**
     * Registers once the application has started, after LoggingModule's start observer (default
     * priority {@code APPLICATION + 500}) has built the pipeline and its sink.
     */
    void register(@Observes @Priority(CatalogMetrics.AFTER_PIPELINE) @Initialized(ApplicationScoped.class) Object ignored) {
        KafkaLogSink sink = kafka.sinkOrNull();
        if (sink == null) return;
        counter(sink, KAFKA_SENT, KafkaSinkStats::sent);
        counter(sink, KAFKA_FAILED, KafkaSinkStats::failedSends);
        counter(sink, KAFKA_RESENT, KafkaSinkStats::resent);
        gauge(sink, KAFKA_IN_FLIGHT, KafkaSinkStats::inFlight);
        gauge(sink, KAFKA_BACKLOG, KafkaSinkStats::backlog);
        counter(sink, KAFKA_DROPPED, KafkaSinkStats::dropped);
        counter(sink, KAFKA_REJECTED, KafkaSinkStats::rejected);
        gauge(sink, KAFKA_JOURNAL_BACKLOG, KafkaSinkStats::journalBacklogBytes);
        counter(sink, KAFKA_JOURNAL_SKIPPED, KafkaSinkStats::journalSkipped);
        gauge(sink, KAFKA_ACKED_POSITION, KafkaSinkStats::ackedPosition);
        metrics.gauge(KAFKA_OLDEST_UNACKED_AGE, sink, s -> s.stats().oldestUnackedMs() / MILLIS_PER_SECOND);
        Timer latency = metrics.timer(KAFKA_SEND_LATENCY);
        sink.onLatency(nanos -> latency.update(Duration.ofNanos(nanos)));
    }

    private void gauge(KafkaLogSink sink, String name, ToLongFunction<KafkaSinkStats> f) {
        metrics.gauge(name, sink, s -> f.applyAsLong(s.stats()));
    }

    private void counter(KafkaLogSink sink, String name, ToLongFunction<KafkaSinkStats> f) {
        metrics.counter(name, () -> f.applyAsLong(sink.stats()));
    }
}
