package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.config.KafkaSettings;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;
import org.phong.zenflow.logging.sink.kafka.KafkaLogSink;
import org.phong.zenflow.logging.sink.kafka.KafkaSinkStats;
import org.phong.zenflow.logging.testing.PostgresPipelineRig;

/**
 * The figure "entries/s with the Kafka sink vs without it": the plain-Java pipeline (as the benchmarks
 * build it) into its own embedded PostgreSQL, once with the PostgreSQL sink alone and once with the Kafka
 * sink publishing to the build's real broker beside it. Prints the figures (indicative on a shared machine);
 * asserts only behaviour: everything persisted, everything acknowledged by Kafka, nothing dropped.
 */
class KafkaThroughputIT {
    private static final int RUNS = 100;
    private static final int PER_RUN = 1_000;
    private static final String TOPIC_PREFIX = "zenflow-bench-logs-";
    private static final int PARTITIONS = 6;
    private static final long TIMEOUT_MS = 180_000;

    @Test
    void entriesPerSecondWithAndWithoutTheKafkaSink() throws Exception {
        KafkaBrokerLauncher.quietClientLogs();
        // A topic that does not exist yet: the sink creates it itself and waits for its leaders (KAFKA-15591).
        String topic = TOPIC_PREFIX + System.currentTimeMillis();
        Properties p = new Properties();
        p.setProperty(KafkaSettings.ENABLED, "true");
        p.setProperty(KafkaSettings.TOPIC, topic);
        p.setProperty(KafkaSettings.TOPIC_PARTITIONS, Integer.toString(PARTITIONS));
        p.setProperty(KafkaSettings.PRODUCER_PREFIX + "bootstrap.servers", KafkaTopic.bootstrap());
        KafkaSettings settings = KafkaSettings.fromProperties(p);
        try (PostgresPipelineRig rig = new PostgresPipelineRig()) {
            rig.load(RUNS, PER_RUN / 10, List.of(), TIMEOUT_MS); // warm-up
            PostgresPipelineRig.Outcome without = rig.load(RUNS, PER_RUN, List.of(), TIMEOUT_MS);
            KafkaLogSink kafka = KafkaLogSink.start(settings, Thread::new);
            try {
                long t0 = System.nanoTime();
                PostgresPipelineRig.Outcome with = rig.load(RUNS, PER_RUN, List.of(kafka), TIMEOUT_MS);
                await().atMost(Duration.ofMillis(TIMEOUT_MS)).pollInterval(Duration.ofMillis(20))
                        .until(() -> kafka.stats().sent() == with.entries());
                long kafkaMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                KafkaSinkStats s = kafka.stats();
                System.out.printf("kafka throughput (plain-Java pipeline, %d runs x %d entries, noisy shared machine): "
                                + "PostgreSQL alone %d ms (%.0f entries/s); with the Kafka sink PostgreSQL %d ms (%.0f entries/s) "
                                + "and all %d acknowledged by Kafka after %d ms (%.0f entries/s published)%n",
                        RUNS, PER_RUN, without.persistedMs(), without.perSecond(), with.persistedMs(), with.perSecond(),
                        s.sent(), kafkaMs, s.sent() * 1000.0 / kafkaMs);
                assertEquals(0, with.notAccepted());
                assertEquals(with.entries(), rig.count(with.runs()));
                assertEquals(0, s.lost());
                assertEquals(0, s.backlog());
                try (var admin = KafkaBrokerLauncher.admin(KafkaTopic.bootstrap())) {
                    assertEquals(PARTITIONS, admin.describeTopics(List.of(topic)).allTopicNames().get(30, java.util.concurrent.TimeUnit.SECONDS).get(topic).partitions().size(),
                            "the sink created its topic");
                }
            } finally {
                kafka.close(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }
}
