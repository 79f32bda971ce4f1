package org.phong.zenflow.logging.config;

import static org.junit.jupiter.api.Assertions.*;
import static org.phong.zenflow.logging.config.LoggingSettings.*;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.ManualExecutor;
import org.phong.zenflow.logging.testing.ManualScheduler;
import org.phong.zenflow.logging.testing.TestSettings;

class LoggingSettingsTest {

    private static Properties file() throws Exception {
        Properties p = new Properties();
        try (InputStream in = LoggingSettings.class.getClassLoader()
                .getResourceAsStream("META-INF/microprofile-config.properties")) {
            assertNotNull(in);
            p.load(in);
        }
        return p;
    }

    private static Map<String, Function<LoggingSettings, Object>> accessors() {
        Map<String, Function<LoggingSettings, Object>> m = new LinkedHashMap<>();
        m.put(QUEUE_CAPACITY, LoggingSettings::queueCapacity);
        m.put(WORKERS, LoggingSettings::workers);
        m.put(BACKPRESSURE_STRATEGY, LoggingSettings::backpressureStrategy);
        m.put(BACKPRESSURE_THRESHOLD, LoggingSettings::backpressureThreshold);
        m.put(RESERVE_CAPACITY, LoggingSettings::reserveCapacity);
        m.put(SOURCE_COOLDOWN_MS, LoggingSettings::sourceCooldownMs);
        m.put(DEFAULT_BATCH_SIZE, LoggingSettings::defaultBatchSize);
        m.put(MIN_BATCH_SIZE, LoggingSettings::minBatchSize);
        m.put(MAX_BATCH_SIZE, LoggingSettings::maxBatchSize);
        m.put(MAX_DELAY_MS, LoggingSettings::maxDelayMs);
        m.put(RING_BUFFER_SIZE, LoggingSettings::ringBufferSize);
        m.put(CLEANUP_IDLE_AFTER_MS, LoggingSettings::cleanupIdleAfterMs);
        m.put(BATCH_TIMEOUT_MS, LoggingSettings::batchTimeoutMs);
        m.put(RETRY_ATTEMPTS, LoggingSettings::retryAttempts);
        m.put(RETRY_BACKOFF_MS, LoggingSettings::retryBackoffMs);
        m.put(RETRY_MAX_BACKOFF_MS, LoggingSettings::retryMaxBackoffMs);
        m.put(CB_FAILURE_THRESHOLD, LoggingSettings::circuitBreakerFailureThreshold);
        m.put(CB_RECOVERY_TIME_MS, LoggingSettings::circuitBreakerRecoveryTimeMs);
        m.put(COPY_MAX_ROWS, LoggingSettings::copyMaxRows);
        m.put(PARTITIONS_AHEAD_MONTHS, LoggingSettings::partitionsAheadMonths);
        m.put(SINK_QUEUE_ENTRIES, LoggingSettings::sinkQueueEntries);
        m.put(HTTP_MAX_BODY_BYTES, LoggingSettings::httpMaxBodyBytes);
        m.put(HTTP_MAX_ENTRIES, LoggingSettings::httpMaxEntriesPerRequest);
        m.put(HTTP_RETRY_AFTER_SECONDS, LoggingSettings::httpRetryAfterSeconds);
        m.put(HTTP_MAX_PAGE_SIZE, LoggingSettings::httpMaxPageSize);
        m.put(KAFKA_ENABLED, LoggingSettings::kafkaEnabled);
        m.put(COPY_FORMAT, x -> x.copyFormat().name().toLowerCase(java.util.Locale.ROOT));
        m.put(COPY_CONNECTIONS, LoggingSettings::copyConnections);
        m.put(PARALLEL_COPY_MIN_ROWS, LoggingSettings::parallelCopyMinRows);
        m.put(SHUTDOWN_TIMEOUT_MS, LoggingSettings::shutdownTimeoutMs);
        return m;
    }

    @Test
    void defaultsMatchThePropertiesFile() throws Exception {
        Properties file = file();
        LoggingSettings s = LoggingSettings.defaults();
        List<String> mismatches = new ArrayList<>();
        for (var e : accessors().entrySet()) {
            String text = file.getProperty(e.getKey());
            assertNotNull(text, "no default for " + e.getKey());
            Object actual = e.getValue().apply(s);
            boolean same = actual instanceof Double d ? d == Double.parseDouble(text) : String.valueOf(actual).equals(text.trim());
            if (!same) mismatches.add(e.getKey() + ": file " + text + ", settings " + actual);
        }
        assertEquals(List.of(), mismatches);
        // every pipeline key in the file is read by the settings (other concerns have records of their own)
        for (String key : file.stringPropertyNames()) {
            // keys of other concerns' settings records (journal, degradation) are checked by their own tests
            if (key.startsWith(JournalSettings.PREFIX) || key.startsWith(DegradationSettings.PREFIX) || key.startsWith(StreamSettings.PREFIX)
                    || key.startsWith(RetentionSettings.PREFIX)) continue;
            if (BoundSettings.KEYS.contains(key)) continue; // BoundSettingsTest
            if (key.startsWith(DURABLE) || key.startsWith("zenflow.logging.http.")) assertTrue(accessors().containsKey(key), "unread key " + key);
        }
        assertEquals(s, LoggingSettings.fromProperties(new Properties()));
        assertEquals(80_000, s.thresholdEntries());
    }

    @Test
    void overrideReplacesOnlyItsKeyAndValuesAreTrimmed() {
        LoggingSettings s = TestSettings.of(QUEUE_CAPACITY, " 500 ", BACKPRESSURE_STRATEGY, "sample_high_volume",
                KAFKA_ENABLED, "TRUE");
        assertEquals(500, s.queueCapacity());
        assertEquals(BackpressureStrategy.SAMPLE_HIGH_VOLUME, s.backpressureStrategy());
        assertTrue(s.kafkaEnabled());
        assertEquals(LoggingSettings.defaults().workers(), s.workers());
        assertEquals(400, s.thresholdEntries());
    }

    @Test
    void sourceFunctionIsConsultedAndEmptyMeansDefault() {
        LoggingSettings s = LoggingSettings.from(k -> k.equals(WORKERS) ? Optional.of("7") : Optional.empty());
        assertEquals(7, s.workers());
        assertEquals(100_000, s.queueCapacity());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "zenflow.logging.durable.router.queue-capacity|-1|a whole number from 1 to",
            "zenflow.logging.durable.router.queue-capacity|0|a whole number from 1 to",
            "zenflow.logging.durable.router.queue-capacity|ten|a whole number from 1 to",
            "zenflow.logging.durable.router.queue-capacity|1.5|a whole number from 1 to",
            "zenflow.logging.durable.router.queue-capacity|''|a whole number from 1 to",
            "zenflow.logging.durable.router.workers|65|a whole number from 1 to 64",
            "zenflow.logging.durable.router.backpressure.strategy|DROP_ALL|one of [DROP_DEBUG_FIRST, SAMPLE_HIGH_VOLUME, SHED_LOAD_BY_WORKFLOW, CIRCUIT_BREAK_SOURCES]",
            "zenflow.logging.durable.router.backpressure.threshold|0|greater than 0 and at most 1",
            "zenflow.logging.durable.router.backpressure.threshold|1.5|greater than 0 and at most 1",
            "zenflow.logging.durable.router.backpressure.threshold|-0.5|greater than 0 and at most 1",
            "zenflow.logging.durable.router.backpressure.threshold|NaN|greater than 0 and at most 1",
            "zenflow.logging.durable.router.backpressure.threshold|high|greater than 0 and at most 1",
            "zenflow.logging.durable.router.backpressure.reserve-capacity|-5|a whole number from 0 to",
            "zenflow.logging.durable.buffer.max-batch-size|10|a whole number from 20 to",
            "zenflow.logging.durable.buffer.default-batch-size|5000|a whole number from 20 to 2000",
            "zenflow.logging.durable.buffer.max-delay-ms|0|a whole number from 1 to",
            "zenflow.logging.durable.buffer.ring-buffer-size|-1|a whole number from 0 to",
            "zenflow.logging.durable.persistence.partitions-ahead-months|121|a whole number from 0 to 120",
            "zenflow.logging.durable.collector.sink-queue-entries|99999999999|a whole number from 1 to",
            "zenflow.logging.kafka.enabled|yes|true or false",
            "zenflow.logging.durable.persistence.retry-backoff-ms|200000|a whole number from 0 to 60000",
            "zenflow.logging.durable.persistence.copy-connections|0|a whole number from 1 to 8",
            "zenflow.logging.durable.persistence.copy-connections|9|a whole number from 1 to 8",
            "zenflow.logging.durable.persistence.copy-connections|two|a whole number from 1 to 8",
            "zenflow.logging.durable.persistence.parallel-copy-min-rows|0|a whole number from 1 to",
            "zenflow.logging.durable.persistence.parallel-copy-min-rows|-1000|a whole number from 1 to",
    })
    void badValueNamesKeyAndAllowedValues(String key, String value, String allowed) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> TestSettings.of(key, value));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(key + "='" + value.trim() + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(allowed), e.getMessage());
        assertTrue(e.getMessage().contains(LoggingSettings.envName(key)), e.getMessage());
    }

    @Test
    void copyConnectionsAndTheirThresholdTakeTheirWholeRange() {
        LoggingSettings d = LoggingSettings.defaults();
        assertEquals(2, d.copyConnections(), "a deep backlog's batch on two COPYs (docs/benchmark.md)");
        assertEquals(1000, d.parallelCopyMinRows());
        assertEquals(2, TestSettings.of(COPY_CONNECTIONS, "2").copyConnections());
        assertEquals(MAX_COPY_CONNECTIONS, TestSettings.of(COPY_CONNECTIONS, " 8 ").copyConnections());
        assertEquals(1, TestSettings.of(PARALLEL_COPY_MIN_ROWS, "1").parallelCopyMinRows());
        assertEquals("ZENFLOW_LOGGING_DURABLE_PERSISTENCE_COPY_CONNECTIONS", LoggingSettings.envName(COPY_CONNECTIONS));
        assertEquals("ZENFLOW_LOGGING_DURABLE_PERSISTENCE_PARALLEL_COPY_MIN_ROWS", LoggingSettings.envName(PARALLEL_COPY_MIN_ROWS));
    }

    @Test
    void defaultBatchSizeIsCheckedAgainstTheOverriddenBounds() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> TestSettings.of(DEFAULT_BATCH_SIZE, "5"));
        assertEquals(DEFAULT_BATCH_SIZE, e.key(), "min-batch-size is 20 by default");
        assertEquals(5, TestSettings.of(DEFAULT_BATCH_SIZE, "5", MIN_BATCH_SIZE, "1").defaultBatchSize());
    }

    @Test
    void envNameMapping() {
        assertEquals("ZENFLOW_LOGGING_DURABLE_ROUTER_QUEUE_CAPACITY", LoggingSettings.envName(QUEUE_CAPACITY));
        assertEquals("ZENFLOW_LOGGING_DURABLE_PERSISTENCE_CIRCUIT_BREAKER_FAILURE_THRESHOLD",
                LoggingSettings.envName(CB_FAILURE_THRESHOLD));
        assertEquals("ZENFLOW_LOGGING_HTTP_MAX_BODY_BYTES", LoggingSettings.envName(HTTP_MAX_BODY_BYTES));
    }

    @Test
    void changingDefaultBatchSizeChangesWhenARunFlushes() {
        List<List<LogEntry>> out = new ArrayList<>();
        assertEquals(List.of(5, 5), flushSizesAfter(12, TestSettings.of(DEFAULT_BATCH_SIZE, "5", MIN_BATCH_SIZE, "1",
                MAX_BATCH_SIZE, "5"), out));
        out.clear();
        assertEquals(List.of(), flushSizesAfter(12, LoggingSettings.defaults(), out), "default 100 holds 12 entries");
    }

    private static List<Integer> flushSizesAfter(int n, LoggingSettings s, List<List<LogEntry>> out) {
        ManualScheduler clock = new ManualScheduler();
        WorkflowBufferManager m = new WorkflowBufferManager(s, b -> out.add(b.entries()), clock, r -> 0, ManualExecutor.DIRECT);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        m.start(wf, run);
        for (int i = 0; i < n; i++) m.append(Entries.info(wf, run, "m" + i));
        return out.stream().map(List::size).toList();
    }
}
