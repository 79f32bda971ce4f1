package org.phong.zenflow.logging.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Cluster keys: their defaults, and every bad value refused naming its key. */
class ClusterSettingsTest {
    private static ClusterSettings with(Map<String, String> values) {
        return ClusterSettings.from(ConfigReader.over(k -> Optional.ofNullable(values.get(k))));
    }

    private static void refused(String key, String value) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> with(Map.of(key, value)),
                key + "=" + value);
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void offByDefaultAndValidated() {
        assertFalse(ClusterSettings.defaults().enabled());
        assertTrue(with(Map.of(ClusterSettings.ENABLED, "TRUE")).enabled());
        refused(ClusterSettings.ENABLED, "yes");
    }

    @Test
    void defaultsNameTheTopicsGroupAndLeaveTheNodeNameToTheStart() {
        ClusterSettings s = ClusterSettings.defaults();
        assertEquals("zenflow-log-ingest", s.ingestTopic());
        assertEquals(KafkaSettings.fromProperties(new Properties()).topic(), s.outputTopic(), "the Kafka sink's topic: same consumers, same format");
        assertEquals("zenflow-logging-cluster", s.groupId());
        assertEquals(Optional.empty(), s.nodeName());
        assertEquals(500, s.pollMs());
        assertTrue(s.retryBackoffMs() <= s.retryMaxBackoffMs());
        assertEquals(15_000, s.sessionTimeoutMs(), "a silent node's partitions move within 15 s, not Kafka's 45");
    }

    @Test
    void anOutputTopicOfItsOwnOverridesTheSinksTopic() {
        ClusterSettings s = with(Map.of(ClusterSettings.OUTPUT_TOPIC, "cluster-out", KafkaSettings.TOPIC, "sink-topic",
                ClusterSettings.NODE_NAME, "node-a.example:9080"));
        assertEquals("cluster-out", s.outputTopic());
        assertEquals(Optional.of("node-a.example:9080"), s.nodeName());
        assertEquals("sink-topic", with(Map.of(KafkaSettings.TOPIC, "sink-topic")).outputTopic());
    }

    @Test
    void badValuesAreRefusedNamingTheirKey() {
        refused(ClusterSettings.INGEST_TOPIC, "no spaces");
        refused(ClusterSettings.INGEST_TOPIC, "");
        refused(ClusterSettings.OUTPUT_TOPIC, "a/b");
        refused(ClusterSettings.OUTPUT_TOPIC, "zenflow-log-ingest"); // the ingest topic itself: owners would consume their own output
        refused(ClusterSettings.GROUP_ID, "");
        refused(ClusterSettings.GROUP_ID, "two words");
        refused(ClusterSettings.NODE_NAME, "(");
        refused(ClusterSettings.POLL_MS, "0");
        refused(ClusterSettings.POLL_MS, "600000");
        refused(ClusterSettings.RETRY_BACKOFF_MS, "-1");
        refused(ClusterSettings.RETRY_MAX_BACKOFF_MS, "50"); // below the first wait (100)
        refused(ClusterSettings.SESSION_TIMEOUT_MS, "5999"); // below what the brokers accept by default
        refused(ClusterSettings.SESSION_TIMEOUT_MS, "1800001");
    }

    @Test
    void clusterModeWithoutBrokersIsRefusedNamingTheBootstrapKey() {
        ClusterSettings on = with(Map.of(ClusterSettings.ENABLED, "true"));
        KafkaSettings k = KafkaSettings.fromProperties(new Properties());
        assertEquals(k.producerProperties().get("bootstrap.servers"), on.bootstrapServers(k));
        Map<String, String> noBrokers = new java.util.HashMap<>(k.producerProperties());
        noBrokers.remove("bootstrap.servers");
        KafkaSettings none = new KafkaSettings(k.enabled(), k.topic(), k.compression(), k.lingerMs(), k.maxBacklogEntries(), k.retryBackoffMs(),
                k.retryMaxBackoffMs(), k.topicPartitions(), k.topicReplication(), k.readyRequiresBroker(), k.unhealthyAfterMs(),
                k.closeTimeoutMs(), noBrokers, k.journalMaxBytes());
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> on.bootstrapServers(none));
        assertEquals(KafkaSettings.PRODUCER_PREFIX + "bootstrap.servers", e.key());
        assertTrue(e.getMessage().contains("cluster mode"), e.getMessage());
        assertEquals("", ClusterSettings.defaults().bootstrapServers(none), "single-node mode needs no brokers");
    }
}
