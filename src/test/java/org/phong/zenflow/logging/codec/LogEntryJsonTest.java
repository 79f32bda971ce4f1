package org.phong.zenflow.logging.codec;

import static org.junit.jupiter.api.Assertions.*;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.testing.Entries;

class LogEntryJsonTest {
    private static final String WF = "11111111-2222-3333-4444-555555555555";
    private static final String RUN = "66666666-7777-8888-9999-aaaaaaaaaaaa";

    private static JsonObject parse(String json) {
        try (var r = Json.createReader(new StringReader(json))) {
            return r.readObject();
        }
    }

    /** A valid object with {@code field} replaced by the raw JSON {@code value} (or removed when value is absent). */
    private static JsonObject validWith(String field, String rawValue) {
        JsonObject base = parse("{\"workflowId\":\"" + WF + "\",\"runId\":\"" + RUN + "\",\"nodeKey\":\"fetch\","
                + "\"ts\":\"2026-11-28T17:02:37.123456Z\",\"level\":\"INFO\",\"message\":\"hi\"}");
        var b = Json.createObjectBuilder(base);
        if (rawValue == null) b.remove(field);
        else b.add(field, parse("{\"v\":" + rawValue + "}").get("v"));
        return b.build();
    }

    @Test
    void roundTripKeepsEveryField() {
        LogEntry e = Entries.valid().errorCode("E42").traceId("trace-1").hierarchy("root/loop[3]/http")
                .metadata("{\"status\":500,\"nested\":{\"x\":[1,2]}}").level(LogLevel.ERROR).build().withSeq(9);
        JsonObject json = LogEntryJson.toJson(e);
        assertEquals(9, json.getJsonNumber("seq").longValue());
        assertEquals(500, json.getJsonObject("metadata").getInt("status"));
        LogEntry back = LogEntryJson.fromJson(json);
        assertEquals(0, back.seq(), "seq is ignored on input");
        assertEquals(e.withSeq(9), back.withSeq(9));
    }

    /**
     * The text writer (live tail, downloads) and the tree writer (REST pages) give the same text:
     * random strings over every class of character that JSON escapes or keeps (quotes, backslashes,
     * all control characters, DEL, non-ASCII, a surrogate pair), with and without the optional fields.
     */
    @Test
    void textWriterWritesWhatTheTreeWriterWrites() {
        java.util.Random r = new java.util.Random(7);
        String alphabet = "ab \"\\/\u007f\u00e9\u4e2d\ud83d\ude00";
        for (int i = 0; i < 2_000; i++) {
            LogEntry.Builder b = Entries.valid().message(randomText(r, alphabet)).nodeKey("node-" + i);
            if (r.nextBoolean()) {
                b.errorCode(randomText(r, alphabet)).traceId(randomText(r, alphabet)).hierarchy(randomText(r, alphabet))
                        .metadata(Json.createObjectBuilder().add(randomText(r, alphabet), randomText(r, alphabet))
                                .add("n", r.nextInt()).add("f", 1.5).add("nested", Json.createArrayBuilder().add(1).addNull())
                                .build().toString());
            }
            LogEntry e = b.level(LogLevel.values()[r.nextInt(LogLevel.values().length)]).build().withSeq(1 + r.nextInt(1 << 30));
            assertEquals(LogEntryJson.toJson(e).toString(), LogEntryJson.jsonText(e), "entry " + i);
        }
    }

    private static String randomText(java.util.Random r, String alphabet) {
        StringBuilder s = new StringBuilder();
        for (int n = r.nextInt(12); n > 0; n--) {
            int pick = r.nextInt(alphabet.length() + 0x20);
            if (pick < 0x20) s.append((char) pick); // every control character
            else if (alphabet.charAt(pick - 0x20) == '\ud83d') s.append("\ud83d\ude00");
            else if (alphabet.charAt(pick - 0x20) != '\ude00') s.append(alphabet.charAt(pick - 0x20));
        }
        return s.isEmpty() ? "x" : s.toString();
    }

    @Test
    void roundTripWithNulls() {
        LogEntry e = Entries.valid().build();
        JsonObject json = LogEntryJson.toJson(e);
        assertTrue(json.isNull("metadata"));
        assertTrue(json.isNull("errorCode"));
        assertEquals(e, LogEntryJson.fromJson(json));
    }

    @Test
    void tsAsEpochMillis() {
        LogEntry e = LogEntryJson.fromJson(validWith("ts", "1700000000123"));
        assertEquals(Instant.ofEpochMilli(1700000000123L), e.ts());
    }

    @Test
    void tsWithOffsetIsConvertedToUtc() {
        LogEntry e = LogEntryJson.fromJson(validWith("ts", "\"2026-11-28T19:02:37.5+02:00\""));
        assertEquals(Instant.parse("2026-11-28T17:02:37.5Z"), e.ts());
    }

    @Test
    void tsMissingOrNullDefaultsToNow() {
        Instant before = Instant.now().minusSeconds(1);
        assertTrue(LogEntryJson.fromJson(validWith("ts", null)).ts().isAfter(before));
        assertTrue(LogEntryJson.fromJson(validWith("ts", "null")).ts().isAfter(before));
    }

    @Test
    void unknownFieldsAndInputSeqAreIgnored() {
        LogEntry e = LogEntryJson.fromJson(validWith("whatever", "[1]"));
        assertEquals("hi", e.message());
        assertEquals(0, LogEntryJson.fromJson(validWith("seq", "77")).seq());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "workflowId|\"not-a-uuid\"",
            "workflowId|\"11111111-2222-3333-4444-5555555555551\"",
            "workflowId|42",
            "workflowId|",
            "runId|\"1-1-1-1-1\"",
            "runId|",
            "nodeKey|7",
            "nodeKey|",
            "nodeKey|\"  \"",
            "ts|\"yesterday\"",
            "ts|\"2026-11-28T17:02:37\"",
            "ts|1.5",
            "ts|true",
            "ts|{}",
            "level|\"TRACE\"",
            "level|3",
            "level|",
            "message|42",
            "message|",
            "metadata|[1,2]",
            "metadata|\"{}\"",
            "metadata|5",
            "errorCode|{}",
            "traceId|1",
            "hierarchy|false",
    })
    void wrongTypeOrValueNamesTheField(String field, String raw) {
        InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class,
                () -> LogEntryJson.fromJson(validWith(field, raw)));
        assertEquals(field, e.field(), e.getMessage());
    }

    @Test
    void parseUuid() {
        UUID u = UUID.randomUUID();
        assertEquals(u, LogEntryJson.parseUuid("runId", u.toString()));
        assertEquals("runId", assertThrows(InvalidLogEntryException.class, () -> LogEntryJson.parseUuid("runId", "x")).field());
    }

    @Test
    void aRequestBodyMustBeOneJsonObject() {
        assertEquals("SUCCEEDED", LogEntryJson.bodyObject("{\"outcome\":\"SUCCEEDED\"}").getString("outcome"));
        for (String bad : new String[] {null, "", "  ", "[]", "42", "{", "[".repeat(5000) + "]".repeat(5000)}) {
            InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class, () -> LogEntryJson.bodyObject(bad), String.valueOf(bad));
            assertEquals("body", e.field());
            assertTrue(e.getMessage().contains("must be a JSON object"), e.getMessage());
        }
    }
}
