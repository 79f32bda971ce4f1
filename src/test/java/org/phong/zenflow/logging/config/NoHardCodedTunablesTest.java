package org.phong.zenflow.logging.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.ConfigAudit;
import org.phong.zenflow.logging.testing.JaxRsOperations;
import org.phong.zenflow.logging.testing.TunableLiterals;

/**
 * The "zero hard-coded values" target as a build check (issue #8): every configuration key the module
 * reads has a default, a README row and validation ({@link ConfigAudit}); no size, timeout or
 * interval literal in the core outside a named constant ({@link TunableLiterals}). Each checker is
 * also shown to fail on what it is meant to catch.
 */
class NoHardCodedTunablesTest {
    private static final Path MAIN = Path.of("src/main/java/org/phong/zenflow/logging");

    @Test
    void everyKeyTheModuleReadsHasADefaultAReadmeRowAndValidation() throws Exception {
        List<Class<?>> config = configClasses();
        TreeSet<String> keys = ConfigAudit.keysRead(config, MAIN);
        // The audit finds the keys itself; these must be among them (or the discovery is broken).
        assertTrue(keys.containsAll(Set.of(LoggingSettings.QUEUE_CAPACITY, LoggingSettings.HTTP_MAX_PAGE_SIZE,
                AdminSettings.SIMULATOR_ENABLED)), keys.toString());
        assertEquals(List.of(), ConfigAudit.problems(keys, defaults(), readme(), ConfigAudit.settingsParsers(config)),
                "keys found: " + keys);
        System.out.println("[NoHardCodedTunablesTest] " + keys.size() + " keys: default, README row and validation each");
    }

    @Test
    void aKeyAddedWithoutDefaultDocumentationOrValidationFailsTheAudit() throws Exception {
        String key = "zenflow.logging.test.new-interval-ms";
        List<Function<ConfigReader, Object>> parsers = ConfigAudit.settingsParsers(configClasses());
        assertEquals(List.of(key + ": no default in microprofile-config.properties",
                        key + ": no row in README's configuration table",
                        key + ": no settings record refuses a bad value ('not-a-valid-value', '', '-1', '0', "
                                + "'99999999999999999999', '1.5', '(') naming it"),
                ConfigAudit.problems(List.of(key), defaults(), readme(), parsers));

        // Default and README row, still no validation:
        Properties withDefault = defaults();
        withDefault.setProperty(key, "500");
        String readme = readme() + "\n| `" + key + "` | 500 | a new interval |\n";
        assertEquals(List.of(key + ": no settings record refuses a bad value ('not-a-valid-value', '', '-1', '0', "
                        + "'99999999999999999999', '1.5', '(') naming it"),
                ConfigAudit.problems(List.of(key), withDefault, readme, parsers));

        // ... and with a settings record that validates it, the audit passes.
        List<Function<ConfigReader, Object>> withRecord = new ArrayList<>(parsers);
        withRecord.add(r -> r.longIn(key, 1, Long.MAX_VALUE));
        assertEquals(List.of(), ConfigAudit.problems(List.of(key), withDefault, readme, withRecord));
    }

    @Test
    void keysAreFoundInConstantsAndInStringsOfTheSources() throws IOException {
        Path src = Files.createTempDirectory("src");
        Files.writeString(src.resolve("A.java"), "class A { @ConfigProperty(name = \"zenflow.logging.x.read-directly\") int x;"
                + " String pkg = \"org.phong.zenflow.logging.cdi.Foo\"; String prefix = \"zenflow.logging.x.\"; }");
        assertEquals(new TreeSet<>(List.of("zenflow.logging.x.read-directly", LoggingSettings.QUEUE_CAPACITY)),
                new TreeSet<>(ConfigAudit.keysRead(List.of(Holder.class), src)));
    }

    static final class Holder {
        static final String KEY = LoggingSettings.QUEUE_CAPACITY;
        static final String PREFIX = LoggingSettings.DURABLE;
    }

    @Test
    void theCoreHasNoSizeTimeoutOrIntervalLiteralOutsideANamedConstant() {
        assertEquals(List.of(), TunableLiterals.inCore(MAIN));
    }

    @Test
    void theLiteralCheckCatchesTunablesAndLeavesTheRestAlone() {
        String src = """
                class X {
                    private static final long POLL_MS = 200;          // a named constant: fine
                    private static final int[] SIZES = {
                        100, 200};                                     // a constant spanning lines: fine
                    void run() throws Exception {
                        Thread.sleep(500);                             // line 6: a timeout
                        queue.poll(250, TimeUnit.MILLISECONDS);        // line 7: an interval
                        List<String> l = new ArrayList<>(64);          // line 8: a size
                        int batchSize = 1_000;                         // line 9: a size
                        String s = "timeout 3000";                     // strings are not code
                        // sleep(9000) in a comment
                        int mask = v & 0x3F, digits = v / 10;          // format arithmetic: fine
                        Thread.sleep(1);                               // 0, 1, 2: fine
                        scheduler.schedule(task, 42);                  // literal-ok: the answer
                    }
                }
                """;
        List<String> found = TunableLiterals.in("X.java", src);
        assertEquals(List.of("X.java:6", "X.java:7", "X.java:8", "X.java:9"),
                found.stream().map(f -> f.substring(0, f.indexOf(": "))).toList(), found.toString());
    }

    private static List<Class<?>> configClasses() throws ClassNotFoundException {
        List<Class<?>> out = new ArrayList<>();
        for (String n : JaxRsOperations.classNamesIn(Path.of("target/classes"))) {
            if (n.startsWith(ConfigReader.class.getPackageName() + ".")) out.add(Class.forName(n));
        }
        return out;
    }

    private static Properties defaults() throws IOException {
        Properties p = new Properties();
        try (InputStream in = ConfigReader.class.getClassLoader().getResourceAsStream("META-INF/microprofile-config.properties")) {
            p.load(in);
        }
        return p;
    }

    /** README and the pages under docs/ it links (configuration tables may live on a topic's page). */
    private static String readme() throws IOException {
        StringBuilder b = new StringBuilder(Files.readString(Path.of("README.md"), StandardCharsets.UTF_8));
        try (var pages = Files.list(Path.of("docs"))) {
            for (Path p : pages.filter(f -> f.toString().endsWith(".md")).sorted().toList()) {
                b.append('\n').append(Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return b.toString();
    }
}
