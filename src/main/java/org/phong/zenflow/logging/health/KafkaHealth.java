package org.phong.zenflow.logging.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.phong.zenflow.logging.RunningPipeline;
import org.phong.zenflow.logging.cdi.KafkaSinkWiring;
import org.phong.zenflow.logging.config.KafkaSettings;
import org.phong.zenflow.logging.sink.kafka.KafkaLogSink;
import org.phong.zenflow.logging.sink.kafka.KafkaSinkStats;

/**
 * Readiness {@code zenflow-logging-kafka}. The data always show the sink's state (enabled, topic,
 * delivering, backlog, in flight, dropped, oldest unacknowledged age, last error). Whether a sink that
 * cannot deliver turns the check DOWN is {@code zenflow.logging.kafka.health.ready-requires-broker}
 * (default false: PostgreSQL is the system of record, and a Kafka outage only grows Kafka's own bounded
 * backlog, so the server stays ready and {@code delivering=false} tells operators).
 */
@Readiness
@ApplicationScoped
public class KafkaHealth implements HealthCheck {
    @Inject
    KafkaSinkWiring kafka;

    @Inject
    RunningPipeline module;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-kafka");
        KafkaSettings settings = kafka.settings();
        if (module.clusterOrNull() != null) {
            return PipelineHealth.clusterMode("zenflow-logging-kafka", "the Kafka sink is not used in cluster mode: the partition owners "
                    + "publish to the output topic; see zenflow-logging-cluster");
        }
        b.withData("enabled", settings.enabled());
        KafkaLogSink sink = kafka.sinkOrNull();
        if (!settings.enabled()) return b.up().build();
        if (sink == null) return b.status(!settings.readyRequiresBroker()).withData("reason", "Kafka sink not started yet").build();
        KafkaSinkStats s = sink.stats();
        b.withData("topic", settings.topic())
                .withData("delivering", s.healthy())
                .withData("topicReady", s.topicReady())
                .withData("backlog", s.backlog())
                .withData("inFlight", s.inFlight())
                .withData("dropped", s.dropped())
                .withData("journaled", s.journaled())
                .withData("journalBacklogBytes", s.journalBacklogBytes())
                .withData("oldestUnackedMs", s.oldestUnackedMs())
                .withData("readyRequiresBroker", settings.readyRequiresBroker());
        if (!s.healthy()) {
            b.withData("reason", "Kafka is not acknowledging entries" + (s.topicReady() ? "" : " (topic not ready)")
                    + "; oldest unacknowledged " + s.oldestUnackedMs() + " ms; backlog " + s.backlog() + " of "
                    + settings.maxBacklogEntries() + "; the error: " + PipelineHealth.DETAILS);
        }
        return b.status(s.healthy() || !settings.readyRequiresBroker()).build();
    }
}
