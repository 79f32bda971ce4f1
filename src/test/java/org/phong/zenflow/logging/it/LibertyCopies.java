package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.phong.zenflow.logging.it.ServerFiles.copyTree;
import static org.phong.zenflow.logging.it.ServerFiles.freePort;
import static org.phong.zenflow.logging.testing.Directories.deleteTree;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Copies of the IT server, each its own Liberty server under {@code wlp/usr/servers} (same runtime,
 * application, server.xml and database as the IT server; own HTTP ports, journal directory and
 * whatever else the test sets), started and stopped with Liberty's {@code bin/server} and killed
 * with {@code kill -9} (SIGKILL through {@link ProcessHandle#destroyForcibly}) when a test needs a node
 * to vanish. {@link #close} stops what is still running and deletes the copies.
 */
final class LibertyCopies implements AutoCloseable {
    /** A start takes about a minute on a quiet 2-core machine, several when three start at once. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(420);
    private static final String APP_STARTED = "CWWKZ0001I";
    private static final String APP_NOT_STARTED = "CWWKZ0012I";

    /** One copy: its server name, directory and HTTP port. */
    record Node(String name, Path dir, int httpPort) {
        URI uri(String path) {
            return URI.create("http://localhost:" + httpPort + path);
        }

        /** @return {@code ws://localhost:port/} */
        URI ws() {
            return URI.create("ws://localhost:" + httpPort + "/");
        }

        String log() throws IOException {
            Path log = dir.resolve("logs/messages.log");
            return Files.exists(log) ? Files.readString(log) : "";
        }
    }

    private final Path wlp = ItEnvironment.libertyDir();
    private final Path template = wlp.resolve("usr/servers/defaultServer");
    private final List<Node> nodes = new ArrayList<>();
    private final List<Path> scratch = new ArrayList<>();

    /**
     * Several servers start at once on the test machine's 2 cores beside the IT server: the client compiler
     * only and the serial collector cut each start's CPU (these servers carry test traffic, not load).
     */
    static void writeLightJvmOptions(Path serverDir) throws IOException {
        Files.writeString(serverDir.resolve("jvm.options"), "-XX:TieredStopAtLevel=1\n-XX:+UseSerialGC\n-Xmx512m\n", StandardCharsets.UTF_8);
    }

    /**
     * Creates a copy named {@code name} whose server.env is the IT server's with {@code env} over it
     * (a key in {@code env} replaces the IT server's line; the rest are added), plus its own ports and
     * journal directory.
     */
    Node create(String name, Map<String, String> env) throws IOException {
        assertTrue(Files.isDirectory(template), "IT server at " + template);
        Path dir = wlp.resolve("usr/servers").resolve(name);
        deleteTree(dir);
        Files.createDirectories(dir);
        for (String f : List.of("server.xml", "security-local.xml", "security-production.xml", "tls-production.xml")) {
            Files.copy(template.resolve(f), dir.resolve(f));
        }
        copyTree(template.resolve("apps"), dir.resolve("apps"));
        copyTree(template.resolve("jdbc"), dir.resolve("jdbc"));
        writeLightJvmOptions(dir);
        Path journal = Files.createTempDirectory(name + "-journal");
        scratch.add(journal);
        int http = freePort();
        Map<String, String> all = new LinkedHashMap<>(serverEnv(template.resolve("server.env")));
        all.put("http_port", Integer.toString(http));
        all.put("https_port", Integer.toString(freePort()));
        all.put("ZENFLOW_LOGGING_DURABLE_JOURNAL_DIR", journal.toString());
        all.putAll(env);
        StringBuilder out = new StringBuilder();
        all.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        Files.writeString(dir.resolve("server.env"), out, StandardCharsets.UTF_8);
        Node n = new Node(name, dir, http);
        nodes.add(n);
        return n;
    }

    /** Starts every node created so far at once and waits until each has started its application. */
    void startAll() throws Exception {
        List<Process> starting = new ArrayList<>();
        for (Node n : nodes) starting.add(server("start", n.name()));
        for (Process p : starting) assertTrue(p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "bin/server start");
        for (Node n : nodes) awaitStarted(n);
    }

    /** Waits until the application of {@code n} has started; fails when it did not. */
    static void awaitStarted(Node n) {
        String outcome = await(n.name() + " starts its application").atMost(START_TIMEOUT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    String log = n.log();
                    return log.contains(APP_STARTED) ? APP_STARTED : log.contains(APP_NOT_STARTED) ? APP_NOT_STARTED : null;
                }, java.util.Objects::nonNull);
        assertTrue(APP_STARTED.equals(outcome), () -> n.name() + " did not start the application; messages.log:\n" + tail(n));
    }

    /** SIGKILL to the node's JVM (no shutdown hook, no drain, no leaving the consumer group); waits until it is gone. */
    void kill(Node n) throws Exception {
        Path pidFile = wlp.resolve("usr/servers/.pid").resolve(n.name() + ".pid");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid + " for " + n.name()));
        h.destroyForcibly();
        h.onExit().get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        List<Process> stopping = new ArrayList<>();
        for (Node n : nodes) stopping.add(server("stop", n.name()));
        for (Process p : stopping) p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        for (Node n : nodes) deleteTree(n.dir());
        for (Path p : scratch) deleteTree(p);
    }

    private Process server(String action, String name) throws IOException {
        return new ProcessBuilder(wlp.resolve("bin/server").toString(), action, name).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** The IT server's server.env as keys and values, in file order (comments and blank lines left out). */
    private static Map<String, String> serverEnv(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String t = line.strip();
            int eq = t.indexOf('=');
            if (t.isEmpty() || t.startsWith("#") || eq <= 0) continue;
            out.put(t.substring(0, eq), t.substring(eq + 1));
        }
        return out;
    }

    private static String tail(Node n) {
        try {
            String log = n.log();
            return log.length() > 6000 ? log.substring(log.length() - 6000) : log;
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
