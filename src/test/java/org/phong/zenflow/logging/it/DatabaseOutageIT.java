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
        assertEquals(200, ItEnvironment.awaitStatus200("/health/ready", Duration.ofSeconds(120)));
    }

    @Test
    void aFrozenDatabaseDoesNotBlockRouteAndLosesNothing() throws Exception {
        UUID workflow = UUID.randomUUID();
        List<UUID> httpRuns = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            UUID run = UUID.randomUUID();
            httpRuns.add(run);
            PipelineIT.post("/api/v1/runs/" + run + "/start", "{\"workflowId\":\"" + workflow + "\"}", 202);
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
                assertEquals(100, PipelineIT.post("/api/v1/logs", arr.build().toString(), 202).getInt("accepted"));
            }
            JsonObject sim = PipelineIT.post("/api/v1/admin/simulate",
                    "{\"runs\":10,\"entriesPerRun\":100,\"threads\":2,\"complete\":true}", 200);
            assertEquals(1000, sim.getInt("accepted"));
            simulated = RunLifecycleIT.ids(sim);
            Duration took = Duration.between(t0, Instant.now());
            System.out.println("ingested 3,000 entries with the database frozen in " + took.toMillis() + " ms");
            assertTrue(took.compareTo(INGEST_BOUND) < 0, "ingestion took " + took + " with the database frozen");
            JsonObject status = PipelineIT.getJson("/api/v1/admin/status");
            assertTrue(status.getJsonNumber("inFlight").longValue() >= 1000, "entries wait in flight: " + status);
        } finally {
            signal("-CONT", pids);
        }
        for (UUID run : httpRuns) PipelineIT.post("/api/v1/runs/" + run + "/end", "{\"outcome\":\"FAILED\"}", 202);
        PipelineIT.awaitPersisted(httpRuns, 100);
        PipelineIT.assertExactlyOnceGapFree(httpRuns, 100);
        PipelineIT.awaitPersisted(simulated, 100);
        PipelineIT.assertExactlyOnceGapFree(simulated, 100);
    }

    /** The postmaster (first line of postmaster.pid) and every process it started. */
    private static List<Long> postgresProcesses() throws Exception {
        Path pidFile = Path.of(System.getProperty("it.db.dir", "target/it-pgdata"), "postmaster.pid");
        long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        List<Long> pids = new ArrayList<>();
        pids.add(postmaster);
        ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    private static void signal(String sig, List<Long> pids) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kill", sig));
        pids.forEach(p -> cmd.add(Long.toString(p)));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill " + sig + " " + pids);
    }
}
