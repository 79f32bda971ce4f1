package org.phong.zenflow.logging.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The rules that keep the environment on top in the local run (pom.xml, "server.env of each Liberty server"):
 * <ul>
 *   <li>the pom declares no {@code liberty.env.*} property: with one, liberty-maven-plugin writes server.env
 *       from the properties alone and drops the template, so the local run's values beat the environment again;</li>
 *   <li>the local template switches on Liberty's variable expansion in its first line, and each assignment
 *       only supplies a default for its own variable ({@code NAME="${NAME:-...}"}), so a value the caller
 *       set is kept.</li>
 * </ul>
 * LocalRunEnvIT starts a server with the generated file and environment variables.
 */
class LibertyEnvTemplatesTest {
    private static final Pattern ASSIGNMENT = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)=(.*)$");

    @Test
    void thePomDeclaresNoLibertyEnvProperty() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<liberty\\.env\\.[^>]*>").matcher(pom);
        List<String> found = new ArrayList<>();
        while (m.find()) found.add(m.group());
        assertEquals(List.of(), found, "liberty.env.* properties replace the server.env templates; "
                + "put the key into src/test/liberty/it.env or src/main/liberty/env/local.env instead");
    }

    @Test
    void everyLocalAssignmentKeepsTheCallersValue() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src/main/liberty/env/local.env"));
        assertEquals("# enable_variable_expansion", lines.get(0), "Liberty expands server.env only after this comment");
        int assignments = 0;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                assertTrue(line.startsWith("# enable_variable_expansion") || !line.toLowerCase().contains("enable_variable_expansion"), line);
                continue;
            }
            Matcher m = ASSIGNMENT.matcher(line);
            assertTrue(m.matches(), "not an assignment: " + line);
            String name = m.group(1);
            assertTrue(m.group(2).startsWith("\"\\${" + name + ":-") && m.group(2).endsWith("}\""),
                    name + " must only default what the environment leaves unset: " + name + "=\"\\${" + name + ":-default}\", got " + line);
            assignments++;
        }
        assertTrue(assignments >= 4, "ports, database port, origins, journal: " + assignments);
    }

    @Test
    void theGeneratedLocalFileIsExpandedByAShell() throws Exception {
        Path generated = Path.of("target/liberty-env/local.env");
        assertTrue(Files.isRegularFile(generated), "process-resources writes " + generated);
        // What Liberty's bin/server does with it: ". server.env" in a POSIX shell, with and without the caller's value.
        String script = ". " + generated.toAbsolutePath() + "; echo \"$DB_PORT|$http_port\"";
        String defaults = sh(script, List.of());
        String overridden = sh(script, List.of("DB_PORT=6543", "HTTP_PORT=7777"));
        assertTrue(defaults.matches("\\d+\\|\\d+"), "defaults filled in: " + defaults);
        assertEquals("6543|7777", overridden, "the environment wins");
    }

    private static String sh(String script, List<String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true);
        pb.environment().remove("DB_PORT");
        pb.environment().remove("http_port");
        pb.environment().remove("HTTP_PORT");
        for (String kv : env) pb.environment().put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "sh finished");
        return out;
    }
}
