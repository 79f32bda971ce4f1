package org.phong.zenflow.logging.config;

/**
 * Bounds on what clients can make the server hold: read once, validated. Each one, when reached, is a
 * clear 4xx (HTTP) or close reason (WebSocket) naming its key; none of them drops an accepted entry.
 *
 * @param maxActiveRuns          runs holding a buffer here at once; a request that would open more gets 429
 * @param maxEventBodyBytes      body of {@code /runs/{id}/start}, {@code /end} and the admin aids; above: 413
 * @param maxDurabilityWaits     requests waiting at once for {@code ?wait=durable|persisted}; above: 429
 * @param maxLongPolls           long-polls ({@code ?waitMs=}) waiting at once; above: 429
 * @param maxSessions            live-tail WebSocket sessions open at once; above: close 1013
 * @param maxSessionsPerUser     live-tail WebSocket sessions of one user at once; above: close 1013
 */
public record BoundSettings(int maxActiveRuns, int maxEventBodyBytes, int maxDurabilityWaits, int maxLongPolls,
                            int maxSessions, int maxSessionsPerUser) {
    public static final String MAX_ACTIVE_RUNS = "zenflow.logging.limits.max-active-runs";
    public static final String MAX_EVENT_BODY_BYTES = "zenflow.logging.http.max-event-body-bytes";
    public static final String MAX_DURABILITY_WAITS = "zenflow.logging.http.max-durability-waits";
    public static final String MAX_LONG_POLLS = "zenflow.logging.stream.max-long-polls";
    public static final String MAX_SESSIONS = "zenflow.logging.stream.max-sessions";
    public static final String MAX_SESSIONS_PER_USER = "zenflow.logging.stream.max-sessions-per-user";
    /** Every key of this record (they share prefixes with other records, whose tests skip these). */
    public static final java.util.List<String> KEYS = java.util.List.of(MAX_ACTIVE_RUNS, MAX_EVENT_BODY_BYTES, MAX_DURABILITY_WAITS,
            MAX_LONG_POLLS, MAX_SESSIONS, MAX_SESSIONS_PER_USER);

    /**
     * @param r the reader
     * @return validated settings
     * @throws InvalidConfigurationException naming the first bad key
     */
    public static BoundSettings from(ConfigReader r) {
        return new BoundSettings(
                r.intIn(MAX_ACTIVE_RUNS, 1, 10_000_000),
                r.intIn(MAX_EVENT_BODY_BYTES, 64, 16 * 1024 * 1024),
                r.intIn(MAX_DURABILITY_WAITS, 1, 100_000),
                r.intIn(MAX_LONG_POLLS, 1, 100_000),
                r.intIn(MAX_SESSIONS, 1, 1_000_000),
                r.intIn(MAX_SESSIONS_PER_USER, 1, 1_000_000));
    }

    /** @return the defaults of microprofile-config.properties */
    public static BoundSettings defaults() {
        return from(ConfigReader.defaults());
    }
}
