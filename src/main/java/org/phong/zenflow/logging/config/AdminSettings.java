package org.phong.zenflow.logging.config;

/**
 * Settings of the operators' tools in package {@code rest} and the live tail's test aids: read once, validated.
 *
 * @param simulatorEnabled whether the test aids ({@code /admin/stream/load}, {@code /admin/stream/runs/{id}/disconnect} and, in the
 *                         integration tests' application only, {@code POST /api/v1/admin/simulate}) answer (404
 *                         otherwise); they never answer
 *                         in the production security profile, whatever this says
 * @param maxLoadEntries   most entries one {@code /admin/stream/load} may route (400 naming {@code entries} above)
 * @param maxLoadSeconds   longest one paced {@code /admin/stream/load} may take (entries / ratePerSecond; 400 naming
 *                         {@code ratePerSecond} above)
 */
public record AdminSettings(boolean simulatorEnabled, int maxLoadEntries, int maxLoadSeconds) {
    /** Enables the in-process engine simulator (synthetic entries: on in the integration tests only). */
    public static final String SIMULATOR_ENABLED = "zenflow.logging.admin.simulator.enabled";
    public static final String MAX_LOAD_ENTRIES = "zenflow.logging.admin.max-load-entries";
    public static final String MAX_LOAD_SECONDS = "zenflow.logging.admin.max-load-seconds";

    /**
     * @param r the reader to take every key from
     * @return validated settings
     * @throws InvalidConfigurationException naming the bad key
     */
    public static AdminSettings from(ConfigReader r) {
        return new AdminSettings(r.bool(SIMULATOR_ENABLED), r.intIn(MAX_LOAD_ENTRIES, 1, 10_000_000),
                r.intIn(MAX_LOAD_SECONDS, 1, 86_400));
    }

    /**
     * @param profile the security profile
     * @return true when the test aids may answer: enabled, and never in production
     */
    public boolean aidsEnabled(SecuritySettings.Profile profile) {
        return simulatorEnabled && profile == SecuritySettings.Profile.LOCAL;
    }
}
