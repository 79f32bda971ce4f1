package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.JaxRsOperations;
import org.phong.zenflow.logging.testing.OpenApiAudit;

/**
 * The OpenAPI document served at {@code /openapi} covers every JAX-RS operation packaged in the WAR
 * (found by reflection, so an endpoint added without documentation fails here), each with a summary,
 * described parameters, a described body, success and error responses with examples
 * ({@link OpenApiAudit}); and {@code /openapi/ui} serves the UI.
 */
class OpenApiIT {

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    void everyOperationInTheWarIsDocumented() throws Exception {
        Path war = Path.of(System.getProperty("it.war.file", "target/zenflow-logging.war"));
        List<JaxRsOperations.Op> ops = JaxRsOperations.of(JaxRsOperations.classNamesInWar(war));
        assertTrue(ops.size() >= 6, "reflection found too few operations: " + ops);
        JsonObject doc = ItEnvironment.getJson("/openapi?format=JSON");
        assertTrue(doc.getString("openapi").startsWith("3."), doc.getString("openapi"));
        List<String> problems = OpenApiAudit.problems(ops, doc);
        assertEquals(List.of(), problems, "operations missing from or undocumented in /openapi");
        System.out.println("[OpenApiIT] " + ops.size() + " operations, all documented: " + ops);
    }

    @Test
    void theDocumentNamesTheSchemasItRefersTo() throws Exception {
        JsonObject schemas = ItEnvironment.getJson("/openapi?format=JSON").getJsonObject("components").getJsonObject("schemas");
        for (String name : List.of("LogEntryIn", "LogEntriesIn", "LogEntry", "Problem", "IngestResult", "HistoryPage", "Status")) {
            assertTrue(schemas.containsKey(name), "components.schemas." + name + " missing: " + schemas.keySet());
        }
    }

    @Test
    void theUiIsServed() throws Exception {
        HttpResponse<String> res = ItEnvironment.get("/openapi/ui/");
        assertEquals(200, res.statusCode(), "/openapi/ui/ answered " + res.statusCode());
        assertTrue(res.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), res.headers().map().toString());
        assertTrue(res.body().toLowerCase(java.util.Locale.ROOT).contains("swagger"), "not the Swagger UI page: " + res.body());
        HttpResponse<String> bare = ItEnvironment.get("/openapi/ui");
        assertTrue(bare.statusCode() == 200 || bare.statusCode() / 100 == 3, "/openapi/ui answered " + bare.statusCode());
    }

    /**
     * A real browser renders the UI and it lists every operation: Swagger UI writes one
     * {@code opblock} per operation with its method and {@code data-path}.
     */
    @Test
    void theUiRendersEveryOperationInABrowser() throws Exception {
        Assumptions.assumeTrue(java.nio.file.Files.isExecutable(ItEnvironment.chromium()),
                "no Chromium at " + ItEnvironment.chromium() + " (apt-get install chromium, or -Dit.chromium=...)");
        String dom = ItEnvironment.browserDom("/openapi/ui/");
        Set<String> shown = new TreeSet<>();
        Matcher m = OPBLOCK.matcher(dom);
        while (m.find()) shown.add(m.group(1) + " " + m.group(2));
        Set<String> expected = new TreeSet<>();
        Path war = Path.of(System.getProperty("it.war.file", "target/zenflow-logging.war"));
        for (JaxRsOperations.Op op : JaxRsOperations.of(JaxRsOperations.classNamesInWar(war))) expected.add(op.method() + " " + op.path());
        assertEquals(expected, shown, "operations the rendered /openapi/ui shows");
    }

    /** One rendered operation's summary line: its method, then (in the same line) its data-path. */
    private static final Pattern OPBLOCK = Pattern.compile(
            "opblock-summary-method\">([A-Z]+)</span>.{0,400}?data-path=\"([^\"]+)\"", Pattern.DOTALL);
}
