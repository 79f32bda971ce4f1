package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/runs} on the real server: the list reads the shared {@code runs} table, whose
 * counts equal the rows stored in PostgreSQL, whose end lands even when no row follows it, paged by
 * cursor and filtered by workflow and state.
 */
class RunsIT {
    /** How long a test waits for the runs list to show what it expects, and how often it asks. */
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(100);

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    void aRunsCountsEqualItsStoredRowsAndItsEndLands() throws Exception {
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        ItEnvironment.startRun(wf, run);
        postEntries(wf, run, 0, 60);
        JsonObject active = awaitRun("active", wf, run, r -> r.getInt("entries") == 60);
        assertTrue(active.isNull("end"), active.toString());
        assertEquals(15, active.getInt("errors"));
        assertEquals(15, active.getInt("warnings"));
        assertEquals(60, active.getInt("lastSeq"));
        assertFalse(active.getString("owner").isBlank());

        postEntries(wf, run, 60, 100);
        ItEnvironment.postJson("/api/v1/runs/" + run + "/end", "{\"outcome\":\"FAILED\"}", 202);
        JsonObject ended = awaitRun("recent", wf, run, r -> r.getInt("entries") == 100 && !r.isNull("end"));
        assertEquals("FAILED", ended.getString("outcome"));
        assertEquals(storedRows(run), ended.getInt("entries"), "counts are the stored rows");
        assertEquals(25, ended.getInt("errors"));
        assertEquals(100, ended.getInt("lastSeq"));
        assertTrue(Instant.parse(ended.getString("start")).isBefore(Instant.parse(ended.getString("end"))));
        assertNotNull(find(list("ended", wf, null, null), run));
        assertEquals(null, find(list("active", wf, null, null), run));
    }

    @Test
    void anEndWithoutAnyEntryStillLands() throws Exception {
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        ItEnvironment.startRun(wf, run);
        ItEnvironment.postJson("/api/v1/runs/" + run + "/end", "{\"outcome\":\"CANCELLED\"}", 202);
        JsonObject r = awaitRun("ended", wf, run, o -> !o.isNull("end"));
        assertEquals("CANCELLED", r.getString("outcome"));
        assertEquals(0, r.getInt("entries"));
        assertEquals(0, storedRows(run));
    }

    @Test
    void pagesByCursorNewestStartFirstWithoutRepeats() throws Exception {
        UUID wf = UUID.randomUUID();
        List<UUID> runs = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            UUID run = UUID.randomUUID();
            runs.add(run);
            ItEnvironment.startRun(wf, run);
        }
        awaitTrue(() -> list("all", wf, null, null).getJsonArray("runs").size() == 7, "7 runs listed");
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonObject page = list("all", wf, "3", cursor);
            assertTrue(page.getJsonArray("runs").size() <= 3);
            for (JsonValue v : page.getJsonArray("runs")) seen.add(v.asJsonObject().getString("runId"));
            cursor = page.isNull("nextCursor") ? null : page.getString("nextCursor");
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(3, pages);
        assertEquals(7, new HashSet<>(seen).size(), seen.toString());
        Set<String> expected = new HashSet<>();
        for (UUID r : runs) expected.add(r.toString());
        assertEquals(expected, new HashSet<>(seen));
        JsonObject all = list("all", wf, null, null);
        String prev = null;
        for (JsonValue v : all.getJsonArray("runs")) {
            String start = v.asJsonObject().getString("start");
            if (prev != null) assertFalse(Instant.parse(start).isAfter(Instant.parse(prev)), "newest start first");
            prev = start;
        }
    }

    @Test
    void badParametersAreRefusedNamingThem() throws Exception {
        assertBad("/api/v1/runs?state=sleeping", "state");
        assertBad("/api/v1/runs?limit=0", "limit");
        assertBad("/api/v1/runs?limit=100000000", "limit");
        assertBad("/api/v1/runs?limit=ten", "limit");
        assertBad("/api/v1/runs?cursor=garbage", "cursor");
        assertBad("/api/v1/runs?workflowId=not-a-uuid", "workflowId");
        JsonObject empty = list("all", UUID.randomUUID(), null, null);
        assertEquals(0, empty.getJsonArray("runs").size());
        assertTrue(empty.isNull("nextCursor"));
        assertEquals("active", ItEnvironment.getJson("/api/v1/runs").getString("state"), "active by default");
    }

    @Test
    void retentionAndRunEventGaugesAreExported() throws Exception {
        HttpResponse<String> m = ItEnvironment.get("/metrics?scope=application");
        assertEquals(200, m.statusCode());
        for (String g : List.of("zenflow_logging_retention_partitions_dropped", "zenflow_logging_retention_passes",
                "zenflow_logging_retention_skipped", "zenflow_logging_retention_failures", "zenflow_logging_retention_rows_deleted",
                "zenflow_logging_retention_runs_deleted", "zenflow_logging_runs_events_pending", "zenflow_logging_runs_events_written")) {
            assertTrue(m.body().lines().anyMatch(l -> l.startsWith(g + "{")), g + " in " + m.body().length() + " chars of metrics");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void postEntries(UUID wf, UUID run, int from, int to) throws Exception {
        StringBuilder nd = new StringBuilder();
        String[] levels = {"DEBUG", "INFO", "WARN", "ERROR"};
        for (int i = from; i < to; i++) {
            nd.append(Json.createObjectBuilder().add("workflowId", wf.toString()).add("runId", run.toString())
                    .add("nodeKey", "n").add("level", levels[i % 4]).add("message", "line " + i).build()).append('\n');
        }
        HttpResponse<String> res = ItEnvironment.send(ItCredentials.ALL_ROLES, "POST", "/api/v1/logs", "application/x-ndjson",
                nd.toString());
        assertEquals(202, res.statusCode(), res.body());
    }

    private static JsonObject list(String state, UUID wf, String limit, String cursor) throws Exception {
        StringBuilder q = new StringBuilder("/api/v1/runs?state=").append(state).append("&workflowId=").append(wf);
        if (limit != null) q.append("&limit=").append(limit);
        if (cursor != null) q.append("&cursor=").append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        return ItEnvironment.getJson(q.toString());
    }

    private static JsonObject find(JsonObject list, UUID run) {
        for (JsonValue v : list.getJsonArray("runs")) {
            JsonObject o = v.asJsonObject();
            if (o.getString("runId").equals(run.toString())) return o;
        }
        return null;
    }

    interface RunCheck {
        boolean ok(JsonObject run);
    }

    private static JsonObject awaitRun(String state, UUID wf, UUID run, RunCheck check) throws Exception {
        // a timeout names the run as last seen (null: not listed in that state)
        return await("run " + run + " in state " + state + " as expected").atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(POLL)
                .until(() -> find(list(state, wf, null, null), run), r -> r != null && check.ok(r));
    }

    private static long storedRows(UUID run) throws Exception {
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM logs WHERE run_id = ?")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void assertBad(String path, String field) throws Exception {
        HttpResponse<String> res = ItEnvironment.get(path);
        assertEquals(400, res.statusCode(), path + " -> " + res.body());
        assertEquals(field, Json.createReader(new StringReader(res.body())).readObject().getString("field"), res.body());
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(Check c, String what) {
        await(what).atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(POLL).until(c::ok);
    }
}
