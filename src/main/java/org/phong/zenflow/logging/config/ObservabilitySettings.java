package org.phong.zenflow.logging.config;

/**
 * Settings of the metrics bridge and the health checks (keys {@code zenflow.logging.metrics.*} and
 * {@code zenflow.logging.health.*}), validated like every other settings record.
 *
 * @param routeSampleEvery     1 in how many route() calls is timed and followed to the database (a power of two)
 * @param heapThreshold        readiness is DOWN when the heap still in use after the last GC exceeds this fraction of the maximum
 * @param dbProbeIntervalMs    how often the database is probed (also the heartbeat of the shared scheduler)
 * @param dbProbeTimeoutMs     a probe that has not answered after this long counts as "database unreachable"
 * @param schedulerStallBeats  liveness is DOWN when the shared scheduler missed this many heartbeats in a row
 */
public record ObservabilitySettings(int routeSampleEvery, double heapThreshold, long dbProbeIntervalMs,
                                    long dbProbeTimeoutMs, int schedulerStallBeats) {

    public static final String ROUTE_SAMPLE_EVERY = "zenflow.logging.metrics.route-sample-every";
    public static final String HEAP_THRESHOLD = "zenflow.logging.health.heap-threshold";
    public static final String DB_PROBE_INTERVAL_MS = "zenflow.logging.health.db-probe-interval-ms";
    public static final String DB_PROBE_TIMEOUT_MS = "zenflow.logging.health.db-probe-timeout-ms";
    public static final String SCHEDULER_STALL_BEATS = "zenflow.logging.health.scheduler-stall-beats";

    /** Largest sampling interval: beyond it too few samples reach a per-minute percentile. */
    public static final int MAX_SAMPLE_EVERY = 1 << 16;

    /**
     * @param r the reader
     * @return validated settings
     * @throws InvalidConfigurationException naming the first bad key
     */
    public static ObservabilitySettings from(ConfigReader r) {
        int every = r.intIn(ROUTE_SAMPLE_EVERY, 1, MAX_SAMPLE_EVERY);
        if (Integer.bitCount(every) != 1) {
            throw new InvalidConfigurationException(ROUTE_SAMPLE_EVERY, Integer.toString(every),
                    "a power of two from 1 to " + MAX_SAMPLE_EVERY);
        }
        long interval = r.longIn(DB_PROBE_INTERVAL_MS, 1, Long.MAX_VALUE);
        return new ObservabilitySettings(every, r.fraction(HEAP_THRESHOLD), interval,
                r.longIn(DB_PROBE_TIMEOUT_MS, 1, Long.MAX_VALUE), r.intIn(SCHEDULER_STALL_BEATS, 2, 1000));
    }

    /** @return settings with every default from {@code microprofile-config.properties} */
    public static ObservabilitySettings defaults() {
        return from(ConfigReader.defaults());
    }
}
