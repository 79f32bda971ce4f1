package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.phong.zenflow.logging.metrics.MetricNames;

/**
 * /metrics and /health on the running server under load and faults: counters move by exactly what
 * was sent, the in-flight and queue gauges rise under a burst and fall back, a frozen database turns
 * readiness DOWN with its reason (and sink failures up) and readiness recovers, and every series the
 * Grafana dashboard queries exists.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsIT {
    private static final String ACCEPTED = "zenflow_logging_router_accepted_total";
    private static final String DROPPED = "zenflow_logging_router_dropped_total";
    private static final String WRITTEN = "zenflow_logging_sink_written_total";
    private static final String FAILURES = "zenflow_logging_sink_failures_total";
    private static final String INGESTION_REJECTED = "zenflow_logging_ingestion_rejected_total";
    private static final String IN_FLIGHT = "zenflow_logging_router_in_flight";
    private static final String QUEUE_DEPTH = "zenflow_logging_router_queue_depth";
    private static final String CAPACITY = "zenflow_logging_router_capacity";
    private static final String PG = "postgresql";
    /** Generous: values settle within a few seconds on an idle machine. */
    private static final Duration SETTLE = Duration.ofSeconds(120);
    private static final Duration POLL = Duration.ofMillis(250);

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    @Order(1)
    void countersMoveByExactlyTheEntriesSentAndRejectionsAreCountedByReason() throws Exception {
        PrometheusText before = metricsWhenIdle();
        UUID workflow = UUID.randomUUID();
        List<UUID> runs = new ArrayList<>();
        String[] cycle = {"DEBUG", "DEBUG", "DEBUG", "DEBUG", "INFO", "INFO", "INFO", "INFO", "WARN", "ERROR"};
        for (int r = 0; r < 5; r++) {
            UUID run = UUID.randomUUID();
            runs.add(run);
            ItEnvironment.startRun(workflow, run);
            JsonArrayBuilder arr = Json.createArrayBuilder();
            for (int i = 0; i < 100; i++) {
                arr.add(Json.createObjectBuilder().add("workflowId", workflow.toString()).add("runId", run.toString())
                        .add("nodeKey", "n").add("level", cycle[i % cycle.length]).add("message", "metrics " + i));
            }
            assertEquals(100, ItEnvironment.postJson("/api/v1/logs", arr.build().toString(), 202).getInt("accepted"));
            ItEnvironment.postJson("/api/v1/runs/" + run + "/end", "{\"outcome\":\"SUCCEEDED\"}", 202);
        }
        StoredLogs.awaitPersisted(runs, 100);
        // A bad entry (400, nothing accepted) and a body of the wrong media type (415).
        post("/api/v1/logs", "application/json", "[{\"workflowId\":\"" + workflow + "\"}]", 400);
        post("/api/v1/logs", "text/plain", "hello", 415);

        awaitDelta(before, 500, false, WRITTEN, "sink", PG);
        PrometheusText after = ItEnvironment.metrics();
        assertEquals(200, delta(before, after, ACCEPTED, "level", "debug"), "DEBUG accepted");
        assertEquals(200, delta(before, after, ACCEPTED, "level", "info"), "INFO accepted");
        assertEquals(50, delta(before, after, ACCEPTED, "level", "warn"), "WARN accepted");
        assertEquals(50, delta(before, after, ACCEPTED, "level", "error"), "ERROR accepted");
        assertEquals(500, delta(before, after, WRITTEN, "sink", PG), "entries persisted");
        assertEquals(0, delta(before, after, DROPPED), "nothing shed");
        assertEquals(1, delta(before, after, INGESTION_REJECTED, "reason", "invalid"), "400 counted");
        assertEquals(1, delta(before, after, INGESTION_REJECTED, "reason", "unsupported_media_type"), "415 counted");
        assertTrue(delta(before, after, "zenflow_logging_sink_write_duration_seconds_count", "sink", PG, "outcome", "success") >= 1, "COPY timed");
        assertTrue(delta(before, after, "zenflow_logging_sink_batch_size_count", "sink", PG) >= 1, "COPY sizes recorded");
        // Every run flushes at least at its completion, and each ERROR flushes at once: >= 10 batches per run.
        assertTrue(delta(before, after, "zenflow_logging_buffer_batch_size_count") >= 50, "batches flushed");
        assertEquals(delta(before, after, "zenflow_logging_buffer_batch_size_sum"), 500, "entries in flushed batches");
        assertTrue(delta(before, after, "zenflow_logging_buffer_batch_wait_seconds_count") >= 50, "batch waits recorded");
    }

    @Test
    @Order(2)
    void aBurstRaisesTheInFlightAndQueueGaugesAndTheyFallBack() throws Exception {
        PrometheusText before = metricsWhenIdle();
        JsonObject status = ItEnvironment.getJson("/api/v1/admin/status");
        assertEquals(status.getJsonNumber("capacity").longValue(), (long) before.value(CAPACITY), "capacity gauge");
        assertEquals(0, before.value(IN_FLIGHT), "nothing in flight before the burst");

        // Scrape as fast as possible while the burst is routed; the gauges are read at scrape time.
        AtomicBoolean stop = new AtomicBoolean();
        double[] max = new double[4];
        int[] scrapes = new int[1];
        Thread poller = new Thread(() -> {
            while (!stop.get()) {
                try {
                    PrometheusText m = ItEnvironment.metrics();
                    max[0] = Math.max(max[0], m.value(IN_FLIGHT));
                    max[1] = Math.max(max[1], m.value(QUEUE_DEPTH));
                    max[2] = Math.max(max[2], m.value("zenflow_logging_buffer_entries"));
                    max[3] = Math.max(max[3], m.value("zenflow_logging_journal_sink_backlog_bytes", "sink", PG));
                    scrapes[0]++;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }, "metrics-poller");
        poller.start();
        JsonObject sim;
        try {
            sim = ItEnvironment.postJson("/api/v1/admin/simulate",
                    "{\"runs\":100,\"entriesPerRun\":1000,\"threads\":8,\"complete\":true}", 200);
            List<UUID> runs = RunLifecycleIT.ids(sim);
            StoredLogs.awaitPersisted(runs, 1000);
        } finally {
            stop.set(true);
            poller.join(60_000);
            assertFalse(poller.isAlive(), "the metrics poller stopped within 60 s");
        }
        System.out.printf("burst of 100,000 entries: %d scrapes, max in flight %.0f, max router queue %.0f, max buffered %.0f, "
                + "max journal bytes ahead of PostgreSQL %.0f%n", scrapes[0], max[0], max[1], max[2], max[3]);
        assertEquals(100_000, sim.getInt("accepted"));
        // In-flight counts entries admitted and not yet durable; with the journal on (as here) an entry stops
        // counting once journaled, microseconds after route(), and the per-run buffers hand entries on as fast,
        // so scrapes may see neither high (a CI run: 28 scrapes, both 0). Where a burst must wait is between the
        // journal and PostgreSQL: 100,000 entries take seconds to COPY, so the PostgreSQL follower's journal
        // backlog (bytes, read from its position at scrape time) must show it, if nothing earlier did.
        assertTrue(before.has(IN_FLIGHT), "in-flight gauge exported");
        assertTrue(Math.max(max[0], max[2]) > 1000 || max[3] > 100_000, "the burst showed in flight, buffered or in the journal ahead "
                + "of PostgreSQL: max " + max[0] + " / " + max[2] + " entries, " + max[3] + " bytes");
        // The router queue is read too, but its rise is not asserted: the router drains 8 engine threads' burst
        // faster than scrapes come, so a scrape seeing it above 0 is luck (LoggingPipelineTest holds a worker instead).
        assertTrue(before.has(QUEUE_DEPTH), "router queue gauge exported");
        PrometheusText after = metricsWhenIdle();
        assertEquals(0, after.value(QUEUE_DEPTH), "queue empty again");
        assertEquals(100_000, delta(before, after, ACCEPTED), "accepted counter moved by the burst exactly");
        assertEquals(100_000, delta(before, after, WRITTEN, "sink", PG), "written counter moved by the burst exactly");
        // Sampled timers (1 in 64 by default): ~1,560 samples expected of 100,000.
        assertTrue(delta(before, after, "zenflow_logging_router_route_duration_seconds_count") > 100, "route() sampled");
        assertTrue(delta(before, after, "zenflow_logging_pipeline_latency_seconds_count") > 100, "end-to-end sampled");
        assertTrue(after.value("zenflow_logging_pipeline_latency_seconds_max") > 0, "end-to-end max");
    }

    @Test
    @Order(3)
    void aFrozenDatabaseTurnsReadinessDownWithTheReasonAndItRecovers() throws Exception {
        awaitNothingInFlight();
        ItEnvironment.Health ready = ItEnvironment.health("/health/ready");
        assertEquals(200, ready.status(), ready.doc().toString());
        PrometheusText before = ItEnvironment.metrics();
        UUID workflow = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        List<Long> pids = DatabaseOutageIT.postgresProcesses();
        DatabaseOutageIT.signal("-STOP", pids);
        try {
            JsonArrayBuilder arr = Json.createArrayBuilder();
            for (int i = 0; i < 100; i++) {
                arr.add(Json.createObjectBuilder().add("workflowId", workflow.toString()).add("runId", run.toString())
                        .add("nodeKey", "n").add("level", "WARN").add("message", "frozen " + i));
            }
            ItEnvironment.startRun(workflow, run);
            assertEquals(100, ItEnvironment.postJson("/api/v1/logs", arr.build().toString(), 202).getInt("accepted"));
            ItEnvironment.postJson("/api/v1/runs/" + run + "/end", "{\"outcome\":\"FAILED\"}", 202);

            JsonObject db = awaitDatabaseReason("PostgreSQL is unreachable");
            String reason = db.getJsonObject("data").getString("reason");
            System.out.println("readiness with the database frozen: " + db);
            assertTrue(reason.contains("DB_HOST"), "says what to check: " + reason);
            // The IT server runs with the journal, which absorbs the outage: readiness stays UP and says so.
            assertEquals("UP", db.getString("status"), db.toString());
            assertTrue(db.getJsonObject("data").getString("degradation").contains("journal writable"), db.toString());
            ItEnvironment.Health live = ItEnvironment.health("/health/live");
            assertEquals(200, live.status(), "a frozen database is no reason to restart: " + live.doc());

            // The sink follows the journal: the entries wait there (its backlog, estimated from the journal's bytes),
            // not in memory.
            awaitGaugeAbove("zenflow_logging_sink_backlog", 0, "sink", PG);
        } finally {
            DatabaseOutageIT.signal("-CONT", pids);
        }
        ItEnvironment.Health back = awaitHealth("/health/ready", 200);
        assertEquals("UP", back.check("zenflow-logging-database").getString("status"));
        StoredLogs.awaitPersisted(List.of(run), 100);
        StoredLogs.assertExactlyOnceGapFree(List.of(run), 100);
        awaitDelta(before, 100, false, WRITTEN, "sink", PG);
        PrometheusText after = ItEnvironment.metrics();
        assertEquals(100, delta(before, after, WRITTEN, "sink", PG), "written once");
    }

    @Test
    @Order(4)
    void aDatabaseRefusingWritesMovesFailureRetryAndCircuitCountersAndReadinessSaysWhy() throws Exception {
        PrometheusText before = metricsWhenIdle();
        UUID workflow = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        // The database answers, but every row written into logs is refused (a BEFORE INSERT trigger,
        // which COPY fires too): the sink fails fast, Fault Tolerance retries, the circuit opens.
        sql("CREATE OR REPLACE FUNCTION metrics_it_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                + "$$ BEGIN RAISE EXCEPTION 'refused by MetricsIT'; END $$");
        sql("CREATE TRIGGER metrics_it_refuse BEFORE INSERT ON logs FOR EACH ROW EXECUTE FUNCTION metrics_it_refuse()");
        try {
            ItEnvironment.startRun(workflow, run);
            JsonArrayBuilder arr = Json.createArrayBuilder();
            for (int i = 0; i < 50; i++) {
                arr.add(Json.createObjectBuilder().add("workflowId", workflow.toString()).add("runId", run.toString())
                        .add("nodeKey", "n").add("level", "INFO").add("message", "refused " + i));
            }
            assertEquals(50, ItEnvironment.postJson("/api/v1/logs", arr.build().toString(), 202).getInt("accepted"));
            ItEnvironment.postJson("/api/v1/runs/" + run + "/end", "{\"outcome\":\"SUCCEEDED\"}", 202);

            awaitDelta(before, 1, true, FAILURES, "sink", PG);
            awaitDelta(before, 1, true, "ft_retry_retries_total");
            awaitDatabaseReason("sink postgresql is failing");
            // The degradation machine evaluates on its own schedule: level 2 follows within its check interval.
            JsonObject db = awaitDegradationLevel(2);
            String reason = db.getJsonObject("data").getString("reason");
            System.out.println("readiness with writes refused: " + reason);
            assertTrue(reason.contains("sink postgresql is failing"), reason);
            assertTrue(!reason.contains("refused by MetricsIT"), "anonymous health quotes no exception text: " + reason);
            assertTrue(ItEnvironment.getJson("/api/v1/admin/status").toString().contains("refused by MetricsIT"),
                    "the database's own error is in the admin status");
            assertTrue(!reason.contains(run.toString()), "no log content (the COPY line) in the health output: " + reason);
            assertTrue(reason.contains("refuses the writes"), reason);
            // Fault Tolerance counts each attempt: failure-threshold (10) failed attempts open the circuit.
            awaitDelta(before, 1, true, "ft_circuitbreaker_opened_total");
            awaitDelta(before, 1, true, "zenflow_logging_sink_retries_total", "sink", PG);
            PrometheusText during = ItEnvironment.metrics();
            assertTrue(delta(before, during, "zenflow_logging_sink_write_duration_seconds_count", "sink", PG, "outcome", "failure") >= 1,
                    "failed calls are timed");
            assertEquals(0, delta(before, during, WRITTEN, "sink", PG), "nothing written while refused");
            // They wait in the journal (the sink's backlog there), not in flight: admission is not held by the database.
            assertTrue(during.sum("zenflow_logging_sink_backlog", "sink", PG) > 0, "entries wait in the journal");
            assertTrue(during.value(IN_FLIGHT) < 50, "nothing held in flight by a refusing database");
        } finally {
            sql("DROP TRIGGER IF EXISTS metrics_it_refuse ON logs");
            sql("DROP FUNCTION IF EXISTS metrics_it_refuse()");
        }
        // After the circuit's recovery time the write goes through, once.
        StoredLogs.awaitPersisted(List.of(run), 50);
        StoredLogs.assertExactlyOnceGapFree(List.of(run), 50);
        awaitDelta(before, 50, false, WRITTEN, "sink", PG);
        assertEquals("UP", awaitHealth("/health/ready", 200).check("zenflow-logging-database").getString("status"));
    }

    @Test
    @Order(5)
    void everySeriesOfTheModuleAndOfTheDashboardIsServed() throws Exception {
        PrometheusText m = ItEnvironment.metrics();
        Files.writeString(Path.of("target", "metrics-sample.txt"), ItEnvironment.get("/metrics").body());
        Set<String> missing = new TreeSet<>();
        for (MetricNames.Def d : MetricNames.EVERY) {
            for (String series : d.prometheusSeries()) if (!m.has(series)) missing.add(series);
        }
        // cluster mode's panels query series a single node does not serve: ClusterIT checks those on cluster nodes
        Set<String> clusterOnly = Set.copyOf(MetricNames.series(MetricNames.CLUSTER));
        for (String series : org.phong.zenflow.logging.metrics.GrafanaDashboard.load().seriesNames()) {
            if (!m.has(series) && !clusterOnly.contains(series)) missing.add(series);
        }
        for (String series : clusterOnly) assertFalse(m.has(series), "a single node serves no cluster series: " + series);
        assertEquals(Set.of(), missing, "series missing from /metrics; served: " + m.names());
    }

    // ---------------------------------------------------------------- helpers

    private static void post(String path, String contentType, String body, int expected) throws Exception {
        HttpResponse<String> res = ItEnvironment.httpClient().send(HttpRequest.newBuilder(ItEnvironment.uri(path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, res.statusCode(), res.body());
    }

    private static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    /**
     * Waits until the series (summed over the samples matching {@code labels}) has moved by exactly
     * {@code expected} since {@code before}, or by at least that much when {@code atLeast}.
     */
    private static void awaitDelta(PrometheusText before, double expected, boolean atLeast, String name, String... labels)
            throws Exception {
        await(name + " moved by " + (atLeast ? "at least " : "") + expected).atMost(SETTLE)
                .pollDelay(Duration.ZERO).pollInterval(POLL).untilAsserted(() -> {
                    double moved = ItEnvironment.metrics().sum(name, labels) - before.sum(name, labels);
                    if (atLeast) assertTrue(moved >= expected, name + " moved by " + moved + ", expected at least " + expected);
                    else assertEquals(expected, moved, name + " moved by");
                });
    }

    private static void sql(String statement) throws Exception {
        try (var c = ItEnvironment.openConnection(); var st = c.createStatement()) {
            st.execute(statement);
        }
    }

    /** Waits until the gauge shows {@code expected}. */
    private static void awaitGauge(String name, double expected, String... labels) throws Exception {
        await(name + " shows " + expected).atMost(SETTLE).pollDelay(Duration.ZERO).pollInterval(POLL)
                .untilAsserted(() -> assertEquals(expected, ItEnvironment.metrics().sum(name, labels), name));
    }

    private static ItEnvironment.Health awaitHealth(String path, int status) throws Exception {
        return await(path + " answers " + status).atMost(SETTLE).pollDelay(Duration.ZERO).pollInterval(POLL)
                .until(() -> ItEnvironment.health(path), h -> h.status() == status);   // a timeout names the last status and document
    }

    /** @return a scrape taken once nothing is in flight and the router queue is empty */
    private static PrometheusText metricsWhenIdle() throws Exception {
        awaitNothingInFlight();
        return ItEnvironment.metrics();
    }

    private static void awaitNothingInFlight() throws Exception {
        await("nothing in flight, the router queue empty").atMost(SETTLE).pollDelay(Duration.ZERO).pollInterval(POLL)
                .untilAsserted(() -> {
                    PrometheusText m = ItEnvironment.metrics();
                    assertFalse(m.value(IN_FLIGHT) > 0 || m.value(QUEUE_DEPTH) > 0,
                            () -> "in flight " + m.value(IN_FLIGHT) + ", router queue depth " + m.value(QUEUE_DEPTH));
                });
    }

    /** Polls readiness until the database check's data has a reason containing {@code text}; returns the check. */
    private static void awaitGaugeAbove(String name, double floor, String... labels) throws Exception {
        await(name + " above " + floor).atMost(SETTLE).pollDelay(Duration.ZERO).pollInterval(POLL)
                .untilAsserted(() -> {
                    double v = ItEnvironment.metrics().sum(name, labels);
                    assertTrue(v > floor, name + " = " + v);
                });
    }

    private static JsonObject awaitDegradationLevel(int level) throws Exception {
        // a timeout names the last database check seen
        return await("readiness shows degradation level " + level).atMost(Duration.ofSeconds(60))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .until(() -> ItEnvironment.health("/health/ready").check("zenflow-logging-database"),
                        last -> last != null && last.containsKey("data") && last.getJsonObject("data").getInt("degradationLevel", 0) == level
                                && last.getJsonObject("data").containsKey("reason"));
    }

    private static JsonObject awaitDatabaseReason(String text) throws Exception {
        // a timeout names the last database check seen
        return await("readiness says '" + text + "'").atMost(Duration.ofSeconds(60))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .until(() -> ItEnvironment.health("/health/ready").check("zenflow-logging-database"),
                        last -> last != null && last.containsKey("data") && last.getJsonObject("data").getString("reason", "").contains(text));
    }
}
