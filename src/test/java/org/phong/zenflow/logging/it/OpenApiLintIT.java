package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document the server serves at {@code /openapi} passes a standard linter: Redocly CLI
 * ({@code @redocly/cli}, pinned in package.json, installed by {@code npm ci}) with its
 * {@code recommended} rule set, without a single error or warning. Among others that means a
 * security scheme that covers every operation, a server entry, a license, and examples that are valid
 * for their media type and schema. The document is linted as served (annotations and
 * {@code META-INF/openapi.yaml} merged by the server), written to {@code target/openapi/openapi.yaml}
 * for a look by hand.
 */
class OpenApiLintIT {
    private static final Path CLI = Path.of("node_modules/@redocly/cli/bin/cli.js");

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    void theServedDocumentPassesRedoclysRecommendedRules() throws Exception {
        assertTrue(Files.isRegularFile(CLI), CLI + " missing: run npm ci (see .ci/run)");
        HttpResponse<String> res = ItEnvironment.get("/openapi");
        assertEquals(200, res.statusCode(), res.body());
        Path doc = Path.of("target/openapi/openapi.yaml");
        Files.createDirectories(doc.getParent());
        Files.writeString(doc, res.body(), StandardCharsets.UTF_8);

        ProcessBuilder pb = new ProcessBuilder("node", CLI.toString(), "lint", "--extends=recommended", "--format=json", doc.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("REDOCLY_TELEMETRY", "off");             // no report to Redocly's servers
        pb.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true"); // no version check
        pb.environment().put("NO_COLOR", "1");
        Process p = pb.start();
        String out = readAll(p.getInputStream());
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("redocly lint did not finish in 2 minutes");
        }
        JsonObject report = ItEnvironment.parse(out.substring(out.indexOf('{')));
        JsonObject totals = report.getJsonObject("totals");
        System.out.println("[OpenApiLintIT] redocly lint --extends=recommended: " + totals);
        assertEquals(0, totals.getInt("errors") + totals.getInt("warnings"),
                "Redocly's recommended rules found problems in /openapi (saved as " + doc + "): " + report.getJsonArray("problems"));
    }

    private static String readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
