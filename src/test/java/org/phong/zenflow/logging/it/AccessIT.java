package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the API with no credentials (401 and a BASIC challenge), a wrong password (401),
 * each role that does not grant it (403, a problem document) and the role that does (2xx), on the real server with the
 * local basicRegistry. Health and (in the local profile) /metrics are open.
 */
class AccessIT {
    /** One endpoint: the role it needs and a request that succeeds with it. */
    private record Endpoint(String method, String path, String body, String role, int okStatus) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static final List<ItCredentials> SINGLE_ROLE_USERS = List.of(ItCredentials.WRITER, ItCredentials.READER, ItCredentials.ADMIN);

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    private static List<Endpoint> endpoints() {
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        String entry = "[{\"workflowId\":\"" + wf + "\",\"runId\":\"" + run + "\",\"nodeKey\":\"n\",\"level\":\"INFO\",\"message\":\"m\"}]";
        return List.of(
                new Endpoint("POST", "/api/v1/runs/" + run + "/start", "{\"workflowId\":\"" + wf + "\"}", "writer", 202),
                new Endpoint("POST", "/api/v1/logs", entry, "writer", 202),
                new Endpoint("POST", "/api/v1/runs/" + run + "/end", "{\"outcome\":\"SUCCEEDED\"}", "writer", 202),
                new Endpoint("GET", "/api/v1/runs/" + run + "/logs", null, "reader", 200),
                new Endpoint("GET", "/api/v1/admin/status", null, "admin", 200),
                new Endpoint("POST", "/api/v1/admin/simulate", "{\"runs\":1,\"entriesPerRun\":1,\"threads\":1}", "admin", 200));
    }

    private static HttpResponse<String> call(ItCredentials who, Endpoint e) throws Exception {
        return ItEnvironment.send(who, e.method(), e.path(), e.body() == null ? null : "application/json", e.body());
    }

    @Test
    void noCredentialsOrAWrongPasswordIs401WithABasicChallenge() throws Exception {
        for (Endpoint e : endpoints()) {
            for (ItCredentials who : List.of(ItCredentials.NONE, ItCredentials.WRONG_PASSWORD)) {
                HttpResponse<String> res = call(who, e);
                assertEquals(401, res.statusCode(), e + " with " + who + ": " + res.body());
                String challenge = res.headers().firstValue("WWW-Authenticate").orElse("");
                assertTrue(challenge.startsWith("Basic"), e + " challenge: '" + challenge + "'");
            }
        }
    }

    @Test
    void eachRoleReachesItsOwnEndpointsAndIsForbiddenTheOthers() throws Exception {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Endpoint e : endpoints()) {
            for (ItCredentials who : SINGLE_ROLE_USERS) {
                int expected = who.user().equals(e.role()) ? e.okStatus() : 403;
                HttpResponse<String> res = call(who, e);
                checked++;
                if (res.statusCode() != expected) failures.add(e + " as " + who + ": " + res.statusCode() + " (expected " + expected + ") " + res.body());
                else if (expected == 403 && ProblemBody.problemWith(res) != null) failures.add(e + " as " + who + ": " + ProblemBody.problemWith(res));
            }
            HttpResponse<String> all = call(ItCredentials.ALL_ROLES, e);
            if (all.statusCode() != e.okStatus()) failures.add(e + " as " + ItCredentials.ALL_ROLES + ": " + all.statusCode());
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(endpoints().size() * SINGLE_ROLE_USERS.size(), checked);
    }

    @Test
    void healthAndLocalMetricsNeedNoCredentials() throws Exception {
        for (String path : List.of("/health/ready", "/health/live", "/health/started", "/metrics")) {
            HttpResponse<String> res = ItEnvironment.send(ItCredentials.NONE, "GET", path, null, (String) null);
            assertEquals(200, res.statusCode(), path + ": " + res.body());
        }
    }
}
