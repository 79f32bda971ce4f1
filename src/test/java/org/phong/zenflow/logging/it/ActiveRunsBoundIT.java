package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The cap on active runs ({@code zenflow.logging.limits.max-active-runs}) on the real server: it is
 * restarted with a cap just above what it holds, fresh runs are opened over HTTP until the cap, and
 * then a start and an entry of one more fresh run are refused whole (429 naming the key, Retry-After,
 * nothing of the request routed), while entries of the runs already active still pass; ending a run
 * frees its place. The server is restarted with its own settings afterwards (the other ITs run far
 * above the cap, see it.env).
 */
class ActiveRunsBoundIT {
    private static final int ROOM = 20;

    @Test
    void freshRunsBeyondTheCapAreRefusedWholeAndActiveRunsKeepGoing() throws Exception {
        try {
            // The runs the earlier ITs left open (up to cleanup-idle-after-ms) are gone with the restart.
            JournalFullIT.restartServer("-Dzenflow.logging.limits.max-active-runs=" + ROOM);
            int active = ItEnvironment.getJson("/api/v1/admin/status").getInt("activeRuns");
            assertTrue(active < ROOM, "a restarted server holds few runs: " + active);
            UUID workflow = UUID.randomUUID();
            List<UUID> opened = new ArrayList<>();
            for (int i = active; i < ROOM; i++) {
                UUID run = UUID.randomUUID();
                ItEnvironment.startRun(workflow, run);
                opened.add(run);
            }
            assertEquals(ROOM, ItEnvironment.getJson("/api/v1/admin/status").getInt("activeRuns"));

            UUID fresh = UUID.randomUUID();
            assertRefused(ItEnvironment.post("/api/v1/runs/" + fresh + "/start", "{\"workflowId\":\"" + workflow + "\"}"));
            assertRefused(ItEnvironment.post("/api/v1/logs", entry(workflow, fresh, "refused")));
            // A request mixing an active run and a fresh one is refused whole: nothing of it is routed.
            assertRefused(ItEnvironment.post("/api/v1/logs", "[" + entry(workflow, opened.get(0), "mixed") + ","
                    + entry(workflow, fresh, "mixed") + "]"));
            // Entries of runs already active pass the cap.
            assertEquals(202, ItEnvironment.post("/api/v1/logs", entry(workflow, opened.get(0), "passes")).statusCode());

            // Ending a run frees its place once its buffer is released.
            ItEnvironment.postJson("/api/v1/runs/" + opened.get(1) + "/end", "{\"outcome\":\"SUCCEEDED\"}", 202);
            org.awaitility.Awaitility.await("the ended run's place is free").atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> ItEnvironment.getJson("/api/v1/admin/status").getInt("activeRuns") < ROOM);
            assertEquals(202, ItEnvironment.post("/api/v1/runs/" + fresh + "/start", "{\"workflowId\":\"" + workflow + "\"}").statusCode());

            ItEnvironment.awaitDrained(java.time.Duration.ofSeconds(120));
            assertEquals(1, StoredLogs.countRows(List.of(opened.get(0))), "only the entry that passed is stored for that run");
            assertEquals(0, StoredLogs.countRows(List.of(fresh)), "nothing of the refused requests is stored");
            System.out.printf("[ActiveRunsBoundIT] cap %d: %d runs opened, the next fresh run refused 429 (start, entry, mixed request),"
                    + " entries of an active run accepted, a place freed by an end%n", ROOM, opened.size());
        } finally {
            JournalFullIT.restartServer(null);
        }
    }

    private static void assertRefused(HttpResponse<String> res) {
        assertEquals(429, res.statusCode(), res.body());
        JsonObject p = ProblemBody.of(res);
        assertEquals("runId", p.getString("field"), res.body());
        assertTrue(p.getString("detail").contains("zenflow.logging.limits.max-active-runs"), "names the key: " + res.body());
        assertTrue(res.headers().firstValue("Retry-After").isPresent(), "Retry-After");
    }

    private static String entry(UUID workflow, UUID run, String message) {
        return "{\"workflowId\":\"" + workflow + "\",\"runId\":\"" + run + "\",\"nodeKey\":\"n\",\"level\":\"INFO\",\"message\":\""
                + message + "\"}";
    }
}
