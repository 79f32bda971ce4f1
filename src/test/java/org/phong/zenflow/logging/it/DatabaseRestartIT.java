package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
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
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped (fast shutdown: connections refused, not frozen) for ~30 s under a steady load,
 * then started again with the same command line. Every request waits for journal durability
 * ({@code ?wait=durable}), so clients keep being confirmed during the outage. Readiness shows level 2
 * during it and UP after the drain; the drain time and rate are printed; at the end every accepted
 * entry is in the table exactly once, gap-free.
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
            ItEnvironment.postJson("/api/v1/runs/" + run + "/start", "{\"workflowId\":\"" + workflow + "\"}", 202);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong accepted = new AtomicLong();
        AtomicLong confirmed = new AtomicLong();
        AtomicLong[] perRun = new AtomicLong[CLIENTS];
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> load = new ArrayList<>();
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) * PER_REQUEST * CLIENTS / TARGET_RATE;
        for (int c = 0; c < CLIENTS; c++) {
            UUID run = runs.get(c);
            AtomicLong mine = perRun[c] = new AtomicLong();
            load.add(pool.submit(() -> {
                long next = System.nanoTime();
                while (!stop.get()) {
                    JsonArrayBuilder arr = Json.createArrayBuilder();
                    for (int i = 0; i < PER_REQUEST; i++) {
                        arr.add(Json.createObjectBuilder().add("workflowId", workflow.toString()).add("runId", run.toString())
                                .add("nodeKey", "n").add("level", "INFO").add("message", "m" + i));
                    }
                    HttpResponse<String> res = ItEnvironment.post("/api/v1/logs?wait=durable", arr.build().toString());
                    assertEquals(202, res.statusCode(), res.body());
                    JsonObject o = ItEnvironment.parse(res.body());
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
        long acceptedDuringOutage = accepted.get();
        long confirmedBefore = confirmed.get();
        pg.start();
        Instant up = Instant.now();
        System.out.printf("PostgreSQL down for %d ms; %d entries accepted so far, %d confirmed durable in the journal%n",
                Duration.between(down, up).toMillis(), acceptedDuringOutage, confirmedBefore);
        assertTrue(sawLevel2, "readiness showed degradation level 2 during the outage");
        // drain: the backlog of the outage reaches the table while live traffic goes on
        Instant drainDeadline = Instant.now().plus(DRAIN_TIMEOUT);
        while (StoredLogs.countRows(runs) < acceptedDuringOutage && Instant.now().isBefore(drainDeadline)) Thread.sleep(50);
        Duration drain = Duration.between(up, Instant.now());
        if (StoredLogs.countRows(runs) < acceptedDuringOutage) {
            System.out.println("NOT DRAINED; readiness: " + ItEnvironment.readiness());
            String metrics = ItEnvironment.get("/metrics").body();
            metrics.lines().filter(l -> l.startsWith("ft_circuitbreaker") || l.startsWith("ft_retry_calls")).forEach(System.out::println);
        }
        long liveDuringDrain = accepted.get() - acceptedDuringOutage;
        Thread.sleep(LOAD_AFTER.toMillis());
        stop.set(true);
        for (Future<?> f : load) f.get(120, TimeUnit.SECONDS);
        pool.shutdown();
        long total = accepted.get();
        double ingestRate = (double) total / Duration.between(down.minusSeconds(2), Instant.now()).toMillis() * 1000;

        // drain: every accepted entry in the table
        Instant deadline = Instant.now().plus(DRAIN_TIMEOUT);
        long stored = 0;
        while (Instant.now().isBefore(deadline) && (stored = StoredLogs.countRows(runs)) < total) Thread.sleep(100);
        assertEquals(total, stored, "every accepted entry stored, none twice");
        ItEnvironment.awaitReady();
        JsonObject after = ItEnvironment.checkData(ItEnvironment.readiness(), "zenflow-logging-durability");
        assertEquals("UP", after.getString("status"), after.toString());
        assertEquals(1, after.getInt("level"));
        double drainRate = acceptedDuringOutage * 1000.0 / Math.max(1, drain.toMillis());
        System.out.printf("drain after PostgreSQL started: the %d entries of the outage stored in %d ms (%.0f entries/s, "
                        + "counted from the restart, so including the sink's retry backoff; ingest ~%.0f entries/s: %.1fx; "
                        + "%d live entries accepted meanwhile); readiness UP at level 1%n",
                acceptedDuringOutage, drain.toMillis(), drainRate, ingestRate, drainRate / ingestRate, liveDuringDrain);
        assertTrue(drainRate >= 3 * ingestRate, "backlog drains at least 3x faster than ingest");
        for (int c = 0; c < CLIENTS; c++) StoredLogs.assertExactlyOnceGapFree(List.of(runs.get(c)), (int) perRun[c].get());
    }
}
