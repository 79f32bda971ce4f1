package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A journal that fills up (the database frozen, a small {@code journal.max-bytes}): the documented order
 * holds. From 80% of the budget HTTP answers 429 and readiness goes DOWN with the journal's reason;
 * in-process DEBUG is shed first, then INFO; WARN/ERROR are accepted until 95% and refused after; and
 * nothing accepted is lost: after the database thaws, every accepted entry is stored, runs gap-free.
 * The server is restarted with the small journal for this test and restarted with its own settings after.
 */
class JournalFullIT {
    private static final long MAX_BYTES = 32L << 20;
    private static final long SEGMENT_BYTES = 1L << 20;

    @Test
    void aFullJournalShedsByLevelRefusesAndLosesNothingItAccepted() throws Exception {
        try {
            fillUpAndCheck();
        } finally {
            restartServer(null);   // the ITs after this one need the server with its own settings
        }
    }

    private void fillUpAndCheck() throws Exception {
        restartServer("-Dzenflow.logging.durable.journal.max-bytes=" + MAX_BYTES
                + " -Dzenflow.logging.durable.journal.segment-bytes=" + SEGMENT_BYTES);
        PostgresControl pg = PostgresControl.find();
        List<UUID> runs = new java.util.ArrayList<>();
        long accepted = 0;
        long droppedSum = 0;
        long rejectedSum = 0;
        pg.freeze();
        try {
            // Entries of every level until the journal itself is past 90% of its budget (while the router's queue
            // holds entries, admission counts them as coming: a round may be refused before the journal is that full).
            JsonObject status = null;
            for (int round = 0; round < 30; round++) {
                JsonObject sim = ItEnvironment.postJson("/api/v1/admin/simulate",
                        "{\"runs\":20,\"entriesPerRun\":2500,\"threads\":4,\"complete\":false}", 200, Duration.ofSeconds(300));
                runs.addAll(RunLifecycleIT.ids(sim));
                accepted += sim.getInt("accepted");
                droppedSum += sim.getInt("dropped");
                rejectedSum += sim.getInt("rejected");
                Thread.sleep(1_000);
                status = ItEnvironment.getJson("/api/v1/admin/status");
                if (status.getJsonObject("journalBacklog").getInt("fillPercent") >= 90 && rejectedSum > 0) break;
            }
            System.out.printf("[JournalFullIT] with the database frozen: %d accepted, %d dropped, %d refused; %s%n",
                    accepted, droppedSum, rejectedSum, status.getJsonObject("journalBacklog"));
            assertTrue(droppedSum > 0 && rejectedSum > 0, "DEBUG/INFO shed, then everything refused");
            JsonObject dropped = status.getJsonObject("dropped");
            assertTrue(dropped.getJsonObject("DEBUG_FIRST").getInt("DEBUG") > 0, "DEBUG shed first by the strategy: " + dropped);
            assertTrue(dropped.getJsonObject("CAPACITY").getInt("INFO") > 0, "INFO dropped from 90%: " + dropped);
            assertEquals(0, dropped.getJsonObject("CAPACITY").getInt("WARN"), "WARN never dropped, only refused");
            JsonObject backlog = status.getJsonObject("journalBacklog");
            assertTrue(backlog.getInt("fillPercent") >= 90, backlog.toString());
            assertTrue(backlog.getJsonNumber("usedBytes").longValue() <= MAX_BYTES, backlog.toString());
            assertEquals(0, backlog.getJsonNumber("overflowEntries").longValue(), "refused before full: nothing waits in memory");

            String body = "[{\"workflowId\":\"" + UUID.randomUUID() + "\",\"runId\":\"" + UUID.randomUUID()
                    + "\",\"nodeKey\":\"n\",\"level\":\"ERROR\",\"message\":\"m\"}]";
            HttpResponse<String> res = ItEnvironment.httpClient().send(HttpRequest.newBuilder(ItEnvironment.uri("/api/v1/logs"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(429, res.statusCode(), res.body());
            ItEnvironment.Health ready = ItEnvironment.health("/health/ready");
            assertEquals(503, ready.status(), ready.doc().toString());
            JsonObject journal = ready.check("zenflow-logging-journal");
            assertEquals("DOWN", journal.getString("status"), journal.toString());
            assertTrue(journal.getJsonObject("data").getString("reason").contains("% of its budget"), journal.toString());
            PrometheusText metrics = ItEnvironment.metrics();
            assertTrue(metrics.sum("zenflow_logging_router_rejected_total", "reason", "journal_full") > 0
                    || metrics.sum("zenflow_logging_router_rejected", "reason", "journal_full") > 0, "refusals counted by reason");
        } finally {
            pg.thaw();
        }
        StoredLogs.awaitRowsAtLeast(runs, accepted, Duration.ofSeconds(180));
        // Delivery finished (no replay, no backlog, nothing in flight): anything beyond the accepted entries is in the table now.
        ItEnvironment.awaitDrained(Duration.ofSeconds(120));
        assertEquals(accepted, StoredLogs.countRows(runs), "every accepted entry stored, nothing more");
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

    /** Stops the IT server and starts it again, with extra JVM options (null: its own settings). */
    static void restartServer(String jvmArgs) throws Exception {
        Process stop = new ProcessBuilder(ItEnvironment.libertyDir().resolve("bin/server").toString(), "stop", "defaultServer")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(stop.waitFor(120, TimeUnit.SECONDS), "server stop");
        ProcessBuilder start = new ProcessBuilder(ItEnvironment.libertyDir().resolve("bin/server").toString(), "start", "defaultServer")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT);
        if (jvmArgs != null) start.environment().put("JVM_ARGS", jvmArgs);
        else start.environment().remove("JVM_ARGS");
        Process p = start.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS) && p.exitValue() == 0, "server start");
        ItEnvironment.awaitReady();
    }
}
