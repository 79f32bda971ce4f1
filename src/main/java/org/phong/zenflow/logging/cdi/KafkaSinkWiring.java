package org.phong.zenflow.logging.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Logger;
import org.phong.zenflow.logging.config.KafkaSettings;
import org.phong.zenflow.logging.sink.kafka.KafkaLogSink;

/**
 * Starts the Kafka sink when {@code zenflow.logging.kafka.enabled=true} (settings are validated either
 * way, so a bad key stops the deployment even while the sink is off) and closes it after the pipeline has
 * drained. Health and metrics read it from here.
 */
@ApplicationScoped
public class KafkaSinkWiring {
    private static final Logger LOG = Logger.getLogger(KafkaSinkWiring.class.getName());

    @Inject
    KafkaSettings settings;

    private volatile KafkaLogSink sink;

    /** @return the started sink, or empty when disabled */
    Optional<KafkaLogSink> startIfEnabled(ThreadFactory threads) {
        if (!settings.enabled()) return Optional.empty();
        KafkaLogSink.validate(settings);
        sink = KafkaLogSink.start(settings, threads);
        LOG.info("Kafka sink started: topic " + settings.topic() + ", bootstrap "
                + settings.producerProperties().get("bootstrap.servers") + ", backlog bound " + settings.maxBacklogEntries());
        return Optional.of(sink);
    }

    /** @return the running sink, or null when disabled or not started yet */
    public KafkaLogSink sinkOrNull() {
        return sink;
    }

    /** @return the settings in force */
    public KafkaSettings settings() {
        return settings;
    }

    void close() {
        KafkaLogSink s = sink;
        if (s != null) s.close();
    }
}
