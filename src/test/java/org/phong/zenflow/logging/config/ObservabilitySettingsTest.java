package org.phong.zenflow.logging.config;

import static org.junit.jupiter.api.Assertions.*;
import static org.phong.zenflow.logging.config.ObservabilitySettings.*;

import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ObservabilitySettingsTest {

    /** @return true for the keys ObservabilitySettings reads (LoggingSettingsTest leaves them to this test) */
    static boolean ownsKey(String key) {
        return key.startsWith("zenflow.logging.metrics.") || key.startsWith("zenflow.logging.health.");
    }

    private static ObservabilitySettings with(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return ObservabilitySettings.from(ConfigReader.overProperties(p));
    }

    @Test
    void defaultsComeFromThePropertiesFileAndEveryOwnKeyIsRead() throws Exception {
        Properties file = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/microprofile-config.properties")) {
            file.load(in);
        }
        ObservabilitySettings s = ObservabilitySettings.defaults();
        assertEquals(Integer.parseInt(file.getProperty(ROUTE_SAMPLE_EVERY)), s.routeSampleEvery());
        assertEquals(Double.parseDouble(file.getProperty(HEAP_THRESHOLD)), s.heapThreshold());
        assertEquals(Long.parseLong(file.getProperty(DB_PROBE_INTERVAL_MS)), s.dbProbeIntervalMs());
        assertEquals(Long.parseLong(file.getProperty(DB_PROBE_TIMEOUT_MS)), s.dbProbeTimeoutMs());
        assertEquals(Integer.parseInt(file.getProperty(SCHEDULER_STALL_BEATS)), s.schedulerStallBeats());
        var known = java.util.Set.of(ROUTE_SAMPLE_EVERY, HEAP_THRESHOLD, DB_PROBE_INTERVAL_MS, DB_PROBE_TIMEOUT_MS, SCHEDULER_STALL_BEATS);
        for (String key : file.stringPropertyNames()) {
            if (ownsKey(key)) assertTrue(known.contains(key), "unread key " + key);
        }
    }

    @Test
    void overridesAreTaken() {
        assertEquals(1, with(ROUTE_SAMPLE_EVERY, "1").routeSampleEvery());
        assertEquals(0.5, with(HEAP_THRESHOLD, "0.5").heapThreshold());
        assertEquals(250, with(DB_PROBE_INTERVAL_MS, "250").dbProbeIntervalMs());
    }

    @ParameterizedTest
    @CsvSource({
            "zenflow.logging.metrics.route-sample-every, 3, a power of two from 1 to 65536",
            "zenflow.logging.metrics.route-sample-every, 0, a whole number from 1 to 65536",
            "zenflow.logging.metrics.route-sample-every, 131072, a whole number from 1 to 65536",
            "zenflow.logging.health.heap-threshold, 1.5, a number greater than 0 and at most 1",
            "zenflow.logging.health.heap-threshold, 0, a number greater than 0 and at most 1",
            "zenflow.logging.health.db-probe-interval-ms, 0, a whole number from 1",
            "zenflow.logging.health.db-probe-timeout-ms, soon, a whole number from 1",
            "zenflow.logging.health.scheduler-stall-beats, 1, a whole number from 2 to 1000",
    })
    void badValuesNameTheKeyAndWhatIsAllowed(String key, String value, String allowed) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> with(key, value));
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertTrue(e.getMessage().contains(allowed), e.getMessage());
    }
}
