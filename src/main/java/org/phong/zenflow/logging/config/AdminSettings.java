package org.phong.zenflow.logging.config;

/**
 * Settings of the operators' tools in package {@code rest}: read once, validated.
 *
 * @param simulatorEnabled whether the test aids answer (404 otherwise): {@code POST /api/v1/admin/stream/...} and,
 *                         in the integration tests' application only, {@code POST /api/v1/admin/simulate}
 */
public record AdminSettings(boolean simulatorEnabled) {
    /** Enables the in-process engine simulator (synthetic entries: on in the integration tests only). */
    public static final String SIMULATOR_ENABLED = "zenflow.logging.admin.simulator.enabled";

    /**
     * @param r the reader to take every key from
     * @return validated settings
     * @throws InvalidConfigurationException naming the bad key
     */
    public static AdminSettings from(ConfigReader r) {
        return new AdminSettings(r.bool(SIMULATOR_ENABLED));
    }
}
