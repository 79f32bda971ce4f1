package org.phong.zenflow.logging.sink.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;

/**
 * {@link TopicGuard} against a real single-node KRaft broker (forked, ephemeral ports): a ready topic passes,
 * a missing one is reported or created, concurrent creations are not errors, and broker refusals are reported
 * with their cause, never thrown.
 */
class TopicGuardBrokerTest {
    private static final long TIMEOUT_MS = 30_000;
    @TempDir
    static Path dir;
    private static String bootstrap;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @BeforeAll
    static void broker() throws Exception {
        KafkaBrokerLauncher.quietClientLogs();
        bootstrap = KafkaBrokerLauncher.start(dir.resolve("kafka"), freePort(), freePort(), true);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (dir != null) KafkaBrokerLauncher.stop(dir.resolve("kafka"));
    }

    /** Producer-style properties: only the connection settings may reach the admin client. */
    private static Map<String, Object> producer() {
        return Map.of("bootstrap.servers", bootstrap, "linger.ms", "5", "acks", "all");
    }

    private static boolean exists(String topic) throws Exception {
        try (Admin a = KafkaBrokerLauncher.admin(bootstrap)) {
            a.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) return false;
            throw e;
        }
    }

    private static int partitions(String topic) throws Exception {
        try (Admin a = KafkaBrokerLauncher.admin(bootstrap)) {
            return a.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .get(topic).partitions().size();
        }
    }

    /** Checks until ready, as the sink does (with a bound instead of backoff). */
    private static void awaitReady(String topic) throws Exception {
        // a timeout names the last reason it was not ready
        await("topic " + topic + " ready").atMost(Duration.ofMillis(TIMEOUT_MS * 2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .until(() -> TopicGuard.ensure(producer(), topic, 0, (short) 1, TIMEOUT_MS), Optional::isEmpty);
    }

    @Test
    void existingTopicWithLeadersIsReady() throws Exception {
        KafkaBrokerLauncher.createTopic(bootstrap, "ready", 3);
        assertEquals(Optional.empty(), TopicGuard.ensure(producer(), "ready", 0, (short) 1, TIMEOUT_MS));
        assertEquals(Optional.empty(), TopicGuard.ensure(producer(), "ready", 5, (short) 1, TIMEOUT_MS));
        assertEquals(3, partitions("ready"));                 // an existing topic is never altered
    }

    @Test
    void missingTopicWithoutCreationIsReportedAndNotCreated() throws Exception {
        Optional<String> r = TopicGuard.ensure(producer(), "absent", 0, (short) 1, TIMEOUT_MS);
        assertTrue(r.isPresent());
        assertTrue(r.get().contains("topic absent does not exist") && r.get().contains("create-partitions"), r.get());
        assertFalse(exists("absent"));
    }

    @Test
    void missingTopicIsCreatedThenReadyOnALaterCheck() throws Exception {
        Optional<String> r = TopicGuard.ensure(producer(), "fresh", 4, (short) 1, TIMEOUT_MS);
        assertEquals(Optional.of("topic fresh created; waiting for its partition leaders"), r); // never ready on the creating call
        awaitReady("fresh");
        assertEquals(4, partitions("fresh"));
    }

    @Test
    void concurrentCreationsAreNotErrors() throws Exception {
        // Several guards find the topic missing at once; all but one creation meet TopicExistsException,
        // which is the same outcome as creating it.
        int n = 4;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Optional<String>>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) fs.add(pool.submit(() -> TopicGuard.ensure(producer(), "raced", 2, (short) 1, TIMEOUT_MS)));
            for (Future<Optional<String>> f : fs) {
                Optional<String> r = f.get(TIMEOUT_MS * 2, TimeUnit.MILLISECONDS);
                assertTrue(r.isEmpty() || r.get().equals("topic raced created; waiting for its partition leaders"), r.toString());
            }
        } finally {
            pool.shutdownNow();
        }
        awaitReady("raced");
        assertEquals(2, partitions("raced"));
    }

    @Test
    void creationRefusedByTheBrokerIsReportedWithItsCause() throws Exception {
        Optional<String> r = TopicGuard.ensure(producer(), "overreplicated", 1, (short) 3, TIMEOUT_MS);
        assertTrue(r.isPresent());
        assertTrue(r.get().contains("InvalidReplicationFactorException"), r.get());
        assertFalse(exists("overreplicated"));
    }

    @Test
    void describeErrorOtherThanUnknownTopicIsReportedWithoutCreating() throws Exception {
        Optional<String> r = TopicGuard.ensure(producer(), "bad topic!", 1, (short) 1, TIMEOUT_MS);
        assertTrue(r.isPresent());
        assertTrue(r.get().contains("InvalidTopicException"), r.get());
    }

    @Test
    void unusableClientConfigurationIsReportedNotThrown() throws Exception {
        Optional<String> r = TopicGuard.ensure(Map.of("bootstrap.servers", "no-port-here"), "t", 1, (short) 1, TIMEOUT_MS);
        assertTrue(r.isPresent());
        assertTrue(r.get().contains("ConfigException") || r.get().contains("KafkaException"), r.get());
    }
}
