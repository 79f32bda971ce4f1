package org.phong.zenflow.logging.config;

import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Every tunable of the module, read once, validated, immutable. The defaults come from
 * {@code META-INF/microprofile-config.properties} (the same file MicroProfile Config serves), so a
 * default exists in exactly one place; the source passed to {@link #from} overrides them.
 *
 * <p>A bad value throws {@link InvalidConfigurationException} naming the key and the allowed
 * values; in Liberty that stops the deployment.
 */
public record LoggingSettings(
        int queueCapacity,
        int workers,
        BackpressureStrategy backpressureStrategy,
        double backpressureThreshold,
        int reserveCapacity,
        long sourceCooldownMs,
        int defaultBatchSize,
        int minBatchSize,
        int maxBatchSize,
        long maxDelayMs,
        int ringBufferSize,
        long cleanupIdleAfterMs,
        long batchTimeoutMs,
        int retryAttempts,
        long retryBackoffMs,
        long retryMaxBackoffMs,
        int circuitBreakerFailureThreshold,
        long circuitBreakerRecoveryTimeMs,
        int copyMaxRows,
        CopyFormat copyFormat,
        int copyConnections,
        int parallelCopyMinRows,
        int partitionsAheadMonths,
        int sinkQueueEntries,
        long httpMaxBodyBytes,
        int httpMaxEntriesPerRequest,
        int httpRetryAfterSeconds,
        int httpMaxPageSize,
        boolean kafkaEnabled,
        long shutdownTimeoutMs) {

    /** Prefix of the pipeline's keys. */
    public static final String DURABLE = "zenflow.logging.durable.";

    public static final String QUEUE_CAPACITY = DURABLE + "router.queue-capacity";
    public static final String WORKERS = DURABLE + "router.workers";
    public static final String BACKPRESSURE_STRATEGY = DURABLE + "router.backpressure.strategy";
    public static final String BACKPRESSURE_THRESHOLD = DURABLE + "router.backpressure.threshold";
    public static final String RESERVE_CAPACITY = DURABLE + "router.backpressure.reserve-capacity";
    public static final String SOURCE_COOLDOWN_MS = DURABLE + "router.backpressure.source-cooldown-ms";
    public static final String DEFAULT_BATCH_SIZE = DURABLE + "buffer.default-batch-size";
    public static final String MIN_BATCH_SIZE = DURABLE + "buffer.min-batch-size";
    public static final String MAX_BATCH_SIZE = DURABLE + "buffer.max-batch-size";
    public static final String MAX_DELAY_MS = DURABLE + "buffer.max-delay-ms";
    public static final String RING_BUFFER_SIZE = DURABLE + "buffer.ring-buffer-size";
    public static final String CLEANUP_IDLE_AFTER_MS = DURABLE + "buffer.cleanup-idle-after-ms";
    public static final String BATCH_TIMEOUT_MS = DURABLE + "persistence.batch-timeout-ms";
    public static final String RETRY_ATTEMPTS = DURABLE + "persistence.retry-attempts";
    public static final String RETRY_BACKOFF_MS = DURABLE + "persistence.retry-backoff-ms";
    public static final String RETRY_MAX_BACKOFF_MS = DURABLE + "persistence.retry-max-backoff-ms";
    public static final String CB_FAILURE_THRESHOLD = DURABLE + "persistence.circuit-breaker.failure-threshold";
    public static final String CB_RECOVERY_TIME_MS = DURABLE + "persistence.circuit-breaker.recovery-time-ms";
    public static final String COPY_MAX_ROWS = DURABLE + "persistence.copy-max-rows";
    public static final String COPY_FORMAT = DURABLE + "persistence.copy-format";
    public static final String COPY_CONNECTIONS = DURABLE + "persistence.copy-connections";
    public static final String PARALLEL_COPY_MIN_ROWS = DURABLE + "persistence.parallel-copy-min-rows";
    public static final String PARTITIONS_AHEAD_MONTHS = DURABLE + "persistence.partitions-ahead-months";
    public static final String SINK_QUEUE_ENTRIES = DURABLE + "collector.sink-queue-entries";
    public static final String HTTP_MAX_BODY_BYTES = "zenflow.logging.http.max-body-bytes";
    public static final String HTTP_MAX_ENTRIES = "zenflow.logging.http.max-entries-per-request";
    public static final String HTTP_RETRY_AFTER_SECONDS = "zenflow.logging.http.retry-after-seconds";
    public static final String HTTP_MAX_PAGE_SIZE = "zenflow.logging.http.max-page-size";
    public static final String KAFKA_ENABLED = "zenflow.logging.kafka.enabled";
    public static final String SHUTDOWN_TIMEOUT_MS = DURABLE + "shutdown-timeout-ms";

    /**
     * Most connections one PostgreSQL sink batch is written on at once: each is a COPY backend of its own and a
     * connection taken from the pool (DB_POOL_MAX) beside the readers', so more than a few only starves them.
     */
    public static final int MAX_COPY_CONNECTIONS = 8;

    /** Largest retry-backoff-ms: MicroProfile Fault Tolerance needs the @Retry delay below its 180 s maxDuration. */
    public static final long MAX_RETRY_DELAY_MS = 60_000;

    /** @return the settings with every default from {@code microprofile-config.properties} */
    public static LoggingSettings defaults() {
        return from(key -> Optional.empty());
    }

    /**
     * @param overrides values that replace the defaults (e.g. a test's {@link Properties})
     * @return validated settings
     */
    public static LoggingSettings fromProperties(Properties overrides) {
        return from(key -> Optional.ofNullable(overrides.getProperty(key)));
    }

    /**
     * @param source looks up a key (MicroProfile Config in Liberty); empty means "use the default"
     * @return validated settings
     * @throws InvalidConfigurationException naming the first bad key
     */
    public static LoggingSettings from(Function<String, Optional<String>> source) {
        return from(ConfigReader.over(source));
    }

    /**
     * @param r the reader to take every key from
     * @return validated settings
     * @throws InvalidConfigurationException naming the first bad key
     */
    public static LoggingSettings from(ConfigReader r) {
        int queueCapacity = r.intIn(QUEUE_CAPACITY, 1, Integer.MAX_VALUE / 2);
        int minBatch = r.intIn(MIN_BATCH_SIZE, 1, Integer.MAX_VALUE);
        int maxBatch = r.intIn(MAX_BATCH_SIZE, minBatch, Integer.MAX_VALUE);
        return new LoggingSettings(
                queueCapacity,
                r.intIn(WORKERS, 1, 64),
                r.oneOf(BACKPRESSURE_STRATEGY, BackpressureStrategy.class),
                r.fraction(BACKPRESSURE_THRESHOLD),
                r.intIn(RESERVE_CAPACITY, 0, Integer.MAX_VALUE / 2),
                r.longIn(SOURCE_COOLDOWN_MS, 1, Long.MAX_VALUE),
                r.intIn(DEFAULT_BATCH_SIZE, minBatch, maxBatch),
                minBatch,
                maxBatch,
                r.longIn(MAX_DELAY_MS, 1, Long.MAX_VALUE),
                r.intIn(RING_BUFFER_SIZE, 0, Integer.MAX_VALUE),
                r.longIn(CLEANUP_IDLE_AFTER_MS, 1, Long.MAX_VALUE),
                r.longIn(BATCH_TIMEOUT_MS, 1, Long.MAX_VALUE),
                r.intIn(RETRY_ATTEMPTS, 0, Integer.MAX_VALUE),
                // MicroProfile Fault Tolerance requires the @Retry delay below its maxDuration (180 s).
                r.longIn(RETRY_BACKOFF_MS, 0, MAX_RETRY_DELAY_MS),
                r.longIn(RETRY_MAX_BACKOFF_MS, 1, Long.MAX_VALUE),
                r.intIn(CB_FAILURE_THRESHOLD, 1, Integer.MAX_VALUE),
                r.longIn(CB_RECOVERY_TIME_MS, 1, Long.MAX_VALUE),
                r.intIn(COPY_MAX_ROWS, 1, Integer.MAX_VALUE),
                r.oneOf(COPY_FORMAT, CopyFormat.class),
                r.intIn(COPY_CONNECTIONS, 1, MAX_COPY_CONNECTIONS),
                r.intIn(PARALLEL_COPY_MIN_ROWS, 1, Integer.MAX_VALUE),
                r.intIn(PARTITIONS_AHEAD_MONTHS, 0, 120),
                r.intIn(SINK_QUEUE_ENTRIES, 1, Integer.MAX_VALUE),
                r.longIn(HTTP_MAX_BODY_BYTES, 1, Long.MAX_VALUE),
                r.intIn(HTTP_MAX_ENTRIES, 1, Integer.MAX_VALUE),
                r.intIn(HTTP_RETRY_AFTER_SECONDS, 1, Integer.MAX_VALUE),
                r.intIn(HTTP_MAX_PAGE_SIZE, 1, Integer.MAX_VALUE),
                r.bool(KAFKA_ENABLED),
                r.longIn(SHUTDOWN_TIMEOUT_MS, 1, Long.MAX_VALUE));
    }

    /** @return the environment variable that overrides {@code key} (MicroProfile Config's mapping) */
    public static String envName(String key) {
        return ConfigReader.envName(key);
    }

    /** @return entries above this many in flight engage the backpressure strategy */
    public long thresholdEntries() {
        return (long) Math.floor(queueCapacity * backpressureThreshold);
    }
}
