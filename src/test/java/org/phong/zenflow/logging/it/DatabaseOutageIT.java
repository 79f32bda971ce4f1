package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A database that stops answering (every PostgreSQL process frozen with SIGSTOP: connections hang,
 * the nastiest kind of outage) does not block ingestion: route() and POST /api/v1/logs keep
 * answering at once, entries wait in flight, and after the database resumes every one of them is
 * stored exactly once with gap-free seq.
 */
class DatabaseOutageIT {
    /** Generous bound for the whole ingestion during the outage; a blocked route() would never return. */
    private static final Duration INGEST_BOUND = Duration.ofSeconds(15);

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    void aFrozenDatabaseDoesNotBlockRouteAndLosesNothing() throws Exception {
        UUID workflow = UUID.randomUUID();
        List<UUID> httpRuns = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            UUID run = UUID.randomUUID();
            httpRuns.add(run);
            ItEnvironment.postJson("/api/v1/runs/" + run + "/start", "{\"workflowId\":\"" + workflow + "\"}", 202);
        }
        List<Long> pids = postgresProcesses();
        List<UUID> simulated;
        signal("-STOP", pids);
        try {
            Instant t0 = Instant.now();
            for (UUID run : httpRuns) {
                JsonArrayBuilder arr = Json.createArrayBuilder();
                for (int i = 0; i < 100; i++) {
                    arr.add(Json.createObjectBuilder().add("workflowId", workflow.toString()).add("runId", run.toString())
                            .add("nodeKey", "n").add("level", "INFO").add("message", "during outage " + i));
                }
                assertEquals(100, ItEnvironment.postJson("/api/v1/logs", arr.build().toString(), 202).getInt("accepted"));
            }
            JsonObject sim = ItEnvironment.postJson("/api/v1/admin/simulate",
                    "{\"runs\":10,\"entriesPerRun\":100,\"threads\":2,\"complete\":true}", 200);
            assertEquals(1000, sim.getInt("accepted"));
            simulated = RunLifecycleIT.ids(sim);
            Duration took = Duration.between(t0, Instant.now());
            System.out.println("ingested 3,000 entries with the database frozen in " + took.toMillis() + " ms");
            assertTrue(took.compareTo(INGEST_BOUND) < 0, "ingestion took " + took + " with the database frozen");
            JsonObject status = ItEnvironment.getJson("/api/v1/admin/status");
            assertTrue(status.getJsonNumber("inFlight").longValue() >= 1000, "entries wait in flight: " + status);
        } finally {
            signal("-CONT", pids);
        }
        for (UUID run : httpRuns) ItEnvironment.postJson("/api/v1/runs/" + run + "/end", "{\"outcome\":\"FAILED\"}", 202);
        StoredLogs.awaitPersisted(httpRuns, 100);
        StoredLogs.assertExactlyOnceGapFree(httpRuns, 100);
        StoredLogs.awaitPersisted(simulated, 100);
        StoredLogs.assertExactlyOnceGapFree(simulated, 100);
    }

    @Test
    void backpressureShedsDebugAndAnswers429WhileTheDatabaseIsFrozenAndKeepsEveryAcceptedEntry() throws Exception {
        JsonObject before = ItEnvironment.getJson("/api/v1/admin/status");
        long capacity = before.getJsonNumber("capacity").longValue();
        List<Long> pids = postgresProcesses();
        JsonObject sim;
        signal("-STOP", pids);
        try {
            // More than the capacity, while nothing can be persisted: in flight climbs to the threshold,
            // then DEBUG is shed (DROP_DEBUG_FIRST), INFO at capacity; WARN/ERROR use the reserve.
            int runs = 100;
            int perRun = (int) (capacity * 12 / 10 / runs);
            sim = ItEnvironment.postJson("/api/v1/admin/simulate",
                    "{\"runs\":" + runs + ",\"entriesPerRun\":" + perRun + ",\"threads\":4,\"complete\":true}", 200);
            assertTrue(sim.getInt("dropped") > 0, "DEBUG shed under backpressure: " + sim);
            JsonObject during = ItEnvironment.getJson("/api/v1/admin/status");
            assertTrue(during.getJsonObject("dropped").getJsonObject("DEBUG_FIRST").getInt("DEBUG") > 0, during.toString());
            assertEquals(0, during.getJsonObject("dropped").getJsonObject("CAPACITY").getInt("WARN"), "WARN never dropped");
            assertEquals(0, during.getJsonObject("dropped").getJsonObject("CAPACITY").getInt("ERROR"), "ERROR never dropped");

            UUID run = UUID.randomUUID();
            String body = "[{\"workflowId\":\"" + UUID.randomUUID() + "\",\"runId\":\"" + run
                    + "\",\"nodeKey\":\"n\",\"level\":\"ERROR\",\"message\":\"m\"}]";
            java.net.http.HttpResponse<String> res = ItEnvironment.httpClient().send(
                    java.net.http.HttpRequest.newBuilder(ItEnvironment.uri("/api/v1/logs"))
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(429, res.statusCode(), res.body());
            assertTrue(res.headers().firstValue("Retry-After").isPresent(), "Retry-After");
            // The same state as an operator sees it: readiness names the threshold, the metrics count it.
            ItEnvironment.Health ready = ItEnvironment.health("/health/ready");
            assertEquals(503, ready.status(), ready.doc().toString());
            JsonObject backpressure = ready.check("zenflow-logging-backpressure");
            assertEquals("DOWN", backpressure.getString("status"), backpressure.toString());
            assertTrue(backpressure.getJsonObject("data").getString("reason").contains("reached the backpressure threshold"),
                    backpressure.toString());
            PrometheusText metrics = ItEnvironment.metrics();
            assertTrue(metrics.sum("zenflow_logging_router_dropped_total", "reason", "debug_first", "level", "debug") > 0, "drops counted");
            assertTrue(metrics.sum("zenflow_logging_ingestion_rejected_total", "reason", "backpressure") >= 1, "429 counted");
            assertTrue(metrics.value("zenflow_logging_router_in_flight") >= metrics.value("zenflow_logging_router_backpressure_threshold"),
                    "in-flight gauge at the threshold");
        } finally {
            signal("-CONT", pids);
        }
        // Every accepted entry arrives; a run's seq stays gap-free because shed entries never got one.
        List<UUID> runs = RunLifecycleIT.ids(sim);
        long accepted = sim.getInt("accepted");
        java.time.Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (StoredLogs.countRows(runs) < accepted && Instant.now().isBefore(deadline)) Thread.sleep(250);
        assertEquals(accepted, StoredLogs.countRows(runs));
        try (var c = ItEnvironment.openConnection();
             var ps = c.prepareStatement("SELECT count(*) FROM (SELECT run_id FROM logs WHERE run_id = ANY (?) "
                     + "GROUP BY run_id HAVING count(*) <> max(seq) OR count(DISTINCT seq) <> count(*)) gaps")) {
            ps.setArray(1, c.createArrayOf("uuid", runs.toArray()));
            try (var rs = ps.executeQuery()) {
                rs.next();
                assertEquals(0, rs.getLong(1), "runs with a gap or a duplicate seq");
            }
        }
    }

    /** The postmaster (first line of postmaster.pid) and every process it started. */
    static List<Long> postgresProcesses() throws Exception {
        Path pidFile = Path.of(System.getProperty("it.db.dir", "target/it-pgdata"), "postmaster.pid");
        long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        List<Long> pids = new ArrayList<>();
        pids.add(postmaster);
        ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /**
     * Signals every process still alive. A backend may exit between listing and signalling (a pooled
     * connection closed, a worker finished): that one needs no signal, so it is skipped, not an error.
     */
    static void signal(String sig, List<Long> pids) throws Exception {
        List<Long> alive = pids.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).toList();
        List<String> cmd = new ArrayList<>(List.of("kill", sig));
        alive.forEach(p -> cmd.add(Long.toString(p)));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "kill " + sig + " returned within 30 s");
        int rc = p.exitValue();
        List<Long> gone = alive.stream().filter(pid -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)).toList();
        assertTrue(rc == 0 || !gone.isEmpty(), "kill " + sig + " " + alive + " failed while every process was alive");
    }
}
