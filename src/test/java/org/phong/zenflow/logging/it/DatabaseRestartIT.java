package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.ExactlyOnce;

/**
 * PostgreSQL stopped (fast shutdown: connections refused, not frozen) for ~30 s under a steady load,
 * then started again with the same command line. Every request waits for journal durability
 * ({@code ?wait=durable}), so clients keep being confirmed during the outage. Readiness shows level 2
 * during it and UP after the drain; the drain time and rate of the outage's own backlog (what was not in
 * the table when the database came back) are printed; every answer must have confirmed durability; at
 * the end, after delivery finished, every accepted entry (each message unique) is in the table exactly
 * once, compared entry by entry, and gap-free.
 */
class DatabaseRestartIT {
    private static final int CLIENTS = 4;
    private static final int PER_REQUEST = 50;
    private static final int TARGET_RATE = 1_000;
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final Duration LOAD_AFTER = Duration.ofSeconds(3);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);

    @Test
    void aStoppedDatabaseLosesAndDuplicatesNothingAndTheBacklogDrainsAfterItStarts() throws Exception {
        ItEnvironment.awaitReady();
        UUID workflow = UUID.randomUUID();
        List<UUID> runs = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) runs.add(UUID.randomUUID());
        // started runs number their entries without asking the (soon stopped) database for a last seq
        for (UUID run : runs) {
            ItEnvironment.startRun(workflow, run);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong accepted = new AtomicLong();
        AtomicLong confirmed = new AtomicLong();
        java.util.Set<String> sent = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicLong[] perRun = new AtomicLong[CLIENTS];
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> load = new ArrayList<>();
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) * PER_REQUEST * CLIENTS / TARGET_RATE;
        for (int c = 0; c < CLIENTS; c++) {
            UUID run = runs.get(c);
            AtomicLong mine = perRun[c] = new AtomicLong();
            int clientNo = c;
            load.add(pool.submit(() -> {
                long next = System.nanoTime();
                for (int req = 0; !stop.get(); req++) {
                    UniqueBatch batch = new UniqueBatch(workflow, run, clientNo, req, PER_REQUEST);
                    HttpResponse<String> res = ItEnvironment.post("/api/v1/logs?wait=durable", batch.body);
                    assertEquals(202, res.statusCode(), res.body());
                    JsonObject o = ItEnvironment.parse(res.body());
                    assertEquals(PER_REQUEST, o.getInt("accepted"), "nothing shed: " + o);
                    sent.addAll(batch.messages);
                    accepted.addAndGet(o.getInt("accepted"));
                    mine.addAndGet(o.getInt("accepted"));
                    if (o.getBoolean("durable")) confirmed.addAndGet(o.getInt("accepted"));
                    next += intervalNanos;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) TimeUnit.NANOSECONDS.sleep(sleep);
                }
                return null;
            }));
        }
        Thread.sleep(2000);

        PostgresControl pg = PostgresControl.find();
        Instant down = Instant.now();
        pg.stop();
        boolean sawLevel2 = false;
        while (Duration.between(down, Instant.now()).compareTo(OUTAGE) < 0) {
            JsonObject d = ItEnvironment.checkData(ItEnvironment.readiness(), "zenflow-logging-durability");
            if (d.containsKey("level") && d.getInt("level") == 2 && "UP".equals(d.getString("status"))
                    && d.getBoolean("absorbsDatabaseOutage", false)) sawLevel2 = true;
            Thread.sleep(500);
        }
        long confirmedBefore = confirmed.get();
        pg.start();
        Instant up = Instant.now();
        // The backlog of the outage: what was accepted by now and is not in the table yet. (Entries stored
        // before the stop are not part of it; counting them would inflate the drain rate.)
        long acceptedAtUp = accepted.get();
        long backlog = acceptedAtUp - StoredLogs.countRows(runs);
        System.out.printf("PostgreSQL down for %d ms; %d entries accepted so far, %d confirmed durable in the journal, "
                + "%d of them not in the table when it started again%n", Duration.between(down, up).toMillis(), acceptedAtUp,
                confirmedBefore, backlog);
        assertTrue(sawLevel2, "readiness showed degradation level 2 during the outage");
        assertTrue(backlog > 0, "the outage left a backlog to drain");
        // drain: the backlog of the outage reaches the table while live traffic goes on
        try {
            await("the outage's backlog reaches the table").atMost(DRAIN_TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(() -> StoredLogs.countRows(runs), stored -> stored >= acceptedAtUp);
        } catch (ConditionTimeoutException notDrained) {
            // not failed here: the drain rate below fails, with the figures printed
        }
        Duration drain = Duration.between(up, Instant.now());
        if (StoredLogs.countRows(runs) < acceptedAtUp) {
            System.out.println("NOT DRAINED; readiness: " + ItEnvironment.readiness());
        }
        long liveDuringDrain = accepted.get() - acceptedAtUp;
        Thread.sleep(LOAD_AFTER.toMillis());
        stop.set(true);
        for (Future<?> f : load) f.get(120, TimeUnit.SECONDS);
        pool.shutdown();
        long total = accepted.get();
        double ingestRate = (double) total / Duration.between(down.minusSeconds(2), Instant.now()).toMillis() * 1000;
        // Every request waited for journal durability: each answer must have said so.
        assertEquals(total, confirmed.get(), "every accepted entry was confirmed durable (the journal absorbed the outage)");

        // Delivery finished, then the table read to its end once and compared entry by entry.
        ItEnvironment.awaitDrained(DRAIN_TIMEOUT);
        ExactlyOnce check = new ExactlyOnce().mustArrive(sent);
        try (var c = ItEnvironment.openConnection();
             var ps = c.prepareStatement("SELECT message, count(*) FROM logs WHERE run_id = ANY (?) GROUP BY message")) {
            ps.setArray(1, c.createArrayOf("uuid", runs.toArray()));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) check.read(rs.getString(1), rs.getInt(2));
            }
        }
        check.verdict().assertExact("every accepted entry stored exactly once");
        ItEnvironment.awaitReady();
        JsonObject after = ItEnvironment.checkData(ItEnvironment.readiness(), "zenflow-logging-durability");
        assertEquals("UP", after.getString("status"), after.toString());
        assertEquals(1, after.getInt("level"));
        double drainRate = backlog * 1000.0 / Math.max(1, drain.toMillis());
        System.out.printf("drain after PostgreSQL started: the outage's backlog of %d entries stored in %d ms (%.0f entries/s, "
                        + "counted from the restart, so including the sink's retry backoff; ingest ~%.0f entries/s: %.1fx; "
                        + "%d live entries accepted meanwhile); readiness UP at level 1%n",
                backlog, drain.toMillis(), drainRate, ingestRate, drainRate / ingestRate, liveDuringDrain);
        assertTrue(drainRate >= 3 * ingestRate, "backlog drains at least 3x faster than ingest");
        for (int c = 0; c < CLIENTS; c++) StoredLogs.assertExactlyOnceGapFree(List.of(runs.get(c)), (int) perRun[c].get());
    }
}
