package org.phong.zenflow.logging.config;

import java.nio.file.Path;

/**
 * The write-ahead journal's keys ({@code zenflow.logging.durable.journal.*}), read once and validated.
 *
 * @param enabled           whether entries are journaled at all
 * @param dir               the directory of segment files (relative paths resolve against the working
 *                          directory, which for Liberty is the server's output directory)
 * @param fsync             the group-commit policy
 * @param fsyncIntervalMs   INTERVAL: the longest time between two commits (the durability window)
 * @param maxBytes          cap of all segment files together; beyond it the journal is full (level 3)
 * @param segmentBytes      a segment is sealed and a new one started past this size
 * @param retryMs           how often an unavailable or full journal is tried again
 * @param waitTimeoutMs     longest an HTTP request with {@code ?wait=durable|persisted} waits
 */
public record JournalSettings(boolean enabled, Path dir, FsyncPolicy fsync, long fsyncIntervalMs,
                              long maxBytes, long segmentBytes, long retryMs, long waitTimeoutMs) {

    public static final String PREFIX = LoggingSettings.DURABLE + "journal.";
    public static final String ENABLED = PREFIX + "enabled";
    public static final String DIR = PREFIX + "dir";
    public static final String FSYNC = PREFIX + "fsync";
    public static final String FSYNC_INTERVAL_MS = PREFIX + "fsync-interval-ms";
    public static final String MAX_BYTES = PREFIX + "max-bytes";
    public static final String SEGMENT_BYTES = PREFIX + "segment-bytes";
    public static final String RETRY_MS = PREFIX + "retry-ms";
    public static final String WAIT_TIMEOUT_MS = PREFIX + "wait-timeout-ms";

    /** Smallest segment: room for the header and a few records (tests use tiny segments). */
    public static final long MIN_SEGMENT_BYTES = 4096;
    /** Largest fsync interval accepted: beyond a minute "durable" would mean little. */
    public static final long MAX_FSYNC_INTERVAL_MS = 60_000;

    /**
     * @param r the reader
     * @return validated settings
     * @throws InvalidConfigurationException naming the first bad key
     */
    public static JournalSettings from(ConfigReader r) {
        boolean enabled = r.bool(ENABLED);
        String dir = r.optional(DIR).orElseThrow(() -> new InvalidConfigurationException(DIR, "", "a directory path"));
        Path path;
        try {
            path = Path.of(dir);
        } catch (RuntimeException e) {
            throw new InvalidConfigurationException(DIR, dir, "a valid directory path");
        }
        long segment = r.longIn(SEGMENT_BYTES, MIN_SEGMENT_BYTES, Integer.MAX_VALUE);
        return new JournalSettings(enabled, path,
                r.oneOf(FSYNC, FsyncPolicy.class),
                r.longIn(FSYNC_INTERVAL_MS, 1, MAX_FSYNC_INTERVAL_MS),
                // at least two segments, so one can be sealed and deleted while the next fills
                r.longIn(MAX_BYTES, 2 * segment, Long.MAX_VALUE),
                segment,
                r.longIn(RETRY_MS, 1, Long.MAX_VALUE),
                r.longIn(WAIT_TIMEOUT_MS, 1, Long.MAX_VALUE));
    }

    /** @return the settings from the defaults file alone */
    public static JournalSettings defaults() {
        return from(ConfigReader.defaults());
    }
}
