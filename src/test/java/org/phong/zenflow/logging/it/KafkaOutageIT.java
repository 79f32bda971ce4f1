package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;

/**
 * The broker is stopped for ~20 s while engines keep posting over HTTP, then started again on the same
 * port and data: meanwhile ingestion and PostgreSQL go on, the server stays ready (Kafka's own check says
 * it is not delivering), and afterwards Kafka holds every accepted entry of every run, once, in seq order.
 */
class KafkaOutageIT {
    private static final int THREADS = 5;
    private static final int RUNS_PER_THREAD = 2;
    private static final int PER_REQUEST = 50;
    private static final long PAUSE_MS = 100;
    private static final long OUTAGE_MS = 20_000;
    private static final long LOAD_BEFORE_MS = 5_000;
    private static final long LOAD_AFTER_MS = 5_000;

    /** The server's Kafka sink may still be publishing what earlier ITs routed in bursts. */
    private static final Duration EARLIER_BACKLOG_TIMEOUT = Duration.ofMinutes(5);

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
        assertTrue(KafkaBrokerLauncher.isRunning(KafkaTopic.brokerDir()), "the build started the broker");
        // Start from an empty Kafka backlog, so the outage alone decides what the sink must hold.
        await("earlier ITs' entries published (the Kafka backlog empty)").atMost(EARLIER_BACKLOG_TIMEOUT)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250))
                .until(() -> ItEnvironment.kafkaHealth().getJsonObject("data").getJsonNumber("backlog").longValue(), backlog -> backlog <= 0);
    }

    @Test
    void aBrokerStoppedUnderLoadAndRestartedLosesNothingAndReordersNothing() throws Exception {
        long droppedBefore = ItEnvironment.kafkaHealth().getJsonObject("data").getJsonNumber("dropped").longValue();
        UUID workflow = UUID.randomUUID();
        Map<UUID, AtomicInteger> accepted = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong total = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> load = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            List<UUID> mine = new ArrayList<>();
            for (int i = 0; i < RUNS_PER_THREAD; i++) mine.add(UUID.randomUUID());
            load.add(pool.submit(() -> {
                for (UUID run : mine) {
                    accepted.put(run, new AtomicInteger());
                    ItEnvironment.startRun(workflow, run);
                }
                int n = 0;
                while (running.get()) {
                    for (UUID run : mine) {
                        JsonArrayBuilder arr = Json.createArrayBuilder();
                        for (int i = 0; i < PER_REQUEST; i++, n++) {
                            arr.add(Json.createObjectBuilder().add("workflowId", workflow.toString()).add("runId", run.toString())
                                    .add("nodeKey", "n" + (n % 4)).add("level", "INFO").add("message", "outage load " + n)
                                    .add("ts", Instant.now().toString()));
                        }
                        JsonObject r = ItEnvironment.postJson("/api/v1/logs", arr.build().toString(), 202);
                        assertEquals(PER_REQUEST, r.getInt("accepted"), "nothing shed or refused: " + r);
                        accepted.get(run).addAndGet(PER_REQUEST);
                        total.addAndGet(PER_REQUEST);
                    }
                    Thread.sleep(PAUSE_MS);
                }
                for (UUID run : mine) ItEnvironment.postJson("/api/v1/runs/" + run + "/end", "{\"outcome\":\"SUCCEEDED\"}", 202);
                return null;
            }));
        }
        Thread.sleep(LOAD_BEFORE_MS);
        long stoppedAt = System.nanoTime();
        assertTrue(KafkaBrokerLauncher.stop(KafkaTopic.brokerDir()), "broker stopped");
        long atStop = total.get();
        System.out.printf("kafka outage: broker stopped after %d entries accepted%n", atStop);

        // While the broker is away: ingestion goes on, PostgreSQL keeps up, the server stays ready.
        Thread.sleep(OUTAGE_MS / 2);
        long midOutage = total.get();
        assertTrue(midOutage > atStop, "ingestion goes on without Kafka");
        List<UUID> runs = new ArrayList<>(accepted.keySet());
        StoredLogs.awaitRowsAtLeast(runs, midOutage, Duration.ofSeconds(8));
        assertEquals(200, ItEnvironment.get("/health/ready").statusCode(), "a dead broker does not make the server unready by default");
        JsonObject kafka = ItEnvironment.kafkaHealth();
        assertFalse(kafka.getJsonObject("data").getBoolean("delivering"), "Kafka's check says it is not delivering: " + kafka);
        long waitLeft = OUTAGE_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        if (waitLeft > 0) Thread.sleep(waitLeft);

        long restartAt = System.nanoTime();
        KafkaBrokerLauncher.restart(KafkaTopic.brokerDir(), KafkaTopic.bootstrap());
        System.out.printf("kafka outage: broker down %d ms (restart took %d ms); %d entries accepted meanwhile%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartAt),
                total.get() - atStop);
        Thread.sleep(LOAD_AFTER_MS);
        running.set(false);
        for (Future<?> f : load) f.get(60, TimeUnit.SECONDS);
        pool.shutdownNow();

        Map<UUID, Integer> expected = new HashMap<>();
        accepted.forEach((run, n) -> expected.put(run, n.get()));
        long all = total.get();
        KafkaTopic.Consumed c = KafkaTopic.consume(expected.keySet(), all, Duration.ofSeconds(300));
        c.assertCompleteInOrder(expected);
        StoredLogs.awaitRowsAtLeast(runs, all, Duration.ofSeconds(60));
        JsonObject after = ItEnvironment.kafkaHealth();
        System.out.printf("kafka outage: all %d entries of %d runs consumed back in order; sink after recovery: %s%n",
                all, expected.size(), after.getJsonObject("data"));
        assertEquals(droppedBefore, after.getJsonObject("data").getJsonNumber("dropped").longValue(),
                "nothing dropped for Kafka during the outage (the counter is cumulative: earlier ITs' bursts may have filled the backlog)");
    }
}
