package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bounds the IT server can show at its default sizes: each is a 4xx naming what to change, and the
 * server stays ready. (Caps too large to reach cheaply here, active runs, durability waits, long-polls
 * and sessions, are unit-tested through {@code security.ConcurrencyLimitTest} and their keys documented
 * in docs/security.md.)
 */
class BoundsIT {
    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    void runEventBodiesAreBounded() throws Exception {
        String run = UUID.randomUUID().toString();
        String big = "{\"workflowId\":\"" + UUID.randomUUID() + "\",\"pad\":\"" + "x".repeat(70_000) + "\"}";
        for (String path : new String[] {"/api/v1/runs/" + run + "/start", "/api/v1/runs/" + run + "/end"}) {
            HttpResponse<String> res = ItEnvironment.post(path, big);
            assertEquals(413, res.statusCode(), path + ": " + res.body());
            assertTrue(res.body().contains("zenflow.logging.http.max-event-body-bytes"), res.body());
        }
        ItEnvironment.awaitReady();
    }

    @Test
    void theDisconnectAidIsNotACrossSiteFormPost() throws Exception {
        String run = UUID.randomUUID().toString();
        HttpResponse<String> form = ItEnvironment.send(ItCredentials.ADMIN, "POST", "/api/v1/admin/stream/runs/" + run + "/disconnect",
                "application/x-www-form-urlencoded", "");
        assertEquals(415, form.statusCode(), form.body());
        HttpResponse<String> json = ItEnvironment.send(ItCredentials.ADMIN, "POST", "/api/v1/admin/stream/runs/" + run + "/disconnect",
                "application/json", "");
        assertEquals(200, json.statusCode(), json.body());
    }

    @Test
    void theStreamLoadAidIsBounded() throws Exception {
        String run = UUID.randomUUID().toString();
        String[][] cases = {
                {"{\"runId\":\"" + run + "\",\"entries\":2147483648}", "entries"},
                {"{\"runId\":\"" + run + "\",\"entries\":1000001}", "entries"},
                {"{\"runId\":\"" + run + "\",\"entries\":\"many\"}", "entries"},
                {"{\"runId\":\"" + run + "\",\"entries\":1000,\"ratePerSecond\":1}", "ratePerSecond"},
        };
        for (String[] c : cases) {
            HttpResponse<String> res = ItEnvironment.post("/api/v1/admin/stream/load", c[0]);
            assertEquals(400, res.statusCode(), c[0] + " -> " + res.body());
            assertTrue(res.body().contains(c[1]), res.body());
        }
    }
}
