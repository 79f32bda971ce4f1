package org.phong.zenflow.logging.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.sink.kafka.KafkaLogSink;

class KafkaSettingsTest {

    private static KafkaSettings of(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
        return KafkaSettings.fromProperties(p);
    }

    private static void rejects(String key, String... kv) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> {
            KafkaSettings s = of(kv);
            KafkaLogSink.validate(s);
        });
        assertEquals(key, e.key(), e.getMessage());
    }

    @Test
    void defaults() {
        KafkaSettings s = of();
        assertFalse(s.enabled());
        assertEquals("workflow-logs", s.topic());
        assertEquals("lz4", s.compression());
        assertEquals(5, s.lingerMs());
        assertEquals(200_000, s.maxBacklogEntries());
        assertEquals(0, s.topicPartitions());
        assertFalse(s.readyRequiresBroker());
        assertEquals("localhost:9092", s.producerProperties().get("bootstrap.servers"));
        assertEquals(Integer.toString(Integer.MAX_VALUE), s.producerProperties().get("delivery.timeout.ms"));
    }

    @Test
    void everyKafkaKeyOfTheDefaultsFileIsRead() throws Exception {
        Properties file = new Properties();
        try (var in = getClass().getClassLoader().getResourceAsStream("META-INF/microprofile-config.properties")) {
            file.load(in);
        }
        java.util.Set<String> read = java.util.Set.of(KafkaSettings.ENABLED, KafkaSettings.TOPIC, KafkaSettings.COMPRESSION,
                KafkaSettings.LINGER_MS, KafkaSettings.MAX_BACKLOG_ENTRIES, KafkaSettings.RETRY_BACKOFF_MS,
                KafkaSettings.RETRY_MAX_BACKOFF_MS, KafkaSettings.TOPIC_PARTITIONS, KafkaSettings.TOPIC_REPLICATION,
                KafkaSettings.READY_REQUIRES_BROKER, KafkaSettings.UNHEALTHY_AFTER_MS, KafkaSettings.CLOSE_TIMEOUT_MS,
                KafkaSettings.JOURNAL_MAX_BYTES);
        KafkaSettings s = of();
        for (String key : file.stringPropertyNames()) {
            if (!key.startsWith(KafkaSettings.PREFIX)) continue;
            if (key.startsWith(KafkaSettings.PRODUCER_PREFIX)) {
                assertEquals(file.getProperty(key).trim(), s.producerProperties().get(key.substring(KafkaSettings.PRODUCER_PREFIX.length())), key);
            } else {
                assertTrue(read.contains(key), "unread key " + key);
            }
        }
        assertEquals(file.getProperty(KafkaSettings.TOPIC), s.topic());
        assertEquals(Long.parseLong(file.getProperty(KafkaSettings.CLOSE_TIMEOUT_MS)), s.closeTimeoutMs());
        assertEquals(Long.parseLong(file.getProperty(KafkaSettings.UNHEALTHY_AFTER_MS)), s.unhealthyAfterMs());
    }

    @Test
    void journalShareDefaultsToHalfTheJournalAndRejectsLessThanAMebibyte() {
        assertEquals(JournalSettings.from(ConfigReader.overProperties(new Properties())).maxBytes() / 2, of().journalMaxBytes());
        assertEquals(8L << 20, of(KafkaSettings.JOURNAL_MAX_BYTES, Long.toString(8L << 20)).journalMaxBytes());
        rejects(KafkaSettings.JOURNAL_MAX_BYTES, KafkaSettings.JOURNAL_MAX_BYTES, Long.toString(KafkaSettings.MIN_JOURNAL_MAX_BYTES - 1));
        rejects(KafkaSettings.JOURNAL_MAX_BYTES, KafkaSettings.JOURNAL_MAX_BYTES, "half");
    }

    @Test
    void producerPassThroughAndFixedInvariants() {
        KafkaSettings s = of(KafkaSettings.PRODUCER_PREFIX + "bootstrap.servers", "b1:9092,b2:9092",
                KafkaSettings.PRODUCER_PREFIX + "batch.size", "65536", KafkaSettings.COMPRESSION, "ZSTD",
                KafkaSettings.LINGER_MS, "20");
        assertEquals("65536", s.producerProperties().get("batch.size"));
        Map<String, Object> p = KafkaLogSink.producerProperties(s);
        assertEquals("all", p.get("acks"));
        assertEquals("true", p.get("enable.idempotence"));
        assertEquals("zstd", p.get("compression.type"));
        assertEquals("20", p.get("linger.ms"));
        assertEquals("b1:9092,b2:9092", p.get("bootstrap.servers"));
        KafkaLogSink.validate(s);
    }

    @Test
    void everyBadValueNamesItsKey() {
        rejects(KafkaSettings.TOPIC, KafkaSettings.TOPIC, "bad topic!");
        rejects(KafkaSettings.COMPRESSION, KafkaSettings.COMPRESSION, "brotli");
        rejects(KafkaSettings.LINGER_MS, KafkaSettings.LINGER_MS, "-1");
        rejects(KafkaSettings.MAX_BACKLOG_ENTRIES, KafkaSettings.MAX_BACKLOG_ENTRIES, "0");
        rejects(KafkaSettings.RETRY_MAX_BACKOFF_MS, KafkaSettings.RETRY_BACKOFF_MS, "100", KafkaSettings.RETRY_MAX_BACKOFF_MS, "50");
        rejects(KafkaSettings.TOPIC_PARTITIONS, KafkaSettings.TOPIC_PARTITIONS, "-2");
        rejects(KafkaSettings.READY_REQUIRES_BROKER, KafkaSettings.READY_REQUIRES_BROKER, "maybe");
        rejects(KafkaSettings.ENABLED, KafkaSettings.ENABLED, "yes");
        rejects(KafkaSettings.PRODUCER_PREFIX + "acks", KafkaSettings.PRODUCER_PREFIX + "acks", "1");
        rejects(KafkaSettings.PRODUCER_PREFIX + "enable.idempotence", KafkaSettings.PRODUCER_PREFIX + "enable.idempotence", "false");
        rejects(KafkaSettings.PRODUCER_PREFIX + "bootstrap.servers", KafkaSettings.PRODUCER_PREFIX + "bootstrap.servers", " ");
        // Values checked the way the producer checks them, still naming the key.
        rejects(KafkaSettings.PRODUCER_PREFIX + "batch.size", KafkaSettings.PRODUCER_PREFIX + "batch.size", "lots");
    }
}
