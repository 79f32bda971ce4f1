package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What the build publishes (pom.xml, maven-jar-plugin and maven-war-plugin): the module jar an engine puts in
 * its WAR holds the beans, REST resources, WebSocket endpoint, web fragment, bean archive marker, config
 * defaults and migrations; the API jar holds package ..api alone; no test aid is in the production WAR or the
 * module jar. Runs after package (failsafe), no server needed.
 */
class ModuleArtifactsIT {
    private static final String BASE = "org/phong/zenflow/logging/";

    @Test
    void theModuleJarHoldsEverythingAnEngineNeeds() throws IOException {
        List<String> names = names(Path.of(System.getProperty("it.module.jar", "target/zenflow-logging-module.jar")));
        for (String expected : List.of("META-INF/beans.xml", "META-INF/web-fragment.xml", "META-INF/microprofile-config.properties",
                "db/migration/V1__logs.sql", BASE + "cdi/LoggingModule.class", BASE + "rest/LogIngestResource.class",
                BASE + "rest/LoggingApplication.class", BASE + "stream/web/RunStreamEndpoint.class", BASE + "api/LogSink.class",
                BASE + "router/LogRouter.class")) {
            assertTrue(names.contains(expected), expected + " missing from the module jar");
        }
        assertEquals(List.of(), testAids(names), "test aids in the module jar");
    }

    @Test
    void theApiJarHoldsTheApiPackageAlone() throws IOException {
        Path moduleJar = Path.of(System.getProperty("it.module.jar", "target/zenflow-logging-module.jar"));
        Path apiJar = moduleJar.resolveSibling(moduleJar.getFileName().toString().replace("-module.jar", "-api.jar"));
        List<String> classes = names(apiJar).stream().filter(n -> n.endsWith(".class")).toList();
        assertTrue(classes.contains(BASE + "api/LogEntry.class") && classes.contains(BASE + "api/WorkflowRunStarted.class"), classes.toString());
        assertEquals(List.of(), classes.stream().filter(n -> !n.startsWith(BASE + "api/")).toList(), "classes outside ..api");
    }

    @Test
    void theProductionWarHasNoTestAid() throws IOException {
        Path war = Path.of(System.getProperty("it.production.war", "target/zenflow-logging.war"));
        List<String> names = names(war);
        assertTrue(names.contains("WEB-INF/classes/" + BASE + "cdi/LoggingModule.class"), "the module is in the WAR");
        assertEquals(List.of(), testAids(names), "test aids in the production WAR");
    }

    private static List<String> testAids(List<String> names) {
        return names.stream().filter(n -> n.contains(BASE + "example/") || n.contains("SimulatorResource")).toList();
    }

    private static List<String> names(Path zip) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            return z.stream().map(ZipEntry::getName).toList();
        }
    }
}
