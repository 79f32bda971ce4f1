package org.phong.zenflow.logging.config;

/**
 * How long stored logs are kept, validated once.
 *
 * @param days entries older than this many days are removed (their monthly partitions dropped once
 *             wholly older); 0 keeps everything forever
 */
public record RetentionSettings(int days) {
    /** Prefix of the retention keys. */
    public static final String PREFIX = LoggingSettings.DURABLE + "retention.";
    /** Days stored logs are kept; 0 = forever. */
    public static final String DAYS = PREFIX + "days";
    /** Upper bound of {@link #DAYS}: a hundred years. */
    private static final int MAX_DAYS = 36_500;

    /**
     * @param r the reader
     * @return validated settings
     * @throws InvalidConfigurationException naming the key when it is no whole number from 0 to 36500
     */
    public static RetentionSettings from(ConfigReader r) {
        return new RetentionSettings(r.intIn(DAYS, 0, MAX_DAYS));
    }

    /** @return the defaults */
    public static RetentionSettings defaults() {
        return from(ConfigReader.defaults());
    }

    /** @return true when nothing is ever removed */
    public boolean keepForever() {
        return days == 0;
    }
}
