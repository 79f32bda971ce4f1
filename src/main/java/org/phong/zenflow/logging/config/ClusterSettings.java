package org.phong.zenflow.logging.config;

import java.util.Optional;

/**
 * Cluster mode (docs/cluster.md), validated once. Kafka is reached with the Kafka sink's client
 * properties ({@code zenflow.logging.kafka.producer.*}, {@code bootstrap.servers} included): one place
 * configures the brokers and their security for both the sink and cluster mode.
 *
 * @param enabled      true for cluster mode (Kafka as the replicated journal and partitioner of runs);
 *                     false (the default) keeps the single-node pipeline with its local journal
 * @param ingestTopic  the topic every node produces unsequenced records to (key = run id)
 * @param outputTopic  the topic partition owners publish sequenced entries to, in the Kafka sink's
 *                     format; by default the Kafka sink's topic, so its consumers read the same records
 * @param groupId      the consumer group of the partition owners (one group per cluster)
 * @param nodeName     this node's name in the ledger and the runs table, or empty to derive one at
 *                     start (host name and process id: unique per process)
 * @param pollMs       the longest wait of one poll of the owner loop
 * @param retryBackoffMs    first wait before a failed claim or write is retried (exponential, with jitter)
 * @param retryMaxBackoffMs cap of that wait
 * @param sessionTimeoutMs  how long the group waits for a silent node (a crash, kill -9, a lost network)
 *                          before its partitions move to the others: the owners' consumer
 *                          {@code session.timeout.ms}, heartbeats at a third of it
 */
public record ClusterSettings(boolean enabled, String ingestTopic, String outputTopic, String groupId, Optional<String> nodeName,
                              long pollMs, long retryBackoffMs, long retryMaxBackoffMs, long sessionTimeoutMs) {
    /** Prefix of the cluster keys. */
    public static final String PREFIX = "zenflow.logging.cluster.";
    /** Cluster mode on/off. */
    public static final String ENABLED = PREFIX + "enabled";
    public static final String INGEST_TOPIC = PREFIX + "ingest-topic";
    /** Blank: the Kafka sink's topic ({@link KafkaSettings#TOPIC}). */
    public static final String OUTPUT_TOPIC = PREFIX + "output-topic";
    public static final String GROUP_ID = PREFIX + "group-id";
    /** Blank: derived at start. */
    public static final String NODE_NAME = PREFIX + "node-name";
    public static final String POLL_MS = PREFIX + "poll-ms";
    public static final String RETRY_BACKOFF_MS = PREFIX + "retry-backoff-ms";
    public static final String RETRY_MAX_BACKOFF_MS = PREFIX + "retry-max-backoff-ms";
    public static final String SESSION_TIMEOUT_MS = PREFIX + "session-timeout-ms";
    /** The broker's default bounds of a group member's session timeout (group.min/max.session.timeout.ms). */
    private static final long MIN_SESSION_TIMEOUT_MS = 6_000;
    private static final long MAX_SESSION_TIMEOUT_MS = 1_800_000;
    /** Kafka topic names: 1 to 249 of these characters. */
    private static final String TOPIC_PATTERN = "[a-zA-Z0-9._-]{1,249}";
    /** Group ids and node names: printable, no spaces, short enough for a log line and the ledger's text column. */
    private static final String NAME_PATTERN = "[a-zA-Z0-9._:/@-]{1,200}";
    /** Longest poll accepted: well below the consumer's max.poll.interval.ms (5 min by default). */
    private static final long MAX_POLL_MS = 60_000;
    /** Highest retry cap accepted: a waiting loop does not poll, and must not be evicted from its group. */
    private static final long MAX_RETRY_BACKOFF_MS = 60_000;

    /**
     * @param r the reader
     * @return validated settings (every key is read and checked whether cluster mode is on or not, so a
     *         bad value stops the deployment before anyone switches the mode on)
     * @throws InvalidConfigurationException naming the first bad key
     */
    public static ClusterSettings from(ConfigReader r) {
        boolean enabled = r.bool(ENABLED);
        String ingest = topic(INGEST_TOPIC, r.raw(INGEST_TOPIC));
        String output = r.optional(OUTPUT_TOPIC).orElse(r.raw(KafkaSettings.TOPIC));
        output = topic(r.optional(OUTPUT_TOPIC).isPresent() ? OUTPUT_TOPIC : KafkaSettings.TOPIC, output);
        if (output.equals(ingest)) {
            throw new InvalidConfigurationException(OUTPUT_TOPIC, output, "a topic other than " + INGEST_TOPIC
                    + " (sequenced entries on the ingest topic would be consumed again as new records)");
        }
        String group = name(GROUP_ID, r.raw(GROUP_ID));
        Optional<String> node = r.optional(NODE_NAME).map(v -> name(NODE_NAME, v));
        long poll = r.longIn(POLL_MS, 1, MAX_POLL_MS);
        long backoff = r.longIn(RETRY_BACKOFF_MS, 1, MAX_RETRY_BACKOFF_MS);
        long maxBackoff = r.longIn(RETRY_MAX_BACKOFF_MS, backoff, MAX_RETRY_BACKOFF_MS);
        long session = r.longIn(SESSION_TIMEOUT_MS, MIN_SESSION_TIMEOUT_MS, MAX_SESSION_TIMEOUT_MS);
        return new ClusterSettings(enabled, ingest, output, group, node, poll, backoff, maxBackoff, session);
    }

    /**
     * The brokers cluster mode talks to: the Kafka sink's {@code bootstrap.servers}.
     *
     * @param kafka the Kafka settings (validated)
     * @return host:port list
     * @throws InvalidConfigurationException naming the key when cluster mode is on and none is set
     */
    public String bootstrapServers(KafkaSettings kafka) {
        String servers = kafka.producerProperties().getOrDefault("bootstrap.servers", "").trim();
        if (enabled && servers.isEmpty()) {
            throw new InvalidConfigurationException(KafkaSettings.PRODUCER_PREFIX + "bootstrap.servers", "",
                    "host:port[,host:port...] of the Kafka brokers: cluster mode (" + ENABLED + "=true) needs Kafka");
        }
        return servers;
    }

    /** @return the defaults */
    public static ClusterSettings defaults() {
        return from(ConfigReader.defaults());
    }

    private static String topic(String key, String v) {
        if (!v.matches(TOPIC_PATTERN) || v.equals(".") || v.equals("..")) {
            throw new InvalidConfigurationException(key, v, "a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -");
        }
        return v;
    }

    private static String name(String key, String v) {
        if (!v.matches(NAME_PATTERN)) {
            throw new InvalidConfigurationException(key, v, "1 to 200 of a-z A-Z 0-9 . _ : / @ - (no spaces)");
        }
        return v;
    }
}
