package org.phong.zenflow.logging.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.JaxRsOperations;
import org.phong.zenflow.logging.testing.JaxRsOperations.Op;
import org.phong.zenflow.logging.testing.OpenApiAudit;

/**
 * The checker behind OpenApiIT: it finds the resources by reflection and it fails on each kind of
 * gap (so OpenApiIT passing means something).
 */
class OpenApiAuditTest {
    private static final List<Op> ONE = List.of(new Op("POST", "/api/v1/runs/{runId}/end", "RunResource.end"));

    @Test
    void reflectionFindsTheResourcesOperations() {
        List<Op> ops = JaxRsOperations.of(JaxRsOperations.classNamesIn(Path.of("target/classes")));
        List<String> names = ops.stream().map(o -> o.method() + " " + o.path()).toList();
        for (String expected : List.of("POST /api/v1/logs", "POST /api/v1/runs/{runId}/start", "POST /api/v1/runs/{runId}/end",
                "GET /api/v1/runs/{runId}/logs", "GET /api/v1/admin/status")) {
            assertTrue(names.contains(expected), expected + " not found in " + names);
        }
    }

    @Test
    void pathsAreWrittenAsOpenApiWritesThem() {
        assertEquals(List.of(new Op("GET", "/api/{id}/x", "R.x")),
                JaxRsOperations.of(List.of(App.class.getName(), R.class.getName())).stream()
                        .map(o -> new Op(o.method(), o.path(), "R.x")).toList());
    }

    @jakarta.ws.rs.ApplicationPath("/api/")
    static class App extends jakarta.ws.rs.core.Application {
    }

    @jakarta.ws.rs.Path("/{id: [0-9]+}/")
    public static class R {
        @jakarta.ws.rs.GET
        @jakarta.ws.rs.Path("x/")
        public String x() {
            return "";
        }
    }

    @Test
    void aFullyDocumentedOperationPasses() {
        assertEquals(List.of(), OpenApiAudit.problems(ONE, doc(COMPLETE)));
    }

    @Test
    void eachGapIsReported() {
        assertEquals(List.of("POST /api/v1/runs/{runId}/end: not in the document (RunResource.end)"),
                OpenApiAudit.problems(ONE, doc("{\"paths\":{}}")));
        assertProblem(COMPLETE.replace("\"summary\":\"End a run\",", ""), "no summary");
        assertProblem(COMPLETE.replace("\"description\":\"the run\",", ""), "parameter runId (path) has no description");
        assertProblem(COMPLETE.replace("\"example\":\"1f0e4a52-3f7c-4d0e-9a0b-2b1c3d4e5f60\"", "\"x\":1"), "parameter runId (path) has no example");
        assertProblem(COMPLETE.replace("\"examples\":{\"b\":{\"value\":\"{}\"}}", "\"x\":1"), "request body application/json has no example");
        assertProblem(COMPLETE.replace("\"400\"", "\"302\""), "no error (4xx/5xx) response documented");
        assertProblem(COMPLETE.replace("\"202\"", "\"302\""), "no success (2xx) response documented");
        assertProblem(COMPLETE.replace("\"examples\":{\"bad\":{\"value\":\"{}\"}}", "\"x\":1"), "response 400 application/problem+json has no example");
        assertProblem(COMPLETE.replace("\"security\":[{\"basicAuth\":[]}],", ""), "no security requirement naming a declared scheme");
        assertProblem(COMPLETE.replace("{\"basicAuth\":[]}", "{\"jwt\":[]}"), "no security requirement naming a declared scheme");
        assertProblem(COMPLETE.replace("application/problem+json", "application/json"),
                "error response 400 declares application/json, not application/problem+json");
    }

    @Test
    void refsToComponentsAreFollowed() {
        String withRef = COMPLETE.replace("\"400\":{\"description\":\"bad\",\"content\":{\"application/problem+json\":{\"examples\":{\"bad\":{\"value\":\"{}\"}}}}}",
                "\"400\":{\"$ref\":\"#/components/responses/Bad\"}")
                .replace("\"components\":{", "\"components\":{\"responses\":{\"Bad\":{\"description\":\"bad\"}},");
        assertEquals(List.of(), OpenApiAudit.problems(ONE, doc(withRef)));
        assertProblem(withRef.replace("{\"Bad\":{\"description\":\"bad\"}}", "{}"), "response 400 has no description");
    }

    private static final String COMPLETE = "{\"security\":[{\"basicAuth\":[]}],"
            + "\"components\":{\"securitySchemes\":{\"basicAuth\":{\"type\":\"http\",\"scheme\":\"basic\"}}},\"paths\":{\"/api/v1/runs/{runId}/end\":{\"post\":{"
            + "\"summary\":\"End a run\",\"description\":\"flushes\","
            + "\"parameters\":[{\"name\":\"runId\",\"in\":\"path\",\"description\":\"the run\",\"example\":\"1f0e4a52-3f7c-4d0e-9a0b-2b1c3d4e5f60\"}],"
            + "\"requestBody\":{\"description\":\"outcome\",\"content\":{\"application/json\":{\"examples\":{\"b\":{\"value\":\"{}\"}}}}},"
            + "\"responses\":{\"202\":{\"description\":\"ok\",\"content\":{\"application/json\":{\"example\":{}}}},"
            + "\"400\":{\"description\":\"bad\",\"content\":{\"application/problem+json\":{\"examples\":{\"bad\":{\"value\":\"{}\"}}}}}}}}}}";

    private static void assertProblem(String json, String expected) {
        List<String> problems = OpenApiAudit.problems(ONE, doc(json));
        assertEquals(List.of("POST /api/v1/runs/{runId}/end: " + expected), problems);
    }

    private static JsonObject doc(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }
}
