package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.JsonSchemas;

/**
 * Real entries, written by the server to PostgreSQL and read back over {@code GET
 * /api/v1/runs/{runId}/logs}, are valid against {@code docs/schemas/log-entry.schema.json} and
 * against the {@code LogEntry} schema of the served OpenAPI document: both descriptions say what
 * the server really writes.
 */
class LogEntrySchemaIT {

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    void storedEntriesMatchTheSchemas() throws Exception {
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        ItEnvironment.startRun(wf, run);
        // Every shape the input allows: optional fields absent, null, blank; epoch and offset timestamps;
        // nanoseconds (truncated); NUL (replaced); nested metadata; empty message.
        JsonArrayBuilder in = Json.createArrayBuilder()
                .add(base(wf, run, "DEBUG").add("message", "minimal"))
                .add(base(wf, run, "info").add("message", "").add("ts", 1_700_000_000_000L).addNull("errorCode")
                        .addNull("metadata").addNull("traceId").addNull("hierarchy"))
                .add(base(wf, run, "WARN").add("message", "nul\u0000inside").add("ts", "2026-11-28T18:02:37.123456789+01:00")
                        .add("errorCode", " ").add("traceId", "").add("hierarchy", "root/loop[3]/http"))
                .add(base(wf, run, "ERROR").add("message", "failed").add("ts", java.time.Instant.now().minus(java.time.Duration.ofDays(3000)).toString()).add("errorCode", "E42")
                        .add("metadata", Json.createObjectBuilder().add("n", 1).add("nested", Json.createArrayBuilder().add(1).add("x")))
                        .add("traceId", "4bf92f3577b34da6").add("seq", 99));
        ItEnvironment.postJson("/api/v1/logs", in.build().toString(), 202);
        ItEnvironment.postJson("/api/v1/runs/" + run + "/end", "{\"outcome\":\"FAILED\"}", 202);
        StoredLogs.awaitPersisted(List.of(run), 4);

        JsonArray entries = ItEnvironment.getJson("/api/v1/runs/" + run + "/logs?limit=10").getJsonArray("entries");
        assertEquals(4, entries.size(), entries.toString());
        JsonObject component = ItEnvironment.getJson("/openapi?format=JSON").getJsonObject("components")
                .getJsonObject("schemas").getJsonObject("LogEntry");
        String openApiSchema = Json.createObjectBuilder(component)
                .add("$schema", "https://json-schema.org/draft/2020-12/schema").build().toString();
        for (JsonValue e : entries) {
            JsonSchemas.assertValid("log-entry.schema.json", e.toString());
            assertEquals(List.of(), JsonSchemas.problemsAgainstSchemaText(openApiSchema, e.toString()),
                    "the OpenAPI LogEntry schema rejects " + e);
        }
    }

    private static jakarta.json.JsonObjectBuilder base(UUID wf, UUID run, String level) {
        return Json.createObjectBuilder().add("workflowId", wf.toString()).add("runId", run.toString())
                .add("nodeKey", "node-" + level.toLowerCase(java.util.Locale.ROOT)).add("level", level);
    }
}
