package org.phong.zenflow.logging.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.JsonSchemas;

/**
 * The schemas in {@code docs/schemas} are valid JSON Schema 2020-12, and {@code log-entry.schema.json}
 * accepts what {@link LogEntryJson} writes and rejects what it never writes (so the schema, and the
 * validator behind {@link JsonSchemas}, can fail). The IT side: {@code it/LogEntrySchemaIT}.
 */
class JsonSchemasTest {
    private static final String ENTRY = "log-entry.schema.json";

    static Stream<String> schemaFiles() throws IOException {
        try (Stream<Path> files = Files.list(JsonSchemas.dir())) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".schema.json")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("schemaFiles")
    void everySchemaFileIsAValidSchema(String file) {
        assertEquals(List.of(), JsonSchemas.metaSchemaProblems(file), file);
        JsonSchemas.schema(file); // every $ref resolves
    }

    @Test
    void theMetaSchemaCheckCanFail() throws IOException {
        Path dir = Files.createTempDirectory("schemas");
        Files.writeString(dir.resolve("broken.schema.json"), "{\"type\":\"strng\",\"minimum\":\"one\"}");
        String old = System.getProperty("zenflow.schemas.dir");
        System.setProperty("zenflow.schemas.dir", dir.toString());
        try {
            assertFalse(JsonSchemas.metaSchemaProblems("broken.schema.json").isEmpty());
        } finally {
            if (old == null) System.clearProperty("zenflow.schemas.dir");
            else System.setProperty("zenflow.schemas.dir", old);
        }
    }

    static Stream<LogEntry> writtenEntries() {
        return Stream.of(
                Entries.valid().build().withSeq(1),
                Entries.valid().level(LogLevel.ERROR).errorCode("E42").traceId("4bf92f3577b34da6").hierarchy("root/a[3]/b")
                        .metadata("{\"n\":1,\"nested\":{\"x\":[1,2]}}").message("").build().withSeq(Long.MAX_VALUE),
                Entries.valid().ts(Instant.parse("0001-01-01T00:00:00Z")).message("nul\u0000inside").build().withSeq(7),
                Entries.valid().ts(Instant.parse("2026-01-02T03:04:05.123456789Z")).errorCode("  ").build().withSeq(2),
                Entries.valid().ts(Instant.parse("2026-01-02T03:04:05.120Z")).build().withSeq(3));
    }

    @ParameterizedTest
    @MethodSource("writtenEntries")
    void everyEntryTheCodecWritesIsValid(LogEntry e) {
        JsonSchemas.assertValid(ENTRY, LogEntryJson.toJson(e).toString());
    }

    static Stream<Arguments> brokenEntries() {
        JsonObject good = LogEntryJson.toJson(Entries.valid().build().withSeq(1));
        return Stream.of(
                Arguments.of("no seq", Json.createObjectBuilder(good).remove("seq").build(), ""),
                Arguments.of("seq 0", Json.createObjectBuilder(good).add("seq", 0).build(), "/seq"),
                Arguments.of("unknown level", Json.createObjectBuilder(good).add("level", "TRACE").build(), "/level"),
                Arguments.of("runId no UUID", Json.createObjectBuilder(good).add("runId", "run-1").build(), "/runId"),
                Arguments.of("ts with an offset", Json.createObjectBuilder(good).add("ts", "2026-11-28T18:02:37+01:00").build(), "/ts"),
                Arguments.of("ts no date", Json.createObjectBuilder(good).add("ts", "yesterday").build(), "/ts"),
                Arguments.of("metadata an array", Json.createObjectBuilder(good).add("metadata", Json.createArrayBuilder().add(1)).build(), "/metadata"),
                Arguments.of("blank nodeKey", Json.createObjectBuilder(good).add("nodeKey", " ").build(), "/nodeKey"),
                Arguments.of("blank errorCode", Json.createObjectBuilder(good).add("errorCode", "").build(), "/errorCode"),
                Arguments.of("optional field left out", Json.createObjectBuilder(good).remove("traceId").build(), ""),
                Arguments.of("unknown field", Json.createObjectBuilder(good).add("extra", 1).build(), ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenEntries")
    void whatTheCodecNeverWritesIsRejectedAtItsLocation(String what, JsonObject doc, String location) {
        List<String> problems = JsonSchemas.problems(ENTRY, doc.toString());
        assertFalse(problems.isEmpty(), what + " passed");
        assertTrue(problems.stream().anyMatch(p -> p.startsWith(location + ":")), what + ": " + problems);
    }

    @Test
    void everyLiveTailFrameTheServerWritesMatchesItsSchema() {
        List<org.phong.zenflow.logging.stream.EncodedEntry> entries = writtenEntries()
                .map(org.phong.zenflow.logging.stream.EncodedEntry::new).toList();
        var logs = new org.phong.zenflow.logging.stream.Frame.Logs(entries);
        JsonSchemas.assertValid("ws-logs.schema.json", logs.text());
        JsonSchemas.assertValid("ws-hello.schema.json", new org.phong.zenflow.logging.stream.Frame.Hello(
                org.phong.zenflow.logging.stream.Frame.PROTOCOL).text());
        JsonSchemas.assertValid("ws-caught-up.schema.json", new org.phong.zenflow.logging.stream.Frame.CaughtUp(7).text());
        JsonSchemas.assertValid("ws-run-ended.schema.json", new org.phong.zenflow.logging.stream.Frame.RunEnded(7,
                org.phong.zenflow.logging.api.RunOutcome.FAILED).text());
        assertFalse(JsonSchemas.problems("ws-logs.schema.json", "{\"type\":\"logs\",\"first\":1,\"last\":1,\"entries\":[]}").isEmpty(),
                "a logs frame without entries is refused");
        assertFalse(JsonSchemas.problems("ws-hello.schema.json", "{\"type\":\"hello\",\"protocol\":1}").isEmpty(),
                "another protocol version is refused");
    }
}
