package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.phong.zenflow.logging.metrics.MetricNames;
import org.phong.zenflow.logging.testing.ExactlyOnce;

/**
 * Cluster mode on three Liberty servers (copies of the IT server, {@link LibertyCopies}) sharing the
 * IT database and the forked KRaft broker, with an ingest topic of 6 partitions: entries of one run
 * posted to random nodes (every batch to another node than the last), its start and end to yet
 * others, are stored once each, seq 1..n in the order they were posted; then one node is killed
 * (SIGKILL) under load and not restarted, and every entry any node confirmed durable (Kafka
 * acknowledged it) is stored exactly once, each run gap-free. Checked entry by entry by unique
 * message after every run has ended (the runs table says so), reading the table to its end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final int PARTITIONS = 6;
    private static final String SUFFIX = Long.toString(System.currentTimeMillis(), 36);
    private static final String INGEST = "cluster-it-ingest-" + SUFFIX;
    private static final String OUTPUT = "cluster-it-output-" + SUFFIX;
    private static final Duration STORED_TIMEOUT = Duration.ofSeconds(180);
    private static final HttpClient HTTP = ItEnvironment.httpClientAs(ItCredentials.ALL_ROLES);

    private static LibertyCopies copies;
    private static final List<LibertyCopies.Node> nodes = new ArrayList<>();

    @BeforeAll
    static void startThreeNodes() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTopic.bootstrap());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(INGEST, PARTITIONS, (short) 1), new NewTopic(OUTPUT, PARTITIONS, (short) 1)))
                    .all().get(60, TimeUnit.SECONDS);
        }
        copies = new LibertyCopies();
        for (String name : List.of("cluster-a", "cluster-b", "cluster-c")) {
            Map<String, String> env = new HashMap<>();
            env.put("ZENFLOW_LOGGING_CLUSTER_ENABLED", "true");
            env.put("ZENFLOW_LOGGING_CLUSTER_INGEST_TOPIC", INGEST);
            env.put("ZENFLOW_LOGGING_CLUSTER_OUTPUT_TOPIC", OUTPUT);
            env.put("ZENFLOW_LOGGING_CLUSTER_GROUP_ID", "cluster-it-" + SUFFIX);
            env.put("ZENFLOW_LOGGING_CLUSTER_NODE_NAME", name);
            // a killed node's partitions move after this long without its heartbeat (Kafka's default is 45 s)
            env.put("ZENFLOW_LOGGING_CLUSTER_SESSION_TIMEOUT_MS", "6000");
            env.put("ZENFLOW_LOGGING_KAFKA_TOPIC", OUTPUT);
            nodes.add(copies.create(name, env));
        }
        copies.startAll();
        for (LibertyCopies.Node n : nodes) {
            await(n.name() + " ready").atMost(LibertyCopies.START_TIMEOUT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> status(n, "GET", "/health/ready", null) == 200);
        }
    }

    @AfterAll
    static void stopNodes() throws Exception {
        if (copies != null) copies.close();
    }

    @Test
    @Order(1)
    void entriesOfOneRunPostedToEveryNodeAreStoredOnceGapFreeInPostedOrder() throws Exception {
        Random rnd = new Random(20261201);
        UUID workflow = UUID.randomUUID();
        int runs = 100;
        Map<UUID, List<String>> posted = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Future<?>> work = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            UUID run = UUID.randomUUID();
            long seed = rnd.nextLong();
            work.add(pool.submit(() -> {
                Random my = new Random(seed);
                int node = my.nextInt(3);
                post(nodes.get(node), "/api/v1/runs/" + run + "/start", "{\"workflowId\":\"" + workflow + "\"}", 202);
                List<String> messages = new ArrayList<>();
                int batches = 3 + my.nextInt(6);
                for (int b = 0; b < batches; b++) {
                    node = (node + 1 + my.nextInt(2)) % 3; // never the node of the last batch
                    JsonArrayBuilder arr = Json.createArrayBuilder();
                    int size = 1 + my.nextInt(20);
                    for (int i = 0; i < size; i++) {
                        String m = run + "-" + messages.size();
                        messages.add(m);
                        arr.add(Json.createObjectBuilder().add("workflowId", workflow.toString()).add("runId", run.toString())
                                .add("nodeKey", "n" + b).add("level", i % 7 == 0 ? "WARN" : "INFO").add("message", m));
                    }
                    JsonObject o = post(nodes.get(node), "/api/v1/logs?wait=durable", arr.build().toString(), 202);
                    assertEquals(size, o.getInt("accepted"), o.toString());
                    assertTrue(o.getBoolean("durable"), "acknowledged by Kafka: " + o);
                }
                node = (node + 1 + my.nextInt(2)) % 3;
                post(nodes.get(node), "/api/v1/runs/" + run + "/end", "{\"outcome\":\"SUCCEEDED\"}", 202);
                posted.put(run, messages);
                return null;
            }));
        }
        for (Future<?> f : work) f.get(5, TimeUnit.MINUTES);
        pool.shutdown();

        awaitEnded(posted.keySet());
        ExactlyOnce check = new ExactlyOnce();
        for (List<String> m : posted.values()) check.mustArrive(m);
        Map<UUID, List<String>> stored = storedInSeqOrder(posted.keySet(), check);
        check.verdict().assertExact("entries posted to three nodes");
        for (Map.Entry<UUID, List<String>> e : posted.entrySet()) {
            assertEquals(e.getValue(), stored.get(e.getKey()), "run " + e.getKey() + ": seq 1..n in posted order");
        }
        assertRunsTableCounts(posted);
    }

    @Test
    @Order(3)
    void aReaderOnOneNodeTailsARunWrittenThroughTheOthersAndResumesOnAThird() throws Exception {
        UUID workflow = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        LibertyCopies.Node a = nodes.get(0);
        LibertyCopies.Node b = nodes.get(1);
        LibertyCopies.Node c = nodes.get(2);
        post(b, "/api/v1/runs/" + run + "/start", "{\"workflowId\":\"" + workflow + "\"}", 202);
        int batches = 30;
        int perBatch = 10;
        int n = batches * perBatch;
        TailClient whole = TailClient.open(a.ws(), run.toString(), 0, null, true, 0);
        TailClient first = TailClient.open(a.ws(), run.toString(), 0, null, true, n / 3); // drops the connection mid-run
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            JsonArrayBuilder arr = Json.createArrayBuilder();
            for (int k = 0; k < perBatch; k++) {
                String m = run + "-" + messages.size();
                messages.add(m);
                arr.add(Json.createObjectBuilder().add("workflowId", workflow.toString()).add("runId", run.toString())
                        .add("nodeKey", "n").add("level", "INFO").add("message", m));
            }
            post(i % 2 == 0 ? b : c, "/api/v1/logs?wait=durable", arr.build().toString(), 202);
            if (i == batches / 2) {
                await("the first reader dropped its connection").atMost(STORED_TIMEOUT).until(first.done::isDone);
            }
        }
        TailClient resumed = TailClient.open(c.ws(), run.toString(), first.lastSeq(), null, true, 0);
        post(b, "/api/v1/runs/" + run + "/end", "{\"outcome\":\"SUCCEEDED\"}", 202);

        for (TailClient t : List.of(whole, resumed)) {
            String closed = t.done.get(STORED_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(closed.startsWith("1000"), "closed after run-ended: " + closed);
            assertTrue(t.runEnded != null && t.runEnded.contains("\"lastSeq\":" + n), "run-ended with lastSeq " + n + ": " + t.runEnded);
        }
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= n; s++) expected.add(s);
        assertEquals(expected, whole.seqs(), "a reader on node A: 1..N of a run written through B and C");
        List<Long> joined = new ArrayList<>(first.seqs());
        joined.addAll(resumed.seqs());
        assertEquals(expected, joined, "dropped on A after " + first.lastSeq() + ", resumed on C: exactly 1..N");
    }

    /**
     * What an operator watches on a cluster node, after test 1 stored its runs: readiness names the cluster check
     * UP; /metrics serves every cluster series (the dashboard's cluster panels query them), the nodes together
     * own every ingest partition and stored entries; the admin snapshot is the node's, agreeing with the metrics.
     */
    @Test
    @Order(2)
    void eachNodeShowsItsClusterStateInHealthMetricsAndAdminStatus() throws Exception {
        double stored = 0;
        for (LibertyCopies.Node n : nodes) {
            JsonObject ready = ItEnvironment.parse(send(n, "GET", "/health/ready", null).body());
            assertTrue(ready.getJsonArray("checks").getValuesAs(JsonObject.class).stream().anyMatch(c ->
                    c.getString("name").equals("zenflow-logging-cluster") && c.getString("status").equals("UP")), n.name() + ": " + ready);
            PrometheusText m = PrometheusText.parse(send(n, "GET", "/metrics", null).body());
            for (String series : MetricNames.series(MetricNames.CLUSTER)) assertTrue(m.has(series), n.name() + " serves " + series);
            stored += m.sum("zenflow_logging_cluster_entries_stored_total");
            JsonObject status = ItEnvironment.parse(send(n, "GET", "/api/v1/admin/status", null).body());
            assertEquals("cluster", status.getString("mode"), status.toString());
            JsonObject node = status.getJsonObject("cluster");
            assertEquals(n.name(), node.getString("node"));
            assertTrue(node.getBoolean("ready"), node.toString());
            assertTrue(node.getJsonObject("owner").getBoolean("running"), node.toString());
        }
        assertTrue(stored > 0, "the nodes count the entries they stored");
        await("the three nodes own every ingest partition once").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    int owned = 0;
                    for (LibertyCopies.Node n : nodes) {
                        owned += ItEnvironment.parse(send(n, "GET", "/api/v1/admin/status", null).body()).getJsonObject("cluster")
                                .getJsonArray("ownedPartitions").size();
                    }
                    return owned == PARTITIONS;
                });
    }

    @Test
    @Order(4)
    void aKilledNodesPartitionsMoveAndEveryConfirmedEntryIsStoredOnce() throws Exception {
        UUID workflow = UUID.randomUUID();
        int clients = 12;
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> confirmed = ConcurrentHashMap.newKeySet();
        Set<String> unconfirmed = ConcurrentHashMap.newKeySet();
        Map<UUID, Integer> runsOf = new ConcurrentHashMap<>();
        LibertyCopies.Node victim = nodes.get(2);
        AtomicBoolean victimDead = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> work = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            work.add(pool.submit(() -> {
                UUID run = UUID.randomUUID();
                runsOf.put(run, 0);
                int node = client % 3;
                post(nodes.get(client % 2), "/api/v1/runs/" + run + "/start", "{\"workflowId\":\"" + workflow + "\"}", 202);
                for (int b = 0; !stop.get(); b++) {
                    node = (node + 1) % 3;
                    if (nodes.get(node) == victim && victimDead.get()) node = (node + 1) % 3;
                    List<String> batch = new ArrayList<>();
                    JsonArrayBuilder arr = Json.createArrayBuilder();
                    for (int i = 0; i < 10; i++) {
                        String m = run + "-b" + b + "-" + i;
                        batch.add(m);
                        arr.add(Json.createObjectBuilder().add("workflowId", workflow.toString()).add("runId", run.toString())
                                .add("nodeKey", "n").add("level", "INFO").add("message", m));
                    }
                    try {
                        HttpResponse<String> res = send(nodes.get(node), "POST", "/api/v1/logs?wait=durable", arr.build().toString());
                        JsonObject o = res.statusCode() == 202 ? ItEnvironment.parse(res.body()) : null;
                        if (o != null && o.getBoolean("durable", false)) confirmed.addAll(batch);
                        else unconfirmed.addAll(batch);
                    } catch (java.io.IOException lostWithTheNode) {
                        unconfirmed.addAll(batch); // may or may not have reached Kafka before the kill
                    }
                }
                post(nodes.get((client + 1) % 2), "/api/v1/runs/" + run + "/end", "{\"outcome\":\"SUCCEEDED\"}", 202);
                return null;
            }));
        }
        Thread.sleep(8_000);
        copies.kill(victim);
        victimDead.set(true);
        Thread.sleep(12_000); // the victim's partitions move after its session timeout (6 s); load goes on meanwhile
        stop.set(true);
        for (Future<?> f : work) f.get(5, TimeUnit.MINUTES);
        pool.shutdown();
        System.out.printf("kill -9 under load: %,d entries confirmed durable, %,d unconfirmed (sent to the victim or lost with it)%n",
                confirmed.size(), unconfirmed.size());
        assertTrue(confirmed.size() > 1000, "the load ran: " + confirmed.size());

        awaitEnded(runsOf.keySet());
        ExactlyOnce check = new ExactlyOnce().mustArrive(confirmed).mayArrive(unconfirmed);
        Map<UUID, List<String>> stored = storedInSeqOrder(runsOf.keySet(), check);
        check.verdict().assertExact("entries confirmed by the surviving and the killed node");
        assertEquals(runsOf.keySet(), stored.keySet(), "every run has rows");
    }

    /** Waits until every run is ended in the runs table (its end travelled after its entries). */
    private static void awaitEnded(Set<UUID> runs) {
        await("all " + runs.size() + " runs ended in the runs table").atMost(STORED_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    try (Connection c = ItEnvironment.openConnection();
                         PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM runs WHERE run_id = ANY (?) AND ended IS NOT NULL")) {
                        ps.setArray(1, c.createArrayOf("uuid", runs.toArray()));
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            return rs.getLong(1);
                        }
                    }
                }, n -> n == runs.size());
    }

    /**
     * Reads every row of the runs to the end, in seq order, into {@code check}; asserts each run's seqs
     * are 1..n without a gap or a repeat. @return each run's messages in seq order
     */
    private static Map<UUID, List<String>> storedInSeqOrder(Set<UUID> runs, ExactlyOnce check) throws Exception {
        Map<UUID, List<String>> out = new HashMap<>();
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement("SELECT run_id, seq, message FROM logs WHERE run_id = ANY (?) ORDER BY run_id, seq")) {
            ps.setArray(1, c.createArrayOf("uuid", runs.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID run = (UUID) rs.getObject(1);
                    List<String> l = out.computeIfAbsent(run, k -> new ArrayList<>());
                    assertEquals(l.size() + 1, rs.getLong(2), "run " + run + ": seq without a gap or a repeat");
                    l.add(rs.getString(3));
                    check.read(rs.getString(3));
                }
            }
        }
        return out;
    }

    /** The runs table counts each run's stored entries and warnings, and its last seq. */
    private static void assertRunsTableCounts(Map<UUID, List<String>> posted) throws Exception {
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement("SELECT run_id, entries, last_seq, outcome FROM runs WHERE run_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", posted.keySet().toArray()));
            int seen = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    seen++;
                    int n = posted.get((UUID) rs.getObject(1)).size();
                    assertEquals(n, rs.getLong(2), "entries of run " + rs.getObject(1));
                    assertEquals(n, rs.getLong(3), "last seq of run " + rs.getObject(1));
                    assertEquals("SUCCEEDED", rs.getString(4), "outcome of run " + rs.getObject(1));
                }
            }
            assertEquals(posted.size(), seen, "runs in the runs table");
        }
    }

    private static JsonObject post(LibertyCopies.Node n, String path, String body, int expected) throws Exception {
        HttpResponse<String> res = send(n, "POST", path, body);
        assertEquals(expected, res.statusCode(), n.name() + " " + path + " answered " + res.body());
        return res.body().isBlank() ? Json.createObjectBuilder().build() : ItEnvironment.parse(res.body());
    }

    private static int status(LibertyCopies.Node n, String method, String path, String body) throws Exception {
        return send(n, method, path, body).statusCode();
    }

    private static HttpResponse<String> send(LibertyCopies.Node n, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(n.uri(path)).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
