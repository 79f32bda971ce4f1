package org.phong.zenflow.logging.config;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class StreamSettingsTest {

    private static final Map<String, Function<StreamSettings, Object>> ACCESSORS = Map.of(
            StreamSettings.SESSION_QUEUE_BYTES, StreamSettings::sessionQueueBytes,
            StreamSettings.PING_INTERVAL_MS, StreamSettings::pingIntervalMs,
            StreamSettings.PONG_TIMEOUT_MS, StreamSettings::pongTimeoutMs,
            StreamSettings.HISTORY_PAGE_SIZE, StreamSettings::historyPageSize,
            StreamSettings.HISTORY_WAIT_MS, StreamSettings::historyWaitMs,
            StreamSettings.LONG_POLL_MAX_WAIT_MS, StreamSettings::longPollMaxWaitMs,
            StreamSettings.RECENT_RUNS, StreamSettings::recentRuns,
            StreamSettings.FRAME_LINGER_MS, StreamSettings::frameLingerMs);

    @Test
    void defaultsMatchThePropertiesFileAndEveryStreamKeyIsRead() throws Exception {
        Properties file = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/microprofile-config.properties")) {
            file.load(in);
        }
        StreamSettings s = StreamSettings.defaults();
        for (var e : ACCESSORS.entrySet()) {
            assertEquals(file.getProperty(e.getKey()).trim(), String.valueOf(e.getValue().apply(s)), e.getKey());
        }
        for (String key : file.stringPropertyNames()) {
            if (BoundSettings.KEYS.contains(key)) continue; // BoundSettingsTest
            if (key.startsWith(StreamSettings.PREFIX)) assertTrue(ACCESSORS.containsKey(key), "unread key " + key);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "zenflow.logging.stream.session-queue-bytes, 1000, from 65536",
        "zenflow.logging.stream.ping-interval-ms, soon, from 1",
        "zenflow.logging.stream.pong-timeout-ms, 15000, from 15001",
        "zenflow.logging.stream.history-page-size, 100001, to 100000",
        "zenflow.logging.stream.history-wait-ms, 0, from 1",
        "zenflow.logging.stream.long-poll-max-wait-ms, -1, from 0",
        "zenflow.logging.stream.recent-runs, -1, from 0",
        "zenflow.logging.stream.frame-linger-ms, 1001, to 1000",
    })
    void badValuesNameTheKeyAndTheAllowedRange(String key, String value, String allowed) {
        Properties p = new Properties();
        p.setProperty(key, value);
        var e = assertThrows(InvalidConfigurationException.class, () -> StreamSettings.from(ConfigReader.overProperties(p)));
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertTrue(e.getMessage().contains(allowed), e.getMessage());
    }
}
