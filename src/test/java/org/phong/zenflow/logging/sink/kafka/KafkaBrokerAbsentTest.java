package org.phong.zenflow.logging.sink.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.config.KafkaSettings;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;
import org.phong.zenflow.logging.testing.PostgresPipelineRig;

/**
 * No broker at all (the sink points at a port nobody listens on): the real pipeline still writes
 * everything to a real PostgreSQL at its usual pace, the router accepts everything, and the Kafka sink
 * holds exactly its bound, drops and counts the rest, and reports itself as not delivering.
 */
class KafkaBrokerAbsentTest {
    private static final int RUNS = 20;
    private static final int PER_RUN = 2_500;
    private static final int BACKLOG = 10_000;
    private static final long TIMEOUT_MS = 120_000;

    @Test
    void aDeadBrokerLeavesPostgresPersistenceAtFullSpeed() throws Exception {
        KafkaBrokerLauncher.quietClientLogs();
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        Properties p = new Properties();
        p.setProperty(KafkaSettings.ENABLED, "true");
        p.setProperty(KafkaSettings.PRODUCER_PREFIX + "bootstrap.servers", "localhost:" + deadPort);
        p.setProperty(KafkaSettings.PRODUCER_PREFIX + "max.block.ms", "1000");
        p.setProperty(KafkaSettings.MAX_BACKLOG_ENTRIES, Integer.toString(BACKLOG));
        p.setProperty(KafkaSettings.UNHEALTHY_AFTER_MS, "1000");
        KafkaSettings settings = KafkaSettings.fromProperties(p);

        try (PostgresPipelineRig rig = new PostgresPipelineRig()) {
            rig.load(RUNS, PER_RUN / 10, List.of(), TIMEOUT_MS); // warm-up: JIT, connections, partitions
            PostgresPipelineRig.Outcome without = rig.load(RUNS, PER_RUN, List.of(), TIMEOUT_MS);
            KafkaLogSink kafka = KafkaLogSink.start(settings, Thread::new);
            try {
                PostgresPipelineRig.Outcome with = rig.load(RUNS, PER_RUN, List.of(kafka), TIMEOUT_MS);
                System.out.printf("broker absent: PostgreSQL persisted %d entries in %d ms without the Kafka sink (%.0f/s), "
                                + "%d ms with it pointed at a dead port (%.0f/s); Kafka: %s%n",
                        without.entries(), without.persistedMs(), without.perSecond(), with.persistedMs(), with.perSecond(), kafka.stats());
                assertEquals(0, with.notAccepted(), "the router accepted everything");
                assertEquals(with.entries(), rig.count(with.runs()), "every entry in PostgreSQL");
                // Generous (a noisy shared machine): the point is "not held up", i.e. the same order of magnitude.
                assertTrue(with.persistedMs() < 3 * without.persistedMs() + 2_000,
                        "PostgreSQL path not slowed by a dead broker: " + with.persistedMs() + " ms vs " + without.persistedMs() + " ms");
                await().atMost(Duration.ofSeconds(30)).until(() -> kafka.stats().lastError() != null);
                KafkaSinkStats s = kafka.stats();
                assertEquals(BACKLOG, s.backlog(), "the Kafka backlog is held at its bound");
                assertEquals(with.entries() - BACKLOG, s.dropped(), "the rest is dropped for Kafka and counted");
                assertEquals(0, s.sent());
                assertFalse(s.topicReady());
                assertFalse(kafka.isHealthy());
            } finally {
                assertFalse(kafka.close(0), "closing with entries unacknowledged says so");
            }
        }
    }
}
