package org.phong.zenflow.logging.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Validation of the journal and degradation keys: every bad value names its key. */
class JournalSettingsTest {
    private static JournalSettings journal(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
        return JournalSettings.from(ConfigReader.overProperties(p));
    }

    private static DegradationSettings degradation(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
        return DegradationSettings.from(ConfigReader.overProperties(p));
    }

    @Test
    void defaults() {
        JournalSettings j = JournalSettings.defaults();
        assertTrue(j.enabled());
        assertEquals(Path.of("journal"), j.dir());
        assertEquals(FsyncPolicy.INTERVAL, j.fsync());
        assertEquals(20, j.fsyncIntervalMs());
        assertEquals(1L << 32, j.maxBytes());
        assertEquals(64L << 20, j.segmentBytes());
        DegradationSettings d = DegradationSettings.defaults();
        assertEquals(0.9, d.memoryHigh());
        assertEquals(0.75, d.memoryLow());
    }

    @Test
    void everyJournalAndDegradationKeyOfTheDefaultsFileIsRead() throws Exception {
        java.util.Set<String> read = java.util.Set.of(JournalSettings.ENABLED, JournalSettings.DIR, JournalSettings.FSYNC,
                JournalSettings.FSYNC_INTERVAL_MS, JournalSettings.MAX_BYTES, JournalSettings.SEGMENT_BYTES,
                JournalSettings.RETRY_MS, JournalSettings.WAIT_TIMEOUT_MS, DegradationSettings.CHECK_INTERVAL_MS,
                DegradationSettings.MEMORY_HIGH, DegradationSettings.MEMORY_LOW, DegradationSettings.SAMPLE_KEEP_EVERY,
                DegradationSettings.PRESSURE_RING_SIZE);
        Properties file = new Properties();
        try (var in = getClass().getClassLoader().getResourceAsStream("META-INF/microprofile-config.properties")) {
            file.load(in);
        }
        for (String key : file.stringPropertyNames()) {
            if (key.startsWith(JournalSettings.PREFIX) || key.startsWith(DegradationSettings.PREFIX)) {
                assertTrue(read.contains(key), "unread key " + key);
            }
        }
        for (String key : read) assertTrue(file.containsKey(key), "no default for " + key);
    }

    @Test
    void policiesAreCaseInsensitive() {
        assertEquals(FsyncPolicy.ALWAYS, journal(JournalSettings.FSYNC, "Always").fsync());
        assertEquals(FsyncPolicy.NONE, journal(JournalSettings.FSYNC, "none").fsync());
    }

    @Test
    void everyBadValueNamesItsKey() {
        assertKey(JournalSettings.FSYNC, () -> journal(JournalSettings.FSYNC, "sometimes"));
        assertKey(JournalSettings.FSYNC_INTERVAL_MS, () -> journal(JournalSettings.FSYNC_INTERVAL_MS, "0"));
        assertKey(JournalSettings.FSYNC_INTERVAL_MS, () -> journal(JournalSettings.FSYNC_INTERVAL_MS, "60001"));
        assertKey(JournalSettings.SEGMENT_BYTES, () -> journal(JournalSettings.SEGMENT_BYTES, "100"));
        assertKey(JournalSettings.MAX_BYTES, () -> journal(JournalSettings.SEGMENT_BYTES, "1048576", JournalSettings.MAX_BYTES, "1048577"));
        assertKey(JournalSettings.DIR, () -> journal(JournalSettings.DIR, "  "));
        assertKey(JournalSettings.ENABLED, () -> journal(JournalSettings.ENABLED, "yes"));
        assertKey(JournalSettings.RETRY_MS, () -> journal(JournalSettings.RETRY_MS, "-1"));
        assertKey(JournalSettings.WAIT_TIMEOUT_MS, () -> journal(JournalSettings.WAIT_TIMEOUT_MS, "x"));
        assertKey(DegradationSettings.MEMORY_HIGH, () -> degradation(DegradationSettings.MEMORY_HIGH, "1.5"));
        assertKey(DegradationSettings.MEMORY_LOW, () -> degradation(DegradationSettings.MEMORY_LOW, "0.95"));
        assertKey(DegradationSettings.SAMPLE_KEEP_EVERY, () -> degradation(DegradationSettings.SAMPLE_KEEP_EVERY, "0"));
        assertKey(DegradationSettings.CHECK_INTERVAL_MS, () -> degradation(DegradationSettings.CHECK_INTERVAL_MS, "0"));
        assertKey(DegradationSettings.PRESSURE_RING_SIZE, () -> degradation(DegradationSettings.PRESSURE_RING_SIZE, "-1"));
    }

    private static void assertKey(String key, Runnable r) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, r::run);
        assertEquals(key, e.key(), e.getMessage());
    }
}
