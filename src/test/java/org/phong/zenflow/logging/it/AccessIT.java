package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.annotation.security.RolesAllowed;
import java.lang.reflect.Method;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.JaxRsOperations;

/**
 * Every endpoint of the API, found by reflection over the JAX-RS resources compiled into the WAR
 * (not a hand-kept list: a new endpoint is checked the moment it exists, and fails here until it has
 * a sample request), with no credentials and a wrong password (401, a BASIC challenge, and a body
 * that leaks nothing of the resource), each single-role user the endpoint does not grant (403 with
 * a problem document naming the missing role) and the role it names in {@code @RolesAllowed}
 * (the endpoint's success status), on the real server with the local basicRegistry. Health and (in
 * the local profile) /metrics are open.
 */
class AccessIT {
    /** A request that succeeds with the right role, per operation ("METHOD /path" as JaxRsOperations spells it). */
    private record Sample(String body, int okStatus) {
    }

    private static final List<ItCredentials> SINGLE_ROLE_USERS = List.of(ItCredentials.WRITER, ItCredentials.READER, ItCredentials.ADMIN);

    /** Markers of an answer that leaks internals: stack traces and exception names. */
    private static final List<String> LEAKS = List.of("Exception", "\tat ", "at org.", "at com.ibm", "SRVE", "java.");

    /** One endpoint as the test calls it. */
    private record Endpoint(JaxRsOperations.Op op, String path, String body, String role, int okStatus) {
        @Override
        public String toString() {
            return op.method() + " " + path;
        }
    }

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    private static Map<String, Sample> samples(UUID wf, UUID run) {
        String entry = "[{\"workflowId\":\"" + wf + "\",\"runId\":\"" + run + "\",\"nodeKey\":\"n\",\"level\":\"INFO\",\"message\":\"m\"}]";
        return Map.ofEntries(
                Map.entry("POST /api/v1/runs/{runId}/start", new Sample("{\"workflowId\":\"" + wf + "\"}", 202)),
                Map.entry("POST /api/v1/logs", new Sample(entry, 202)),
                Map.entry("POST /api/v1/runs/{runId}/end", new Sample("{\"outcome\":\"SUCCEEDED\"}", 202)),
                Map.entry("GET /api/v1/runs/{runId}/logs", new Sample(null, 200)),
                Map.entry("GET /api/v1/runs/{runId}/nodes", new Sample(null, 200)),
                Map.entry("GET /api/v1/runs", new Sample(null, 200)),
                Map.entry("GET /api/v1/admin/status", new Sample(null, 200)),
                Map.entry("POST /api/v1/admin/simulate", new Sample("{\"runs\":1,\"entriesPerRun\":1,\"threads\":1}", 200)),
                Map.entry("POST /api/v1/admin/stream/load", new Sample("{\"runId\":\"" + run + "\",\"entries\":1}", 200)),
                Map.entry("GET /api/v1/admin/stream/status", new Sample(null, 200)),
                Map.entry("POST /api/v1/admin/stream/runs/{runId}/disconnect", new Sample("", 200)));
    }

    /** Every operation of the WAR's classes, each with its role and a sample request; fails for an operation without one. */
    private static List<Endpoint> endpoints() throws Exception {
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        Map<String, Sample> samples = samples(wf, run);
        List<JaxRsOperations.Op> ops = JaxRsOperations.of(JaxRsOperations.classNamesIn(Path.of("target/classes")));
        List<Endpoint> out = new ArrayList<>();
        List<String> unsampled = new ArrayList<>();
        for (JaxRsOperations.Op op : ops) {
            Sample s = samples.get(op.method() + " " + op.path());
            if (s == null) {
                unsampled.add(op.toString());
                continue;
            }
            out.add(new Endpoint(op, op.path().replace("{runId}", run.toString()), s.body(), role(op), s.okStatus()));
        }
        assertEquals(List.of(), unsampled, "operations found by reflection without a sample request in AccessIT");
        // a run's lifecycle order: start first, end last (each is called more than once)
        out.sort(java.util.Comparator.comparingInt(e -> e.path().endsWith("/start") ? 0 : e.path().endsWith("/end") ? 2 : 1));
        assertTrue(out.size() >= 6, "operations found: " + ops);
        return out;
    }

    /** The single role {@code @RolesAllowed} names for the operation (method first, then class). */
    private static String role(JaxRsOperations.Op op) throws Exception {
        String[] javaMethod = op.javaMethod().split("\\.");
        for (String cn : JaxRsOperations.classNamesIn(Path.of("target/classes"))) {
            if (!cn.endsWith("." + javaMethod[0])) continue;
            Class<?> c = Class.forName(cn, false, AccessIT.class.getClassLoader());
            for (Method m : c.getMethods()) {
                if (!m.getName().equals(javaMethod[1])) continue;
                RolesAllowed r = m.isAnnotationPresent(RolesAllowed.class) ? m.getAnnotation(RolesAllowed.class) : c.getAnnotation(RolesAllowed.class);
                if (r != null) {
                    assertEquals(1, r.value().length, op + " names one role");
                    return r.value()[0];
                }
            }
        }
        throw new AssertionError(op + " has no @RolesAllowed");
    }

    private static HttpResponse<String> call(ItCredentials who, Endpoint e) throws Exception {
        return ItEnvironment.send(who, e.op().method(), e.path(), e.body() == null ? null : "application/json", e.body());
    }

    @Test
    void noCredentialsOrAWrongPasswordIs401WithABasicChallengeAndNoData() throws Exception {
        int checked = 0;
        for (Endpoint e : endpoints()) {
            for (ItCredentials who : List.of(ItCredentials.NONE, ItCredentials.WRONG_PASSWORD)) {
                HttpResponse<String> res = call(who, e);
                assertEquals(401, res.statusCode(), e + " with " + who + ": " + res.body());
                String challenge = res.headers().firstValue("WWW-Authenticate").orElse("");
                assertTrue(challenge.startsWith("Basic"), e + " challenge: '" + challenge + "'");
                assertNoLeak(e, who, res);
                checked++;
            }
        }
        assertTrue(checked >= 12, "401 checks: " + checked);
    }

    @Test
    void eachRoleReachesItsOwnEndpointsAndIsForbiddenTheOthers() throws Exception {
        List<String> failures = new ArrayList<>();
        int forbidden = 0;
        for (Endpoint e : endpoints()) {
            for (ItCredentials who : SINGLE_ROLE_USERS) {
                HttpResponse<String> res = call(who, e);
                if (who.user().equals(e.role())) {
                    if (res.statusCode() != e.okStatus()) failures.add(e + " as " + who + ": " + res.statusCode() + " (expected " + e.okStatus() + ") " + res.body());
                    continue;
                }
                if (res.statusCode() != 403) {
                    failures.add(e + " as " + who + ": " + res.statusCode() + " (expected 403) " + res.body());
                    continue;
                }
                forbidden++;
                String type = res.headers().firstValue("Content-Type").orElse("");
                if (!type.toLowerCase(Locale.ROOT).contains("json")) failures.add(e + " as " + who + ": 403 body is not JSON but " + type);
                String problem = ProblemBody.problemWith(res);
                if (problem != null) failures.add(e + " as " + who + ": " + problem);
                if (!res.body().contains("role")) failures.add(e + " as " + who + ": 403 body does not say a role is missing: " + res.body());
                try {
                    assertNoLeak(e, who, res);
                } catch (AssertionError leak) {
                    failures.add(leak.getMessage());
                }
            }
            HttpResponse<String> all = call(ItCredentials.ALL_ROLES, e);
            if (all.statusCode() != e.okStatus()) failures.add(e + " as " + ItCredentials.ALL_ROLES + ": " + all.statusCode() + " " + all.body());
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        // each endpoint names one role of three, so two single-role users are forbidden per endpoint
        assertEquals(2 * endpoints().size(), forbidden, "403 answers");
    }

    /** A refused request's body carries no stack trace, no exception name and nothing the endpoint serves. */
    private static void assertNoLeak(Endpoint e, ItCredentials who, HttpResponse<String> res) {
        for (String leak : LEAKS) {
            assertFalse(res.body().contains(leak), e + " with " + who + ": the " + res.statusCode() + " body leaks '" + leak + "': " + res.body());
        }
        for (String data : List.of("\"runs\"", "\"entries\"", "\"admission\"", "\"sessions\"")) {
            assertFalse(res.body().contains(data), e + " with " + who + ": the " + res.statusCode() + " body carries " + data);
        }
    }

    @Test
    void healthAndLocalMetricsNeedNoCredentials() throws Exception {
        for (String path : List.of("/health/ready", "/health/live", "/health/started", "/metrics")) {
            HttpResponse<String> res = ItEnvironment.send(ItCredentials.NONE, "GET", path, null, (String) null);
            assertEquals(200, res.statusCode(), path + ": " + res.body());
        }
    }
}
