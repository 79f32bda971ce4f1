package org.phong.zenflow.logging.devkafka;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.phong.zenflow.logging.testing.Directories;

/**
 * A real single-node Kafka (KRaft, broker + controller in one process) forked from the {@code kafka_2.13}
 * jars on the test classpath, for the integration tests ({@code mvn verify}: started by exec:java before
 * Liberty, so the server knows the bootstrap address at start) and for tests that stop and restart it.
 * Test-scope only: never part of the WAR.
 *
 * <p>Everything lives in one directory: {@code server.properties}, {@code data/}, {@code broker.log},
 * {@code broker.pid} and {@code command} (the exact command line), so a test in another JVM can
 * {@link #stop} the broker (SIGTERM, a controlled shutdown) and {@link #restart} it on the same port and
 * data. The forked broker outlives the JVM that started it; {@code --stop} (post-integration-test) ends it.
 * Only a pid recorded in that directory whose command line is a Kafka broker is ever signalled.
 *
 * <p>Arguments ({@code --key=value}): {@code --port}, {@code --controller-port}, {@code --dir} (required);
 * {@code --topic} and {@code --partitions} (pre-created, then every partition's leader awaited: KAFKA-15591);
 * {@code --fresh} deletes the directory first; {@code --stop} stops the broker recorded in {@code --dir}.
 */
public final class KafkaBrokerLauncher {
    /** Heap of the forked broker: a test broker needs little. */
    private static final String BROKER_HEAP = "-Xmx320m";
    private static final long READY_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(240); // a loaded 2-core machine
    private static final long STOP_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(60);
    private static final long POLL_MS = 250;
    /** First argument of the broker's command line: how {@link #stop} recognises a broker of this directory
     *  (Linux shows only the first 4096 characters of a command line, the classpath cuts the rest). */
    private static final String MARKER = "-Dzenflow.test.kafka.dir=";

    private KafkaBrokerLauncher() {
    }

    public static void main(String[] args) throws Exception {
        quietClientLogs();
        Integer port = null;
        Integer controllerPort = null;
        Path dir = null;
        String topic = null;
        int partitions = 1;
        boolean fresh = false;
        boolean stop = false;
        for (String a : args) {
            if (a.startsWith("--port=")) port = Integer.valueOf(a.substring(7).trim());
            else if (a.startsWith("--controller-port=")) controllerPort = Integer.valueOf(a.substring(18).trim());
            else if (a.startsWith("--dir=")) dir = Path.of(a.substring(6).trim()).toAbsolutePath().normalize();
            else if (a.startsWith("--topic=")) topic = a.substring(8).trim();
            else if (a.startsWith("--partitions=")) partitions = Integer.parseInt(a.substring(13).trim());
            else if (a.equals("--fresh")) fresh = true;
            else if (a.equals("--stop")) stop = true;
            else throw new IllegalArgumentException("Unknown argument: " + a);
        }
        if (dir == null) throw new IllegalArgumentException("--dir is required");
        if (stop) {
            System.out.println("[kafka-broker] " + (stop(dir) ? "stopped" : "was not running") + " (" + dir + ")");
            return;
        }
        if (port == null || controllerPort == null) throw new IllegalArgumentException("Usage: --port=<p> --controller-port=<p> --dir=<dir> [--topic=t --partitions=n] [--fresh]");
        long t0 = System.nanoTime();
        String bootstrap = start(dir, port, controllerPort, fresh);
        if (topic != null) createTopic(bootstrap, topic, partitions);
        System.out.printf("[kafka-broker] ready on %s in %d ms (topic %s, %d partitions; log %s)%n", bootstrap,
                (System.nanoTime() - t0) / 1_000_000, topic, partitions, dir.resolve("broker.log"));
    }

    /**
     * Formats (when new) and starts the broker, and waits until it answers.
     *
     * @return its bootstrap address
     */
    public static String start(Path dir, int port, int controllerPort, boolean fresh) throws IOException, InterruptedException {
        stop(dir); // a leftover of an earlier run on the same directory
        if (fresh) Directories.deleteTree(dir);
        Files.createDirectories(dir);
        Path props = dir.resolve("server.properties");
        String bootstrap = "localhost:" + port;
        boolean format = !Files.exists(dir.resolve("data").resolve("meta.properties"));
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + bootstrap,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.quorum.bootstrap.servers=localhost:" + controllerPort,
                "log.dirs=" + dir.resolve("data"),
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "num.io.threads=2",
                "num.network.threads=2",
                "") , StandardCharsets.UTF_8);
        String cp = classpath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        if (format) {
            List<String> fmt = List.of(java, BROKER_HEAP, "-cp", cp, "kafka.tools.StorageTool", "format",
                    "-t", Uuid.randomUuid().toString(), "-c", props.toString(), "--standalone");
            Process p = new ProcessBuilder(fmt).redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(dir.resolve("format.log").toFile())).start();
            if (!p.waitFor(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("Kafka storage format failed; see " + dir.resolve("format.log"));
            }
        }
        List<String> cmd = List.of(java, MARKER + dir, BROKER_HEAP, "-XX:+UseSerialGC", "-Djava.util.logging.config.file=" + julConfig(dir),
                "-cp", cp, "kafka.Kafka", props.toString());
        Files.write(dir.resolve("command"), cmd, StandardCharsets.UTF_8);
        launch(dir, cmd);
        awaitReady(dir, bootstrap);
        return bootstrap;
    }

    /** Starts the broker again from its recorded command (same port, same data); waits until it answers. */
    public static void restart(Path dir, String bootstrap) throws IOException, InterruptedException {
        stop(dir);
        launch(dir, Files.readAllLines(dir.resolve("command"), StandardCharsets.UTF_8));
        awaitReady(dir, bootstrap);
    }

    private static void launch(Path dir, List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
        Files.writeString(dir.resolve("broker.pid"), Long.toString(p.pid()), StandardCharsets.UTF_8);
    }

    /**
     * Stops the broker recorded in {@code dir} (SIGTERM: controlled shutdown) and waits for it to exit.
     *
     * @return true when one was running
     */
    public static boolean stop(Path dir) throws IOException, InterruptedException {
        Optional<ProcessHandle> h = recorded(dir);
        if (h.isEmpty()) return false;
        h.get().destroy();
        try {
            h.get().onExit().get(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            h.get().destroyForcibly();
            try {
                h.get().onExit().get(120, TimeUnit.SECONDS);
            } catch (ExecutionException | java.util.concurrent.TimeoutException stuck) {
                throw new IOException("the broker " + h.get().pid() + " did not exit within 120 s of SIGKILL", stuck);
            }
        }
        return true;
    }

    /** @return whether the broker recorded in {@code dir} is running */
    public static boolean isRunning(Path dir) throws IOException {
        return recorded(dir).isPresent();
    }

    private static Optional<ProcessHandle> recorded(Path dir) throws IOException {
        Path pidFile = dir.resolve("broker.pid");
        if (!Files.exists(pidFile)) return Optional.empty();
        long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> h.info().commandLine()
                .map(c -> c.contains(MARKER + dir + " ")).orElse(false));
    }

    private static void awaitReady(Path dir, String bootstrap) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        try (Admin admin = admin(bootstrap)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(POLL_MS * 8, TimeUnit.MILLISECONDS).isEmpty()) return;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) throw new IllegalStateException("Kafka broker not ready on " + bootstrap + "; see " + dir.resolve("broker.log"));
                Thread.sleep(POLL_MS);
            }
        }
    }

    /** Creates {@code topic} if missing and waits until every partition has a leader (KAFKA-15591). */
    public static void createTopic(String bootstrap, String topic, int partitions) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        try (Admin admin = admin(bootstrap)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw new IllegalStateException(e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("topic " + topic + " not created within 60 s", e);
            }
            while (true) {
                try {
                    TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                    if (d.partitions().stream().map(TopicPartitionInfo::leader).allMatch(l -> l != null && !l.isEmpty())) return;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    // metadata not propagated yet
                }
                if (System.nanoTime() > deadline) throw new IllegalStateException("partitions of " + topic + " have no leader");
                Thread.sleep(POLL_MS);
            }
        }
    }

    /** @return an admin client on {@code bootstrap}; the caller closes it */
    public static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    /** The test classpath: exec:java runs us in a URLClassLoader; surefire/failsafe put it in java.class.path. */
    private static String classpath() {
        List<String> parts = new ArrayList<>();
        ClassLoader cl = KafkaBrokerLauncher.class.getClassLoader();
        if (cl instanceof URLClassLoader u) {
            for (URL url : u.getURLs()) {
                try {
                    parts.add(new File(url.toURI()).getPath());
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        if (parts.isEmpty()) return System.getProperty("java.class.path");
        return String.join(File.pathSeparator, parts);
    }

    /** The broker logs through slf4j-jdk14 (on the test classpath): WARNING and above into broker.log. */
    private static Path julConfig(Path dir) throws IOException {
        Path f = dir.resolve("logging.properties");
        Files.writeString(f, String.join("\n", "handlers=java.util.logging.ConsoleHandler", ".level=WARNING",
                "java.util.logging.ConsoleHandler.level=ALL", ""), StandardCharsets.UTF_8);
        return f;
    }

    /** Kafka clients in a test JVM log every config at INFO: keep WARNING and above. */
    public static void quietClientLogs() {
        java.util.logging.Logger.getLogger("org.apache.kafka").setLevel(java.util.logging.Level.WARNING);
    }

}
