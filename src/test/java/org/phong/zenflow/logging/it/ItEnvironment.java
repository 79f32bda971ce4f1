package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What the integration tests (failsafe, {@code *IT}) need to reach the running system.
 *
 * <p>{@code mvn verify} starts an embedded PostgreSQL and a Liberty server before the ITs and passes
 * their coordinates as system properties (see pom.xml, failsafe {@code systemPropertyVariables}):
 * {@code it.base.url}, {@code it.jdbc.url}, {@code it.db.user}, {@code it.db.password}. The defaults
 * below match the pom, so an IT can also be run from an IDE against a server started with the same ports.
 */
public final class ItEnvironment {

    /** Resolved once: Json.createXxx() looks the provider up per call. */
    private static final JsonProvider JSON = JsonProvider.provider();

    /** The plain client: no credentials. */
    private static final HttpClient RAW = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade: one connection per concurrent request
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /** What every IT uses: the same client, sending the writer+reader+admin user's credentials. */
    private static final HttpClient HTTP = new AuthenticatingHttpClient(RAW, ItCredentials.ALL_ROLES);

    private ItEnvironment() {
    }

    /** Base URL of the application, without trailing slash, e.g. {@code http://localhost:9180}. */
    public static String baseUrl() {
        String url = System.getProperty("it.base.url", "http://localhost:9180");
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** {@code baseUrl() + path}; {@code path} starts with {@code /}. */
    public static URI uri(String path) {
        return URI.create(baseUrl() + (path.startsWith("/") ? path : "/" + path));
    }

    /**
     * A shared HttpClient (HTTP/1.1, no redirects followed, 5 s connect timeout) that authenticates
     * every request (and WebSocket handshake) without an {@code Authorization} header as the user
     * holding every role ({@link ItCredentials#ALL_ROLES}).
     */
    public static HttpClient httpClient() {
        return HTTP;
    }

    /**
     * @param who the credentials to send ({@link ItCredentials#NONE}: none at all)
     * @return a client sending them on every request and WebSocket handshake
     */
    public static HttpClient httpClientAs(ItCredentials who) {
        if (who == ItCredentials.ALL_ROLES) return HTTP;
        return who.user() == null ? RAW : new AuthenticatingHttpClient(RAW, who);
    }

    /**
     * Sends one request as {@code who}, body as a String.
     *
     * @param method      GET, POST, ...
     * @param path        starts with {@code /}
     * @param contentType the Content-Type, or null for none
     * @param body        the body, or null for none
     */
    public static HttpResponse<String> send(ItCredentials who, String method, String path, String contentType, String body)
            throws IOException, InterruptedException {
        return send(who, method, path, contentType, body == null ? null : HttpRequest.BodyPublishers.ofString(body));
    }

    /** As {@link #send(ItCredentials, String, String, String, String)} with raw body bytes (e.g. broken UTF-8). */
    public static HttpResponse<String> send(ItCredentials who, String method, String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        return send(who, method, path, contentType, body == null ? null : HttpRequest.BodyPublishers.ofByteArray(body));
    }

    /**
     * GETs an absolute URL (another server than the IT server, e.g. one an IT starts itself) as {@code who}.
     *
     * @return the status code
     */
    public static int getStatus(URI url, ItCredentials who) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).GET().build();
        return httpClientAs(who).send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static HttpResponse<String> send(ItCredentials who, String method, String path, String contentType,
                                             HttpRequest.BodyPublisher body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
        if (contentType != null) b.header("Content-Type", contentType);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        return httpClientAs(who).send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET {@code path} with a 30 s request timeout, body as a String. */
    public static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** {@code ws://host:port + path} of the application. */
    public static URI wsUri(String path) {
        return URI.create(baseUrl().replaceFirst("^http", "ws") + (path.startsWith("/") ? path : "/" + path));
    }

    /**
     * Opens a WebSocket to {@code path} (e.g. {@code /ws/runs/<id>?afterSeq=0}); every IT opens its
     * WebSockets here, so authentication can be added in one place.
     */
    public static java.util.concurrent.CompletableFuture<java.net.http.WebSocket> openWebSocket(
            String path, java.net.http.WebSocket.Listener listener) {
        return openWebSocket(wsUri(path), listener);
    }

    /** {@link #openWebSocket(String, java.net.http.WebSocket.Listener)} to another server (a copy of the IT server). */
    public static java.util.concurrent.CompletableFuture<java.net.http.WebSocket> openWebSocket(
            URI uri, java.net.http.WebSocket.Listener listener) {
        // One HttpClient per WebSocket: a JDK HttpClient reads all its connections on ONE selector
        // thread, which made the test client, not the server, the bottleneck with 50 busy sockets.
        // A reader's credentials: the handshake needs the reader role (security.SecureHandshake).
        HttpClient own = new AuthenticatingHttpClient(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build(),
                ItCredentials.READER);
        return own.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30)).buildAsync(uri, listener);
    }

    /** JDBC URL of the embedded PostgreSQL the server writes to. */
    public static String jdbcUrl() {
        return System.getProperty("it.jdbc.url", "jdbc:postgresql://localhost:55433/zenflow_logs");
    }

    /** A new connection to the server's database; the caller closes it. */
    public static Connection openConnection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(),
                System.getProperty("it.db.user", "postgres"),
                System.getProperty("it.db.password", "postgres"));
    }

    /**
     * Polls {@code path} until it answers 200 or {@code timeout} passes; returns the last status
     * (-1 when the server never answered). Use it before asserting on a freshly started server.
     */
    public static int awaitStatus200(String path, Duration timeout) throws InterruptedException {
        AtomicInteger status = new AtomicInteger(-1);
        try {
            return await("GET " + path + " answers 200").atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        try {
                            status.set(get(path).statusCode());
                        } catch (IOException e) {
                            status.set(-1);
                        }
                        return status.get();
                    }, s -> s == 200);
        } catch (ConditionTimeoutException e) {
            return status.get();
        }
    }

    /** Waits (at most 120 s) until readiness answers 200: the server is up and the pipeline ready. */
    public static void awaitReady() throws InterruptedException {
        int status = awaitStatus200("/health/ready", Duration.ofSeconds(120));
        if (status != 200) assertEquals(200, status, "/health/ready: " + readiness());
    }

    /** POSTs a JSON body, asserts the status, returns the JSON answer (empty object when blank). */
    static JsonObject postJson(String path, String body, int expectedStatus) throws Exception {
        return postJson(path, body, expectedStatus, Duration.ofSeconds(60));
    }

    /** {@link #postJson(String, String, int)} with a request timeout of its own (benchmarks that saturate the server). */
    static JsonObject postJson(String path, String body, int expectedStatus, Duration timeout) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(uri(path)).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> res = httpClient().send(req, HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, res.statusCode(), path + " answered " + res.body());
        return res.body().isBlank() ? JSON.createObjectBuilder().build() : JSON.createReader(new StringReader(res.body())).readObject();
    }

    /** Starts {@code run} of {@code workflow} over HTTP (POST .../start), asserting 202. */
    static void startRun(UUID workflow, UUID run) throws Exception {
        postJson("/api/v1/runs/" + run + "/start", "{\"workflowId\":\"" + workflow + "\"}", 202);
    }

    /** Starts {@code n} fresh runs of {@code workflow} ({@link #startRun}). @return their ids, in start order */
    static List<UUID> startRuns(UUID workflow, int n) throws Exception {
        List<UUID> runs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            UUID run = UUID.randomUUID();
            runs.add(run);
            startRun(workflow, run);
        }
        return runs;
    }

    /** GETs a JSON document, asserting 200. */
    static JsonObject getJson(String path) throws Exception {
        HttpResponse<String> res = get(path);
        assertEquals(200, res.statusCode(), path + " answered " + res.body());
        return JSON.createReader(new StringReader(res.body())).readObject();
    }

    /** The {@code zenflow-logging-kafka} check of /health/ready (whatever the overall status). */
    static JsonObject kafkaHealth() throws Exception {
        HttpResponse<String> res = get("/health/ready");
        JsonObject all = JSON.createReader(new StringReader(res.body())).readObject();
        for (jakarta.json.JsonValue v : all.getJsonArray("checks")) {
            JsonObject c = v.asJsonObject();
            if (c.getString("name").equals("zenflow-logging-kafka")) return c;
        }
        throw new AssertionError("no zenflow-logging-kafka check in " + res.body());
    }

    /** Chromium for browser checks ({@code -Dit.chromium=...}); the Debian package's path by default. */
    static java.nio.file.Path chromium() {
        return java.nio.file.Path.of(System.getProperty("it.chromium", "/usr/bin/chromium"));
    }

    /**
     * Loads {@code path} in headless Chromium, lets its scripts run (up to 15 s of virtual time) and
     * returns the rendered DOM. The caller checks {@link #chromium()} exists first.
     */
    static String browserDom(String path) throws IOException, InterruptedException {
        java.nio.file.Path profile = java.nio.file.Files.createTempDirectory("it-chromium");
        java.nio.file.Path out = java.nio.file.Files.createTempFile("it-dom", ".html");
        Process p = new ProcessBuilder(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=15000", "--dump-dom",
                uri(path).toString())
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("chromium did not render " + path + " within 90 s");
            }
            return java.nio.file.Files.readString(out);
        } finally {
            java.nio.file.Files.deleteIfExists(out);
            try (var files = java.nio.file.Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** GETs the Prometheus text of {@code /metrics} (every scope), asserting 200. */
    static PrometheusText metrics() throws Exception {
        HttpResponse<String> res = get("/metrics");
        assertEquals(200, res.statusCode(), "/metrics answered " + res.body());
        return PrometheusText.parse(res.body());
    }

    /**
     * GETs a health endpoint ({@code /health/ready}, {@code /health/live}, ...), which answers 200 (UP)
     * or 503 (DOWN) with the same JSON document.
     *
     * @return the HTTP status and the document
     */
    static Health health(String path) throws Exception {
        HttpResponse<String> res = get(path);
        JsonObject doc = res.body().isBlank() ? JSON.createObjectBuilder().build()
                : JSON.createReader(new StringReader(res.body())).readObject();
        return new Health(res.statusCode(), doc);
    }

    /** A health answer: the status and the document ({@code {"status", "checks": [{"name","status","data"}]}}). */
    record Health(int status, JsonObject doc) {
        /** @return the named check, or null */
        JsonObject check(String name) {
            for (JsonObject c : doc.getJsonArray("checks").getValuesAs(JsonObject.class)) {
                if (c.getString("name").equals(name)) return c;
            }
            return null;
        }
    }
    /** POSTs a JSON body and returns the answer whatever its status (the caller judges it). */
    static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** Parses a JSON object. */
    static JsonObject parse(String body) {
        return JSON.createReader(new StringReader(body)).readObject();
    }

    /** @return the readiness document (200 or 503), or null when the server does not answer */
    static JsonObject readiness() throws InterruptedException {
        try {
            HttpResponse<String> r = get("/health/ready");
            return r.statusCode() == 200 || r.statusCode() == 503 ? parse(r.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** @return the data of one named check in a health document, or an empty object */
    static JsonObject checkData(JsonObject health, String name) {
        if (health == null) return JSON.createObjectBuilder().build();
        for (var v : health.getJsonArray("checks")) {
            JsonObject c = v.asJsonObject();
            if (name.equals(c.getString("name"))) {
                JsonObject d = c.getJsonObject("data");
                return JSON.createObjectBuilder(d == null ? JSON.createObjectBuilder().build() : d)
                        .add("status", c.getString("status")).build();
            }
        }
        return JSON.createObjectBuilder().build();
    }

    /**
     * Waits until the server has delivered everything it holds: no startup replay running, no durable
     * sink with a journal or memory backlog, no Kafka backlog or record in flight, nothing admitted and
     * undelivered, the router queue empty, in two readiness snapshots in a row (one document each, so the
     * figures of one snapshot belong together). Only then may an exactly-once check read a table or topic
     * to its end: a duplicate still on its way would otherwise arrive after the check. Fails after
     * {@code timeout} (at least 120 s: the build machine may be slow), printing the last readiness seen.
     *
     * @return how long the wait took
     */
    static Duration awaitDrained(Duration timeout) throws Exception {
        Instant t0 = Instant.now();
        AtomicInteger drainedInARow = new AtomicInteger();
        await("the server drained").atMost(timeout.compareTo(Duration.ofSeconds(120)) < 0 ? Duration.ofSeconds(120) : timeout)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    JsonObject last = readiness();
                    if (last != null && drained(last)) drainedInARow.incrementAndGet();
                    else drainedInARow.set(0);
                    assertTrue(drainedInARow.get() == 2, () -> "the server did not drain within " + timeout + ": " + last);
                });
        return Duration.between(t0, Instant.now());
    }

    /** @return true when one readiness document shows nothing undelivered anywhere */
    static boolean drained(JsonObject readiness) {
        JsonObject d = checkData(readiness, "zenflow-logging-durability");
        if (d.isEmpty()) return false;
        JsonObject bp = checkData(readiness, "zenflow-logging-backpressure");
        if (!zero(bp, "inFlight") || !zero(bp, "queueDepth")) return false;
        JsonObject db = checkData(readiness, "zenflow-logging-database");
        JsonObject k = checkData(readiness, "zenflow-logging-kafka");
        for (JsonObject data : List.of(d, db, k)) {
            for (String key : data.keySet()) {
                if ((key.endsWith("acklog") || key.equals("inFlight")) && !zero(data, key)) return false;
            }
        }
        return true;
    }

    private static boolean zero(JsonObject data, String key) {
        return data.containsKey(key) && data.get(key) instanceof jakarta.json.JsonNumber n && n.longValue() == 0;
    }

    /** The Liberty installation liberty-maven-plugin created (target/liberty/wlp). */
    static java.nio.file.Path libertyDir() {
        return java.nio.file.Path.of(System.getProperty("it.liberty.dir", "target/liberty/wlp")).toAbsolutePath();
    }

    /** @return the pid of the IT server's JVM (its command line names this build's Liberty installation) */
    static long serverPid() {
        String wlp = libertyDir().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(wlp) && c.contains("defaultServer")
                        && c.contains("ws-server.jar")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst()
                .orElseThrow(() -> new IllegalStateException("no Liberty JVM of " + wlp + " found"));
    }

    /** Waits (at most 60 s) until process {@code pid} has exited; fails when it is still alive. */
    static void awaitExit(long pid) throws Exception {
        java.util.Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent()) h.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Starts the IT server again with the same server.env (liberty-maven-plugin wrote it) and waits until it answers. */
    static void startServer() throws Exception {
        java.nio.file.Path script = libertyDir().resolve("bin/server");
        Process p = new ProcessBuilder(script.toString(), "start", "defaultServer")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS), script + " start defaultServer within 180 s");
        assertEquals(0, p.exitValue(), script + " start defaultServer");
    }
}
