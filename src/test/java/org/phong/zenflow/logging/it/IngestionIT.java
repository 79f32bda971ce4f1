package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP API's contract for good and bad input, on the real server. */
class IngestionIT {

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    void ndjsonIsAcceptedAndReadBackInSeqOrderWithFilters() throws Exception {
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        ItEnvironment.startRun(wf, run);
        StringBuilder nd = new StringBuilder();
        String[] levels = {"DEBUG", "INFO", "WARN", "ERROR"};
        for (int i = 0; i < 40; i++) {
            nd.append(Json.createObjectBuilder().add("workflowId", wf.toString()).add("runId", run.toString())
                    .add("nodeKey", i % 2 == 0 ? "even" : "odd").add("level", levels[i % 4])
                    .add("message", "line " + i).add("ts", 1_700_000_000_000L + i).build()).append('\n');
        }
        HttpResponse<String> res = send("POST", "/api/v1/logs", "application/x-ndjson", nd.toString());
        assertEquals(202, res.statusCode(), res.body());
        assertEquals(40, json(res.body()).getInt("accepted"));
        ItEnvironment.postJson("/api/v1/runs/" + run + "/end", "{\"outcome\":\"SUCCEEDED\"}", 202);
        StoredLogs.awaitPersisted(List.of(run), 40);

        JsonObject warnAndUp = ItEnvironment.getJson("/api/v1/runs/" + run + "/logs?minLevel=warn&limit=1000");
        assertEquals(20, warnAndUp.getJsonArray("entries").size());
        JsonObject evenErrors = ItEnvironment.getJson("/api/v1/runs/" + run + "/logs?minLevel=ERROR&nodeKey=odd");
        assertEquals(10, evenErrors.getJsonArray("entries").size());
        JsonObject first = ItEnvironment.getJson("/api/v1/runs/" + run + "/logs?limit=1").getJsonArray("entries").getJsonObject(0);
        assertEquals(1, first.getInt("seq"));
        assertEquals("2023-11-14T22:13:20Z", first.getString("ts"), "epoch millis input, ISO-8601 output");
    }

    @Test
    void aBadEntryIsNamedByIndexAndFieldAndNothingOfTheRequestIsAccepted() throws Exception {
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        StringBuilder arr = new StringBuilder("[");
        for (int i = 0; i < 5; i++) {
            if (i > 0) arr.append(',');
            String level = i == 3 ? "LOUD" : "INFO";
            arr.append("{\"workflowId\":\"").append(wf).append("\",\"runId\":\"").append(run)
                    .append("\",\"nodeKey\":\"n\",\"level\":\"").append(level).append("\",\"message\":\"m\"}");
        }
        arr.append(']');
        HttpResponse<String> res = send("POST", "/api/v1/logs", "application/json", arr.toString());
        assertEquals(400, res.statusCode(), res.body());
        JsonObject err = ProblemBody.of(res);
        assertEquals(3, err.getInt("index"));
        assertEquals("level", err.getString("field"));
        assertEquals("Bad Request", err.getString("title"));
        assertTrue(err.getString("detail").contains("LOUD"), err.toString());
        // Not a sleep: wait until the server holds nothing undelivered, so a leaked entry would be in the table now.
        ItEnvironment.awaitDrained(Duration.ofSeconds(120));
        assertEquals(0, StoredLogs.countRows(List.of(run)), "nothing of a rejected request is written");

        assertBad("POST", "/api/v1/logs", "application/json", "[{}]", "workflowId");
        assertBad("POST", "/api/v1/logs", "application/json", "[{\"runId\":\"not-a-uuid\"}]", "runId");
        assertBad("POST", "/api/v1/logs", "application/json",
                "[{\"workflowId\":\"" + wf + "\",\"runId\":\"nope\",\"nodeKey\":\"n\",\"level\":\"INFO\",\"message\":\"m\"}]", "runId");
        assertBad("POST", "/api/v1/logs", "application/json",
                "[{\"workflowId\":\"" + wf + "\",\"runId\":\"" + run + "\",\"nodeKey\":\"n\",\"level\":\"INFO\",\"message\":\"m\",\"metadata\":[1]}]", "metadata");
        assertBad("POST", "/api/v1/logs", "application/json", "{not json", "body");
        assertBad("GET", "/api/v1/runs/" + run + "/logs?limit=0", null, null, "limit");
        assertBad("GET", "/api/v1/runs/" + run + "/logs?afterSeq=-1", null, null, "afterSeq");
        assertBad("GET", "/api/v1/runs/" + run + "/logs?minLevel=TRACE", null, null, "minLevel");
        assertBad("GET", "/api/v1/runs/xyz/logs", null, null, "runId");
        assertBad("POST", "/api/v1/runs/" + run + "/end", "application/json", "{\"outcome\":\"WON\"}", "outcome");
        assertBad("POST", "/api/v1/runs/" + run + "/start", "application/json", "{}", "workflowId");
        // Echoed input is cut: a 5,000-character value is not sent back whole (ProblemBody checks the length).
        assertBad("POST", "/api/v1/runs/" + run + "/end", "application/json", "{\"outcome\":\"" + "W".repeat(5000) + "\"}", "outcome");
    }

    @Test
    void anOversizedBodyIs413AndAnUnknownRunHasNoEntries() throws Exception {
        String oneMiB = "{\"message\":\"" + "x".repeat(1024 * 1024) + "\"},";
        String huge = "[" + oneMiB.repeat(11) + "{}]"; // 11 MiB > max-body-bytes (10 MiB)
        HttpResponse<String> res = send("POST", "/api/v1/logs", "application/json", huge);
        assertEquals(413, res.statusCode(), res.body());
        ProblemBody.of(res);

        JsonObject none = ItEnvironment.getJson("/api/v1/runs/" + UUID.randomUUID() + "/logs");
        assertEquals(0, none.getJsonArray("entries").size());
        assertEquals(0, none.getInt("nextAfterSeq"));
    }

    private static void assertBad(String method, String path, String type, String body, String field) throws Exception {
        HttpResponse<String> res = send(method, path, type, body);
        assertEquals(400, res.statusCode(), method + " " + path + " -> " + res.body());
        JsonObject err = ProblemBody.of(res);
        if (field == null) assertTrue(err.isNull("field"), res.body());
        else assertEquals(field, err.getString("field"), res.body());
    }

    private static HttpResponse<String> send(String method, String path, String type, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(ItEnvironment.uri(path)).timeout(Duration.ofSeconds(60));
        if (type != null) b.header("Content-Type", type);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return ItEnvironment.httpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }
}
