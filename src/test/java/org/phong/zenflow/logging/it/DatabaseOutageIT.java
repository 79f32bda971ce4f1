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
 * answering at once, entries wait in the journal, and after the database resumes every one of them is
 * stored exactly once with gap-free seq. (The outage at 10,000 entries/s: {@link DatabaseOutageAbsorbedIT};
 * a journal that fills up: {@link JournalFullIT}.)
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
        List<UUID> httpRuns = ItEnvironment.startRuns(workflow, 20);
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
            // The entries wait in the journal, not in memory: the durable sink's backlog there holds them.
            JsonObject backlog = ItEnvironment.getJson("/api/v1/admin/status").getJsonObject("journalBacklog");
            assertTrue(backlog.getJsonNumber("bytes").longValue() > 0 && backlog.getJsonNumber("entries").longValue() >= 1000,
                    "entries wait in the journal: " + backlog);
        } finally {
            signal("-CONT", pids);
        }
        for (UUID run : httpRuns) ItEnvironment.postJson("/api/v1/runs/" + run + "/end", "{\"outcome\":\"FAILED\"}", 202);
        StoredLogs.awaitPersisted(httpRuns, 100);
        StoredLogs.assertExactlyOnceGapFree(httpRuns, 100);
        StoredLogs.awaitPersisted(simulated, 100);
        StoredLogs.assertExactlyOnceGapFree(simulated, 100);
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
