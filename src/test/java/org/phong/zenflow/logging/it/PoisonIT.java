package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Poison entries on the real server and database: one bad entry never stalls the pipeline.
 *
 * <ol>
 *   <li><b>Refused at ingest</b>: each value PostgreSQL is known to refuse ({@code 1e999999},
 *       {@code 1e-20000}, metadata keys that would merge once NUL is replaced) in one request among
 *       normal entries: 400 naming the field ({@code metadata.x}), nothing of the request stored;
 *       the neighbours of what validation can hold ({@code 1e308}, NUL in a key or a value) are
 *       accepted and stored.</li>
 *   <li><b>Dead-lettered</b>: what validation cannot know, here a CHECK constraint the test adds to
 *       {@code logs}: poison entries in one request among normal entries of the same and other runs.
 *       The normal entries are stored within seconds, the poison ones are in {@code logs_rejected}
 *       with SQLState 23514, runs are gap-free over both tables, the history API shows them in their
 *       place, readiness/admin status/metrics count them, and an entry posted next is stored.</li>
 *   <li><b>kill -9 with the poison in the journal</b>: the test holds an ACCESS EXCLUSIVE lock on
 *       {@code logs} so the sink cannot write; entries confirmed durable (journal) include poison;
 *       Liberty is killed; the lock is released; after the restart the journal's replay stores the
 *       normal entries and dead-letters the poison, and new entries flow.</li>
 * </ol>
 * Runs in the kill -9 group of failsafe (first), and leaves the server running and the table
 * without the test's constraint.
 */
class PoisonIT {
    private static final String MARK = "IT-POISON";
    private static final String CHECK = "it_poison_check";
    private static final Duration STORED_WITHIN = Duration.ofSeconds(20);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(300);

    @Test
    void poisonIsRefusedAtIngestOrDeadLetteredAndNothingStalls() throws Exception {
        ItEnvironment.awaitReady();
        refusedAtIngest();
        try {
            exec("ALTER TABLE logs ADD CONSTRAINT " + CHECK + " CHECK (message NOT LIKE '%" + MARK + "%')");
            deadLettered();
            deadLetteredAfterKillMinus9();
        } finally {
            if (ItEnvironment.readiness() == null) ItEnvironment.startServer();
            exec("ALTER TABLE logs DROP CONSTRAINT IF EXISTS " + CHECK);
        }
    }

    // ---- 1. refused at ingest -----------------------------------------------------------------

    private void refusedAtIngest() throws Exception {
        UUID wf = UUID.randomUUID();
        Map<String, JsonObject> poison = new LinkedHashMap<>();
        poison.put("metadata.x", Json.createObjectBuilder().add("x", new BigDecimal("1e999999")).build());
        poison.put("metadata.deep[1].y", Json.createObjectBuilder().add("deep", Json.createArrayBuilder().add(1)
                .add(Json.createObjectBuilder().add("y", new BigDecimal("1e-20000")))).build());
        poison.put("metadata.k\\u0000", Json.createObjectBuilder().add("k\u0000", 1).add("k\uFFFD", 2).build());
        for (Map.Entry<String, JsonObject> p : poison.entrySet()) {
            UUID run = UUID.randomUUID();
            JsonArrayBuilder arr = Json.createArrayBuilder()
                    .add(entry(wf, run, "before " + p.getKey(), null))
                    .add(entry(wf, run, "poison " + p.getKey(), p.getValue()))
                    .add(entry(wf, UUID.randomUUID(), "other run " + p.getKey(), null));
            HttpResponse<String> res = ItEnvironment.post("/api/v1/logs", arr.build().toString());
            assertEquals(400, res.statusCode(), res.body());
            JsonObject body = ItEnvironment.parse(res.body());
            assertEquals(p.getKey(), body.getString("field", null), res.body());
            assertEquals(1, body.getInt("index", -1), res.body());
        }
        // Their neighbours are legitimate: stored, NUL replaced by U+FFFD.
        UUID run = UUID.randomUUID();
        JsonArrayBuilder ok = Json.createArrayBuilder()
                .add(entry(wf, run, "big", Json.createObjectBuilder().add("x", new BigDecimal("1e308")).build()))
                .add(entry(wf, run, "nul", Json.createObjectBuilder().add("k\u0000", "v\u0000").build()));
        ItEnvironment.postJson("/api/v1/logs?wait=durable", ok.build().toString(), 202);
        awaitStored(List.of(run), 2);
        assertEquals(0, count("SELECT count(*) FROM logs WHERE workflow_id = ? AND message LIKE '%poison%'", wf),
                "nothing of a refused request is stored");
        assertEquals(1, count("SELECT count(*) FROM logs WHERE run_id = ? AND metadata = '{\"k\uFFFD\":\"v\uFFFD\"}'::jsonb", run));
        assertEquals(1, count("SELECT count(*) FROM logs WHERE run_id = ? AND (metadata->>'x')::numeric = 1e308", run));
    }

    // ---- 2. dead-lettered ---------------------------------------------------------------------

    private void deadLettered() throws Exception {
        long rejectedBefore = rejectedMetric();
        UUID wf = UUID.randomUUID();
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        // a: 10 entries, poison at 3 and 7; b: 5 entries, the last one poison; c: normal only.
        JsonArrayBuilder arr = Json.createArrayBuilder();
        for (int i = 1; i <= 10; i++) {
            arr.add(entry(wf, a, (i == 3 || i == 7 ? MARK + " " : "") + "a" + i, null));
            if (i <= 5) arr.add(entry(wf, b, (i == 5 ? MARK + " " : "") + "b" + i, null));
            arr.add(entry(wf, c, "c" + i, null));
        }
        Instant sent = Instant.now();
        ItEnvironment.postJson("/api/v1/logs?wait=durable", arr.build().toString(), 202);
        awaitStored(List.of(a, b, c), 22);
        System.out.printf("poison batch: 22 normal entries stored %d ms after the request%n",
                Duration.between(sent, Instant.now()).toMillis());
        awaitRejected(List.of(a, b), 3);
        assertEquals(Map.of(3L, "23514", 7L, "23514"), rejected(a));
        assertEquals(Map.of(5L, "23514"), rejected(b));
        assertGapFree(a, 10);
        assertGapFree(b, 5);
        assertGapFree(c, 10);

        // The history API says where: rejected:true items in seq order, nextAfterSeq past them.
        JsonObject page = ItEnvironment.getJson("/api/v1/runs/" + a + "/logs?limit=100");
        JsonArray items = page.getJsonArray("entries");
        assertEquals(10, items.size(), page.toString());
        for (int i = 0; i < 10; i++) {
            JsonObject it = items.getJsonObject(i);
            assertEquals(i + 1, it.getJsonNumber("seq").longValue());
            boolean poisoned = i + 1 == 3 || i + 1 == 7;
            assertEquals(poisoned, it.getBoolean("rejected", false), it.toString());
            if (poisoned) {
                assertEquals("23514", it.getString("sqlstate"));
                assertTrue(it.getString("reason").contains(CHECK), it.toString());
                assertFalse(it.containsKey("message"), "the content stays in logs_rejected");
            }
        }
        assertEquals(10, page.getJsonNumber("nextAfterSeq").longValue());
        JsonObject tail = ItEnvironment.getJson("/api/v1/runs/" + b + "/logs?afterSeq=4");
        assertEquals(5, tail.getJsonArray("entries").getJsonObject(0).getJsonNumber("seq").longValue());
        assertEquals(5, tail.getJsonNumber("nextAfterSeq").longValue());

        // Counted: readiness data (count and time, no error text), admin status, metrics.
        JsonObject db = ItEnvironment.checkData(ItEnvironment.readiness(), "zenflow-logging-database");
        assertEquals("UP", db.getString("status"), db.toString());
        assertTrue(db.getJsonNumber("rejectedEntries").longValue() >= 3, db.toString());
        assertNotNull(db.getString("lastRejectedAt", null), db.toString());
        assertFalse(db.toString().contains(CHECK), "no database error text in anonymous readiness data");
        JsonObject status = ItEnvironment.getJson("/api/v1/admin/status").getJsonObject("rejections");
        assertTrue(status.getJsonNumber("rejected").longValue() >= 3, status.toString());
        assertEquals("23514", status.getString("lastSqlState"));
        assertTrue(status.getString("lastError").contains(CHECK), status.toString());
        assertTrue(rejectedMetric() >= rejectedBefore + 3, "zenflow_logging_postgresql_rejected");

        // Nothing stalls: the next entry of a continuing run gets the next seq and is stored.
        ItEnvironment.postJson("/api/v1/logs?wait=durable", Json.createArrayBuilder().add(entry(wf, b, "b6", null)).build().toString(), 202);
        awaitStored(List.of(b), 5);
        assertGapFree(b, 6);
    }

    // ---- 3. kill -9 with the poison still in the journal --------------------------------------

    private void deadLetteredAfterKillMinus9() throws Exception {
        UUID wf = UUID.randomUUID();
        UUID d = UUID.randomUUID();
        UUID e = UUID.randomUUID();
        // Started runs: their seq starts at 1 without asking the database (which the lock blocks).
        for (UUID run : List.of(d, e)) {
            ItEnvironment.startRun(wf, run);
        }
        long pid = ItEnvironment.serverPid();
        try (Connection lock = ItEnvironment.openConnection()) {
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("LOCK TABLE logs IN ACCESS EXCLUSIVE MODE");
            }
            JsonArrayBuilder arr = Json.createArrayBuilder();
            for (int i = 1; i <= 20; i++) {
                arr.add(entry(wf, d, (i % 5 == 0 ? MARK + " " : "") + "d" + i, null));
                arr.add(entry(wf, e, (i == 1 ? MARK + " " : "") + "e" + i, null));
            }
            JsonObject ack = ItEnvironment.postJson("/api/v1/logs?wait=durable", arr.build().toString(), 202);
            assertTrue(ack.getBoolean("durable"), "journaled before the kill: " + ack);
            // Read through the lock holder: the sink could not write, the poison is only in the journal.
            try (PreparedStatement ps = lock.prepareStatement("SELECT count(*) FROM logs WHERE run_id = ANY (?)")) {
                ps.setArray(1, lock.createArrayOf("uuid", new Object[] {d, e}));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertEquals(0, rs.getLong(1), "nothing of runs d and e written while the table is locked");
                }
            }
            Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start();
            assertTrue(kill.waitFor(30, TimeUnit.SECONDS), "kill -9 " + pid + " returned within 30 s");
            assertEquals(0, kill.exitValue(), "kill -9 " + pid);
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(60, TimeUnit.SECONDS).join());
            lock.rollback();
        }
        Instant restart = Instant.now();
        ItEnvironment.startServer();
        // A cold start on a busy machine can take minutes: wait as long as recovery may take.
        assertEquals(200, ItEnvironment.awaitStatus200("/health/ready", RECOVERY_TIMEOUT), "/health/ready after the restart");
        Instant ready = Instant.now();
        awaitStored(List.of(d, e), 16 + 19, RECOVERY_TIMEOUT);
        awaitRejected(List.of(d, e), 5, RECOVERY_TIMEOUT);
        System.out.printf("after kill -9: server ready %d ms after the restart began; the journal's poison batch resolved"
                + " %d ms after ready%n", Duration.between(restart, ready).toMillis(), Duration.between(ready, Instant.now()).toMillis());
        assertEquals(Map.of(5L, "23514", 10L, "23514", 15L, "23514", 20L, "23514"), rejected(d));
        assertEquals(Map.of(1L, "23514"), rejected(e));
        assertGapFree(d, 20);
        assertGapFree(e, 20);
        // New entries flow after the restart.
        UUID f = UUID.randomUUID();
        ItEnvironment.postJson("/api/v1/logs?wait=durable", Json.createArrayBuilder().add(entry(wf, f, "f1", null)).build().toString(), 202);
        awaitStored(List.of(f), 1);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static JsonObject entry(UUID wf, UUID run, String message, JsonObject metadata) {
        JsonObjectBuilder o = Json.createObjectBuilder().add("workflowId", wf.toString()).add("runId", run.toString())
                .add("nodeKey", "n").add("level", "INFO").add("message", message);
        o.add("metadata", metadata == null ? JsonValue.NULL : metadata);
        return o.build();
    }

    private static void awaitStored(List<UUID> runs, long n) throws Exception {
        awaitStored(runs, n, STORED_WITHIN);
    }

    private static void awaitStored(List<UUID> runs, long n, Duration within) throws Exception {
        awaitCount("logs", "entries stored in logs", runs, n, within);
    }

    private static void awaitRejected(List<UUID> runs, long n) throws Exception {
        awaitRejected(runs, n, STORED_WITHIN);
    }

    private static void awaitRejected(List<UUID> runs, long n, Duration within) throws Exception {
        awaitCount("logs_rejected", "entries in logs_rejected", runs, n, within);
    }

    /** Waits until {@code table} holds at least {@code n} rows of the runs, then asserts exactly {@code n}. */
    private static void awaitCount(String table, String what, List<UUID> runs, long n, Duration within) throws Exception {
        long have = await(n + " " + what).atMost(within).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .until(() -> countIn(table, runs), c -> c >= n);
        assertEquals(n, have, what + " within " + within);
    }

    private static long countIn(String table, List<UUID> runs) throws Exception {
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE run_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", runs.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** seq -> sqlstate of a run's rejected entries. */
    private static Map<Long, String> rejected(UUID run) throws Exception {
        Map<Long, String> out = new TreeMap<>();
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement("SELECT seq, sqlstate, entry FROM logs_rejected WHERE run_id = ?")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), rs.getString(2));
                    JsonObject entry = ItEnvironment.parse(rs.getString(3));
                    assertTrue(entry.getString("message").contains(MARK), "only poison is rejected: " + entry);
                    assertEquals(rs.getLong(1), entry.getJsonNumber("seq").longValue());
                }
            }
        }
        return out;
    }

    /** seq 1..n of the run each exactly once over logs and logs_rejected together; each message once. */
    private static void assertGapFree(UUID run, long n) throws Exception {
        List<Long> seqs = new ArrayList<>();
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement("SELECT seq FROM logs WHERE run_id = ? UNION ALL"
                     + " SELECT seq FROM logs_rejected WHERE run_id = ? ORDER BY 1")) {
            ps.setObject(1, run);
            ps.setObject(2, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) seqs.add(rs.getLong(1));
            }
        }
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= n; s++) expected.add(s);
        assertEquals(expected, seqs, "run " + run + " gap-free over logs + logs_rejected");
        assertEquals(0, count("SELECT count(*) FROM (SELECT message FROM logs WHERE run_id = ? GROUP BY message"
                + " HAVING count(*) > 1) d", run), "each message stored once");
        assertEquals(0, count("SELECT count(*) FROM logs WHERE run_id = ? AND message LIKE '%" + MARK + "%'", run));
    }

    private static long count(String sql, Object... params) throws Exception {
        try (Connection c = ItEnvironment.openConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void exec(String sql) throws Exception {
        try (Connection c = ItEnvironment.openConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long rejectedMetric() throws Exception {
        PrometheusText m = ItEnvironment.metrics();
        return m.has("zenflow_logging_postgresql_rejected") ? (long) m.sum("zenflow_logging_postgresql_rejected") : 0;
    }
}
