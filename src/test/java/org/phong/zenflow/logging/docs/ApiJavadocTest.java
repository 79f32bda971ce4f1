package org.phong.zenflow.logging.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Javadoc of the engine-facing API has no warning: the javadoc tool runs with {@code -Xdoclint:all}
 * (every group, including "missing comment") on the files pom.xml lists in the maven-javadoc-plugin's
 * {@code <sourceFileInclude>}s, the same ones {@code mvn javadoc:javadoc} documents, and any warning
 * fails the build. Runs with the unit tests, so it is never skipped as "up to date".
 */
class ApiJavadocTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern INCLUDE = Pattern.compile("<sourceFileInclude>([^<]+)</sourceFileInclude>");

    @Test
    void theEngineFacingApiHasJavadocWithoutWarnings() throws IOException {
        List<Path> files = apiSources();
        assertTrue(files.stream().anyMatch(f -> f.endsWith("LogEntry.java")), "pom.xml lists no API sources: " + files);
        assertTrue(files.stream().anyMatch(f -> f.endsWith("LogRouter.java")), files.toString());
        assertEquals("", javadocWarnings(files), "javadoc -Xdoclint:all on " + files.size() + " files");
    }

    @Test
    void theCheckFailsOnAMissingComment() throws IOException {
        Path dir = Files.createTempDirectory("javadoc-check");
        Path pkg = Files.createDirectories(dir.resolve("p"));
        Files.writeString(pkg.resolve("Undocumented.java"), """
                package p;
                /** A type with a comment. */
                public final class Undocumented {
                    private Undocumented() {
                    }
                    /** @return nothing much */
                    public static int documented() { return 1; }
                    public static int undocumented(int x) { return x; }
                }
                """);
        String warnings = javadocWarnings(List.of(pkg.resolve("Undocumented.java")));
        assertFalse(warnings.isEmpty());
        assertTrue(warnings.contains("Undocumented.java:8"), warnings);
    }

    /** @return the files the javadoc plugin's sourceFileIncludes select under src/main/java */
    static List<Path> apiSources() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);
        List<PathMatcher> matchers = new ArrayList<>();
        Matcher m = INCLUDE.matcher(pom);
        while (m.find()) matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + m.group(1).trim()));
        try (Stream<Path> all = Files.walk(SOURCES)) {
            return all.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> matchers.stream().anyMatch(pm -> pm.matches(SOURCES.relativize(f))))
                    .sorted().toList();
        }
    }

    /** Runs the standard doclet as the plugin does; returns its diagnostics (warnings and errors), empty when clean. */
    static String javadocWarnings(List<Path> files) throws IOException {
        DocumentationTool tool = ToolProvider.getSystemDocumentationTool();
        Path out = Files.createTempDirectory("apidocs");
        StringWriter diagnostics = new StringWriter();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        try (StandardJavaFileManager fm = tool.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = fm.getJavaFileObjectsFromPaths(files);
            List<String> options = List.of("-Xdoclint:all", "-quiet", "-public", "-encoding", "UTF-8",
                    "--release", "17", "-d", out.toString(), "-classpath", classpath,
                    "-sourcepath", SOURCES.toString());
            Boolean ok = tool.getTask(diagnostics, fm, null, null, options, units).call();
            String text = diagnostics.toString().trim();
            return ok || !text.isEmpty() ? text : "javadoc failed without a message";
        }
    }
}
