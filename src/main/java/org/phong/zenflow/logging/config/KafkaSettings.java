package org.phong.zenflow.logging.config;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every key of the Kafka sink ({@code zenflow.logging.kafka.*}), read once and validated.
 *
 * <p>{@code zenflow.logging.kafka.producer.<property>} passes any Kafka producer property through
 * unchanged ({@code bootstrap.servers} included). The properties the sink's invariants rest on are
 * fixed and may not be overridden: {@code acks=all} and {@code enable.idempotence=true} (per-partition
 * order without duplicates across retries), the serializers (the sink writes bytes it encodes itself),
 * and {@code compression.type} / {@code linger.ms}, which have keys of their own.
 *
 * @param enabled              whether the sink is part of the pipeline at all
 * @param topic                topic every entry is published to
 * @param compression          producer {@code compression.type}
 * @param lingerMs             producer {@code linger.ms}
 * @param maxBacklogEntries    most entries held for Kafka (queued + unacknowledged); beyond it new ones are dropped and counted
 * @param retryBackoffMs       first wait before a failed send is retried (exponential, with jitter)
 * @param retryMaxBackoffMs    cap of that wait
 * @param topicPartitions      when above 0, the sink creates a missing topic with this many partitions
 * @param topicReplication     replication factor of a topic the sink creates
 * @param readyRequiresBroker  whether a Kafka sink that cannot deliver makes the server unready
 * @param unhealthyAfterMs     the sink counts as failing when its oldest unacknowledged entry is older
 * @param closeTimeoutMs       how long a server stop waits for Kafka to acknowledge what it holds
 * @param producerProperties   the {@code producer.*} pass-through, prefix removed
 * @param journalMaxBytes      with the journal on: the most journal bytes Kafka's backlog may hold (its share);
 *                             beyond it Kafka's journal position moves forward and the skipped entries are dropped
 *                             for Kafka and counted, so a dead broker never fills the journal
 */
public record KafkaSettings(
        boolean enabled,
        String topic,
        String compression,
        long lingerMs,
        int maxBacklogEntries,
        long retryBackoffMs,
        long retryMaxBackoffMs,
        int topicPartitions,
        short topicReplication,
        boolean readyRequiresBroker,
        long unhealthyAfterMs,
        long closeTimeoutMs,
        Map<String, String> producerProperties,
        long journalMaxBytes) {

    public static final String PREFIX = "zenflow.logging.kafka.";
    public static final String ENABLED = LoggingSettings.KAFKA_ENABLED;
    public static final String TOPIC = PREFIX + "topic";
    public static final String COMPRESSION = PREFIX + "compression";
    public static final String LINGER_MS = PREFIX + "linger-ms";
    public static final String MAX_BACKLOG_ENTRIES = PREFIX + "max-backlog-entries";
    public static final String RETRY_BACKOFF_MS = PREFIX + "retry-backoff-ms";
    public static final String RETRY_MAX_BACKOFF_MS = PREFIX + "retry-max-backoff-ms";
    public static final String TOPIC_PARTITIONS = PREFIX + "topic.create-partitions";
    public static final String TOPIC_REPLICATION = PREFIX + "topic.create-replication-factor";
    public static final String READY_REQUIRES_BROKER = PREFIX + "health.ready-requires-broker";
    public static final String UNHEALTHY_AFTER_MS = PREFIX + "health.unhealthy-after-ms";
    public static final String CLOSE_TIMEOUT_MS = PREFIX + "close-timeout-ms";
    public static final String JOURNAL_MAX_BYTES = PREFIX + "journal-max-bytes";
    /** Smallest Kafka journal share accepted (a share smaller than a few records could never hold a read batch). */
    public static final long MIN_JOURNAL_MAX_BYTES = 1L << 20;
    /** Prefix of the producer pass-through keys. */
    public static final String PRODUCER_PREFIX = PREFIX + "producer.";

    /** Compression codecs kafka-clients knows. */
    public static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");
    /** Producer properties fixed by the sink (its ordering and delivery invariants, or keys of their own). */
    public static final Set<String> FIXED_PRODUCER_PROPERTIES = Set.of("acks", "enable.idempotence",
            "key.serializer", "value.serializer", "compression.type", "linger.ms", "transactional.id");
    /** Highest replication factor accepted (Kafka's field is a short). */
    private static final int MAX_REPLICATION = Short.MAX_VALUE;
    /** Highest partition count accepted for a topic the sink creates. */
    private static final int MAX_PARTITIONS = 10_000;
    /** Kafka topic names: at most 249 of these characters. */
    private static final String TOPIC_PATTERN = "[a-zA-Z0-9._-]{1,249}";

    public KafkaSettings {
        producerProperties = Map.copyOf(producerProperties);
    }

    /**
     * @param r the module's reader; the producer pass-through takes the {@code producer.*} keys of the defaults file
     * @return validated settings
     */
    public static KafkaSettings from(ConfigReader r) {
        return from(r, ConfigReader.defaultKeys(PRODUCER_PREFIX));
    }

    /**
     * @param r        the module's reader (defaults from microprofile-config.properties)
     * @param producer every {@code zenflow.logging.kafka.producer.*} key found, with its full name; values are
     *                 read through {@code r}
     * @return validated settings
     * @throws InvalidConfigurationException naming the first bad key
     */
    public static KafkaSettings from(ConfigReader r, Set<String> producer) {
        String topic = r.raw(TOPIC);
        if (!topic.matches(TOPIC_PATTERN) || topic.equals(".") || topic.equals("..")) {
            throw new InvalidConfigurationException(TOPIC, topic, "a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -");
        }
        String compression = r.raw(COMPRESSION).toLowerCase(Locale.ROOT);
        if (!COMPRESSIONS.contains(compression)) {
            throw new InvalidConfigurationException(COMPRESSION, compression, "one of none, gzip, snappy, lz4, zstd");
        }
        long retryBackoff = r.longIn(RETRY_BACKOFF_MS, 1, Long.MAX_VALUE);
        Map<String, String> props = new TreeMap<>();
        for (String key : producer) {
            if (!key.startsWith(PRODUCER_PREFIX) || key.length() == PRODUCER_PREFIX.length()) continue;
            String name = key.substring(PRODUCER_PREFIX.length());
            if (FIXED_PRODUCER_PROPERTIES.contains(name)) {
                throw new InvalidConfigurationException(key, r.raw(key), "not set: the Kafka sink fixes " + name
                        + " (acks=all, idempotence on, its own serializers; compression and linger have keys "
                        + COMPRESSION + " and " + LINGER_MS + ")");
            }
            r.optional(key).ifPresent(v -> props.put(name, v));
        }
        if (!props.containsKey("bootstrap.servers")) {
            throw new InvalidConfigurationException(PRODUCER_PREFIX + "bootstrap.servers", "", "host:port[,host:port...] of the Kafka brokers");
        }
        return new KafkaSettings(
                r.bool(ENABLED),
                topic,
                compression,
                r.longIn(LINGER_MS, 0, Integer.MAX_VALUE),
                r.intIn(MAX_BACKLOG_ENTRIES, 1, Integer.MAX_VALUE / 2),
                retryBackoff,
                r.longIn(RETRY_MAX_BACKOFF_MS, retryBackoff, Long.MAX_VALUE),
                r.intIn(TOPIC_PARTITIONS, 0, MAX_PARTITIONS),
                (short) r.intIn(TOPIC_REPLICATION, 1, MAX_REPLICATION),
                r.bool(READY_REQUIRES_BROKER),
                r.longIn(UNHEALTHY_AFTER_MS, 1, Long.MAX_VALUE),
                r.longIn(CLOSE_TIMEOUT_MS, 0, Long.MAX_VALUE),
                props,
                r.longIn(JOURNAL_MAX_BYTES, MIN_JOURNAL_MAX_BYTES, Long.MAX_VALUE));
    }

    /** @return settings from the defaults file and {@code overrides} (tests, plain-Java use) */
    public static KafkaSettings fromProperties(java.util.Properties overrides) {
        java.util.Set<String> keys = new java.util.TreeSet<>(ConfigReader.defaultKeys(PRODUCER_PREFIX));
        for (String k : overrides.stringPropertyNames()) if (k.startsWith(PRODUCER_PREFIX)) keys.add(k);
        return from(ConfigReader.overProperties(overrides), keys);
    }
}
