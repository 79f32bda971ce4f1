package org.phong.zenflow.logging.config;

/**
 * Cluster mode (docs/cluster.md), validated once.
 *
 * @param enabled true for cluster mode (Kafka as the replicated journal and partitioner of runs);
 *                false (the default) keeps the single-node pipeline with its local journal
 */
public record ClusterSettings(boolean enabled) {
    /** Prefix of the cluster keys. */
    public static final String PREFIX = "zenflow.logging.cluster.";
    /** Cluster mode on/off. */
    public static final String ENABLED = PREFIX + "enabled";

    /**
     * @param r the reader
     * @return validated settings
     * @throws InvalidConfigurationException naming the key when it is neither true nor false
     */
    public static ClusterSettings from(ConfigReader r) {
        return new ClusterSettings(r.bool(ENABLED));
    }

    /** @return the defaults */
    public static ClusterSettings defaults() {
        return from(ConfigReader.defaults());
    }
}
