package org.phong.zenflow.logging.security;

import static org.junit.jupiter.api.Assertions.*;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.ConfigReader;
import org.phong.zenflow.logging.config.SecuritySettings;

class InputLimitsTest {
    private static final JsonProvider JSON = JsonProvider.provider();
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final InputLimits DEFAULTS = new InputLimits(SecuritySettings.defaults(), CLOCK);

    private static JsonObjectBuilder entry() {
        return JSON.createObjectBuilder().add("workflowId", UUID.randomUUID().toString()).add("runId", UUID.randomUUID().toString())
                .add("nodeKey", "n").add("level", "INFO").add("message", "m").add("ts", NOW.toString());
    }

    private static InputLimits with(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
        return new InputLimits(SecuritySettings.from(ConfigReader.overProperties(p)), CLOCK);
    }

    private static void assertField(String field, InputLimits limits, JsonObject o) {
        InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class, () -> limits.parse(o));
        assertEquals(field, e.field(), e.getMessage());
    }

    @Test
    void longMessagesAreTruncatedWithAMarkerNotRejected() {
        String msg = "a".repeat(200);
        LogEntry e = with(SecuritySettings.MESSAGE_MAX_CHARS, "100").parse(entry().add("message", msg)
                .add("metadata", JSON.createObjectBuilder().add("k", "v")).build());
        assertEquals(100, e.message().length(), e.message());
        assertTrue(e.message().startsWith("aaaa"));
        int kept = e.message().indexOf(InputLimits.TRUNCATION_MARKER);
        assertTrue(e.message().endsWith(InputLimits.TRUNCATION_MARKER + (200 - kept) + " chars]"), e.message());
        assertEquals("{\"k\":\"v\"}", e.metadata(), "other fields kept");
        String exact = "b".repeat(100);
        assertEquals(exact, with(SecuritySettings.MESSAGE_MAX_CHARS, "100").parse(entry().add("message", exact).build()).message());
    }

    @Test
    void truncationNeverSplitsASurrogatePair() {
        String emoji = "\ud83d\ude00";
        for (int max = 64; max < 80; max++) {
            String t = InputLimits.truncate(emoji.repeat(100), max);
            assertTrue(t.length() <= max);
            int cut = t.indexOf(InputLimits.TRUNCATION_MARKER);
            assertEquals(0, cut % 2, "head of whole pairs at max " + max);
            assertFalse(Character.isHighSurrogate(t.charAt(cut - 1)) && !Character.isLowSurrogate(t.charAt(cut)));
        }
    }

    @Test
    void fieldsOverTheirLimitAreRejectedByName() {
        assertField("nodeKey", DEFAULTS, entry().add("nodeKey", "x".repeat(257)).build());
        assertField("errorCode", DEFAULTS, entry().add("errorCode", "x".repeat(129)).build());
        assertField("traceId", DEFAULTS, entry().add("traceId", "x".repeat(129)).build());
        assertField("hierarchy", DEFAULTS, entry().add("hierarchy", "x".repeat(2049)).build());
        assertEquals(256, DEFAULTS.parse(entry().add("nodeKey", "x".repeat(256)).build()).nodeKey().length());
    }

    @Test
    void metadataDepthAndSizeAreBounded() {
        JsonValue v = JSON.createValue("leaf");
        for (int i = 1; i < 16; i++) v = i % 2 == 0 ? JSON.createObjectBuilder().add("d", v).build() : JSON.createArrayBuilder().add(v).build();
        JsonObject depth16 = JSON.createObjectBuilder().add("d", v).build();
        assertNotNull(DEFAULTS.parse(entry().add("metadata", depth16).build()).metadata());
        JsonObject depth17 = JSON.createObjectBuilder().add("d", depth16).build();
        assertField("metadata", DEFAULTS, entry().add("metadata", depth17).build());
        assertField("metadata", with(SecuritySettings.METADATA_MAX_CHARS, "20"),
                entry().add("metadata", JSON.createObjectBuilder().add("k", "x".repeat(20))).build());
    }

    @Test
    void tsOutsideTheWindowIsRejectedSoNoFarMonthGetsAPartition() {
        assertField("ts", DEFAULTS, entry().add("ts", "9999-12-31T00:00:00Z").build());
        assertField("ts", DEFAULTS, entry().add("ts", NOW.plusSeconds(86_401).toString()).build());
        assertField("ts", DEFAULTS, entry().add("ts", NOW.minusSeconds(3651L * 86_400).toString()).build());
        assertField("ts", DEFAULTS, entry().add("ts", 0L).build());
        assertEquals(NOW.plusSeconds(86_400), DEFAULTS.parse(entry().add("ts", NOW.plusSeconds(86_400).toString()).build()).ts());
        assertEquals(NOW.minusSeconds(3650L * 86_400), DEFAULTS.parse(entry().add("ts", NOW.minusSeconds(3650L * 86_400).toString()).build()).ts());
        assertField("ts", with(SecuritySettings.TS_MAX_FUTURE_SECONDS, "0"), entry().add("ts", NOW.plusMillis(1).toString()).build());
    }
}
