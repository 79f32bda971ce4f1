package org.phong.zenflow.logging.config;

/**
 * Settings of the live tail (WebSocket, long-poll, runs list), validated once.
 *
 * @param sessionQueueBytes   bytes (estimated encoded size of the entries) one session may have waiting to be
 *                            sent; past it the session is closed 1013. Everything waiting goes out as one frame
 *                            when the send in flight completes, so this is also the largest frame a session sends
 * @param pingIntervalMs      how often every session is pinged
 * @param pongTimeoutMs       a session whose peer has not answered a ping (nor sent anything) for this long is closed
 * @param historyPageSize     entries read from PostgreSQL per query while catching a session up
 * @param historyWaitMs       how long catching up waits for entries still on their way to PostgreSQL
 * @param longPollMaxWaitMs   largest {@code waitMs} of the long-poll
 * @param recentRuns          ended runs remembered for {@code GET /api/v1/runs?state=recent}
 * @param frameLingerMs       how long an idle session waits after a new entry before its pump runs, so entries
 *                            arriving meanwhile share its frame (0: at once); the price is this much latency
 */
public record StreamSettings(long sessionQueueBytes, long pingIntervalMs, long pongTimeoutMs, int historyPageSize,
                             long historyWaitMs, long longPollMaxWaitMs, int recentRuns, long frameLingerMs) {

    /** Prefix of every key of the live tail. */
    public static final String PREFIX = "zenflow.logging.stream.";
    private static final String P = PREFIX;
    public static final String SESSION_QUEUE_BYTES = P + "session-queue-bytes";
    /** Smallest accepted queue bound: one entry of the largest size ingest accepts must fit, so 64 KiB. */
    public static final long MIN_SESSION_QUEUE_BYTES = 65_536;
    public static final String PING_INTERVAL_MS = P + "ping-interval-ms";
    public static final String PONG_TIMEOUT_MS = P + "pong-timeout-ms";
    public static final String HISTORY_PAGE_SIZE = P + "history-page-size";
    public static final String HISTORY_WAIT_MS = P + "history-wait-ms";
    public static final String LONG_POLL_MAX_WAIT_MS = P + "long-poll-max-wait-ms";
    public static final String RECENT_RUNS = P + "recent-runs";
    public static final String FRAME_LINGER_MS = P + "frame-linger-ms";
    /** Longest linger: beyond it the live tail would not feel live. */
    public static final long MAX_FRAME_LINGER_MS = 1000;

    /**
     * @param r the reader
     * @return validated settings
     * @throws InvalidConfigurationException naming the first bad key
     */
    public static StreamSettings from(ConfigReader r) {
        long ping = r.longIn(PING_INTERVAL_MS, 1, Long.MAX_VALUE);
        return new StreamSettings(
                r.longIn(SESSION_QUEUE_BYTES, MIN_SESSION_QUEUE_BYTES, Long.MAX_VALUE / 2),
                ping,
                // A pong can only come after a ping: a timeout at or below the interval would close healthy peers.
                r.longIn(PONG_TIMEOUT_MS, ping + 1, Long.MAX_VALUE),
                r.intIn(HISTORY_PAGE_SIZE, 1, 100_000),
                r.longIn(HISTORY_WAIT_MS, 1, Long.MAX_VALUE),
                r.longIn(LONG_POLL_MAX_WAIT_MS, 0, Long.MAX_VALUE),
                r.intIn(RECENT_RUNS, 0, 1_000_000),
                r.longIn(FRAME_LINGER_MS, 0, MAX_FRAME_LINGER_MS));
    }

    /** @return the defaults */
    public static StreamSettings defaults() {
        return from(ConfigReader.defaults());
    }
}
