package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.phong.zenflow.logging.it.ServerFiles.copyTree;
import static org.phong.zenflow.logging.testing.Directories.deleteTree;
import static org.phong.zenflow.logging.it.ServerFiles.freePort;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The environment wins in the local run: a copy of the IT server (same runtime, application and server.xml)
 * gets the local run's server.env exactly as {@code mvn -Plocal} writes it ({@code target/liberty-env/local.env})
 * and is started by Liberty's own {@code bin/server} with environment variables, as a user would run
 * {@code ZENFLOW_LOGGING_KAFKA_ENABLED=true ... mvn -Plocal}. Each variable must take effect, both the ones
 * the local server.env gives a default for (ports, database port, journal directory) and the ones it leaves
 * alone (Kafka on, its bootstrap servers, the router's capacity): readiness shows the Kafka sink enabled on
 * the IT broker, the admin status shows the capacity and the Kafka sink, and the server answers on the port
 * from the environment (not the local default).
 */
class LocalRunEnvIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(420); // a start takes ~1 min on a quiet machine, 3+ under heavy load
    private static final JsonProvider JSON = JsonProvider.provider();
    /** A capacity no default or profile uses, so only the environment can have set it. */
    private static final int CAPACITY = 123_457;

    @Test
    void environmentVariablesOverrideTheLocalRunDefaults() throws Exception {
        Path wlp = Path.of(System.getProperty("it.wlp.dir", "target/liberty/wlp"));
        Path template = wlp.resolve("usr/servers/defaultServer");
        Path localEnv = Path.of(System.getProperty("it.local.env.file", "target/liberty-env/local.env"));
        assertTrue(Files.isRegularFile(localEnv), "the local run's server.env at " + localEnv);
        assertTrue(Files.readString(localEnv).startsWith("# enable_variable_expansion"), "Liberty must expand " + localEnv);

        String name = "localenv-check";
        Path dir = wlp.resolve("usr/servers").resolve(name);
        deleteTree(dir);
        Files.createDirectories(dir);
        for (String f : List.of("server.xml", "security-local.xml", "security-production.xml")) Files.copy(template.resolve(f), dir.resolve(f));
        copyTree(template.resolve("apps"), dir.resolve("apps"));
        copyTree(template.resolve("jdbc"), dir.resolve("jdbc"));
        Files.copy(localEnv, dir.resolve("server.env"));
        Path journal = Files.createTempDirectory("localenv-journal");

        int http = freePort();
        Map<String, String> env = new TreeMap<>();
        // Keys the local server.env has defaults for: the environment must win over them.
        env.put("http_port", Integer.toString(http));
        env.put("https_port", Integer.toString(freePort()));
        env.put("DB_PORT", dbPort());
        env.put("ZENFLOW_LOGGING_DURABLE_JOURNAL_DIR", journal.toString());
        // Keys it leaves alone: they must reach the application as they are.
        env.put("ZENFLOW_LOGGING_KAFKA_ENABLED", "true");
        env.put("ZENFLOW_LOGGING_KAFKA_PRODUCER_BOOTSTRAP_SERVERS", System.getProperty("it.kafka.bootstrap", "localhost:9190"));
        env.put("ZENFLOW_LOGGING_DURABLE_ROUTER_QUEUE_CAPACITY", Integer.toString(CAPACITY));
        try {
            server(wlp, "start", name, env);
            URI base = URI.create("http://localhost:" + http);
            HttpClient client = ItEnvironment.httpClientAs(ItCredentials.ALL_ROLES);
            // Readiness may be DOWN for a moment (Kafka connecting); the check's data tell the settings either way.
            JsonObject kafka = Awaitility.await("the copy's readiness on port " + http).atMost(START_TIMEOUT)
                    .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> kafkaCheck(client, base), c -> c != null);
            JsonObject data = kafka.getJsonObject("data");
            assertTrue(data.getBoolean("enabled"), "ZENFLOW_LOGGING_KAFKA_ENABLED=true from the environment: " + kafka);

            JsonObject status = Awaitility.await("admin status").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> getJson(client, base.resolve("/api/v1/admin/status")), s -> s != null);
            assertEquals(CAPACITY, status.getInt("capacity"), "ZENFLOW_LOGGING_DURABLE_ROUTER_QUEUE_CAPACITY from the environment");
            List<String> sinks = status.getJsonArray("sinks").stream().map(v -> v.asJsonObject().getString("name")).toList();
            assertTrue(sinks.contains("kafka"), "the Kafka sink runs: " + sinks);
            assertTrue(Files.list(journal).findAny().isPresent(), "the journal is in the directory from the environment: " + journal);
        } finally {
            server(wlp, "stop", name, env);
            deleteTree(dir);
            deleteTree(journal);
        }
    }

    /** @return the zenflow-logging-kafka check of /health/ready, or null before the application answers */
    private static JsonObject kafkaCheck(HttpClient client, URI base) throws Exception {
        HttpResponse<String> res = client.send(HttpRequest.newBuilder(base.resolve("/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.body().isBlank()) return null;
        for (JsonValue v : JSON.createReader(new StringReader(res.body())).readObject().getJsonArray("checks")) {
            if (v.asJsonObject().getString("name").equals("zenflow-logging-kafka")) return v.asJsonObject();
        }
        return null;
    }

    private static JsonObject getJson(HttpClient client, URI uri) throws Exception {
        HttpResponse<String> res = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return res.statusCode() == 200 ? JSON.createReader(new StringReader(res.body())).readObject() : null;
    }

    /** The IT database's port, from {@code it.jdbc.url} (jdbc:postgresql://localhost:PORT/db). */
    private static String dbPort() {
        String url = ItEnvironment.jdbcUrl();
        return url.replaceFirst("^jdbc:postgresql://[^:/]+:(\\d+)/.*$", "$1");
    }

    /** Runs {@code bin/server <action> <name>} with {@code env} added to this JVM's environment. */
    private static void server(Path wlp, String action, String name, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(wlp.resolve("bin/server").toString(), action, name).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "server " + action + " " + name);
    }
}
