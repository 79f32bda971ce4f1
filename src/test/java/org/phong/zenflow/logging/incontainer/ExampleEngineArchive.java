package org.phong.zenflow.logging.incontainer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.phong.zenflow.logging.example.ExampleEngine;
import org.phong.zenflow.logging.example.sink.ExampleSink;

/**
 * The example engine application as an engine would build it (docs/engine-integration.md): its own classes
 * in WEB-INF/classes, and in WEB-INF/lib the module jar the build publishes ({@code zenflow-logging-module.jar},
 * maven-jar-plugin execution {@code module-jar}) with the module's runtime libraries (the same jars the
 * zenflow-logging WAR carries: Flyway, the Kafka client). Nothing of the module comes from the test classpath.
 */
final class ExampleEngineArchive {
    private ExampleEngineArchive() {
    }

    static WebArchive create() {
        Path moduleJar = Path.of(System.getProperty("it.module.jar", "target/zenflow-logging-module.jar"));
        Path libs = Path.of(System.getProperty("it.module.libs", "target/zenflow-logging/WEB-INF/lib"));
        if (!Files.isRegularFile(moduleJar)) throw new IllegalStateException("no module jar at " + moduleJar + " (mvn package builds it)");
        JavaArchive module = ShrinkWrap.createFromZipFile(JavaArchive.class, moduleJar.toFile());
        WebArchive war = ShrinkWrap.create(WebArchive.class, "example-engine.war")
                .addAsLibrary(module)
                .addClasses(ExampleEngine.class, ExampleSink.class)
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml")
                // mpOpenAPI reads the static part of the document (schemas, examples) only from the
                // application's own META-INF/openapi.yaml, never from a library: the engine copies it.
                .addAsResource(module.get("META-INF/openapi.yaml").getAsset(), "META-INF/openapi.yaml");
        // What the in-container tests themselves use (Awaitility and its Hamcrest), as libraries.
        for (Class<?> c : new Class<?>[] {org.awaitility.Awaitility.class, org.hamcrest.Matcher.class}) {
            war.addAsLibrary(jarOf(c));
        }
        try (Stream<Path> jars = Files.list(libs)) {
            for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
                File f = jar.toFile();
                war.addAsLibrary(f, f.getName());
            }
        } catch (IOException e) {
            throw new IllegalStateException("the module's runtime libraries at " + libs, e);
        }
        return war;
    }

    /** @return the jar on this JVM's class path that holds {@code c} */
    private static File jarOf(Class<?> c) {
        try {
            return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("no jar for " + c, e);
        }
    }
}
