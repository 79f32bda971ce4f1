package org.phong.zenflow.logging.config;

/**
 * Keys of the degradation state machine and the memory-pressure detector
 * ({@code zenflow.logging.durable.degradation.*}).
 *
 * @param checkIntervalMs   how often the level is re-evaluated
 * @param memoryHigh        heap used / max heap at or above which level 4 (memory pressure) starts
 * @param memoryLow         heap fraction below which it ends (hysteresis: memoryLow < memoryHigh)
 * @param sampleKeepEvery   level 4 keeps one DEBUG/INFO entry of this many (WARN/ERROR always kept)
 * @param pressureRingSize  per-run ring size while under memory pressure
 */
public record DegradationSettings(long checkIntervalMs, double memoryHigh, double memoryLow,
                                  int sampleKeepEvery, int pressureRingSize) {

    public static final String PREFIX = LoggingSettings.DURABLE + "degradation.";
    public static final String CHECK_INTERVAL_MS = PREFIX + "check-interval-ms";
    public static final String MEMORY_HIGH = PREFIX + "memory.high-watermark";
    public static final String MEMORY_LOW = PREFIX + "memory.low-watermark";
    public static final String SAMPLE_KEEP_EVERY = PREFIX + "memory.sample-keep-every";
    public static final String PRESSURE_RING_SIZE = PREFIX + "memory.ring-buffer-size";

    /**
     * @param r the reader
     * @return validated settings
     * @throws InvalidConfigurationException naming the first bad key
     */
    public static DegradationSettings from(ConfigReader r) {
        double high = r.fraction(MEMORY_HIGH);
        double low = r.fraction(MEMORY_LOW);
        if (low >= high) {
            throw new InvalidConfigurationException(MEMORY_LOW, Double.toString(low),
                    "a fraction below " + MEMORY_HIGH + " (" + high + ")");
        }
        return new DegradationSettings(
                r.longIn(CHECK_INTERVAL_MS, 1, Long.MAX_VALUE),
                high, low,
                r.intIn(SAMPLE_KEEP_EVERY, 1, Integer.MAX_VALUE),
                r.intIn(PRESSURE_RING_SIZE, 0, Integer.MAX_VALUE));
    }

    /** @return the settings from the defaults file alone */
    public static DegradationSettings defaults() {
        return from(ConfigReader.defaults());
    }
}
