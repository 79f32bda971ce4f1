package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;

/**
 * Kafka with the journal across a crash: the broker is stopped, entries are posted and confirmed durable
 * (so they are in the journal, and in PostgreSQL), Kafka holds them unacknowledged; then the Liberty JVM is
 * killed with {@code kill -9} and started again, and the broker comes back. The restarted server resumes
 * Kafka at its own journal position: every entry is consumed from Kafka exactly once, in seq order per run.
 * The server and broker are left running for the ITs after this one.
 */
class KafkaRestartIT {
    private static final int RUNS = 5;
    private static final int REQUESTS_PER_RUN = 10;
    private static final int PER_REQUEST = 50;
    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(300);

    @Test
    void entriesKafkaHadNotAcknowledgedSurviveKillMinus9AndArriveOnceInOrder() throws Exception {
        ItEnvironment.awaitReady();
        assertTrue(KafkaBrokerLauncher.isRunning(KafkaTopic.brokerDir()), "the build started the broker");
        assertTrue(ItEnvironment.kafkaHealth().getJsonObject("data").getBoolean("journaled"), "the IT server runs Kafka from the journal");
        UUID workflow = UUID.randomUUID();
        List<UUID> runs = ItEnvironment.startRuns(workflow, RUNS);
        assertTrue(KafkaBrokerLauncher.stop(KafkaTopic.brokerDir()), "broker stopped");
        long pid = ItEnvironment.serverPid();
        try {
            int n = 0;
            for (int r = 0; r < REQUESTS_PER_RUN; r++) {
                for (UUID run : runs) {
                    JsonArrayBuilder arr = Json.createArrayBuilder();
                    for (int i = 0; i < PER_REQUEST; i++, n++) {
                        arr.add(Json.createObjectBuilder().add("workflowId", workflow.toString()).add("runId", run.toString())
                                .add("nodeKey", "n").add("level", "INFO").add("message", "restart " + n));
                    }
                    JsonObject res = ItEnvironment.postJson("/api/v1/logs?wait=durable", arr.build().toString(), 202);
                    assertTrue(res.getBoolean("durable") && res.getInt("accepted") == PER_REQUEST, "confirmed durable: " + res);
                }
            }
            long all = (long) RUNS * REQUESTS_PER_RUN * PER_REQUEST;
            StoredLogs.awaitRowsAtLeast(runs, all, Duration.ofSeconds(60)); // PostgreSQL is not held back by the dead broker
            JsonObject before = ItEnvironment.kafkaHealth().getJsonObject("data");
            System.out.printf("kafka restart: %d entries confirmed and in PostgreSQL, broker down; sink before kill -9: %s%n", all, before);
            assertTrue(new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start().waitFor(30, java.util.concurrent.TimeUnit.SECONDS),
                    "kill -9 returned");
            ItEnvironment.awaitExit(pid);
            ItEnvironment.startServer();
            ItEnvironment.awaitReady();
            KafkaBrokerLauncher.restart(KafkaTopic.brokerDir(), KafkaTopic.bootstrap());
            long t0 = System.nanoTime();
            Map<UUID, Integer> expected = new HashMap<>();
            for (UUID run : runs) expected.put(run, REQUESTS_PER_RUN * PER_REQUEST);
            KafkaTopic.Consumed c = KafkaTopic.consume(expected.keySet(), all, CONSUME_TIMEOUT);
            c.assertCompleteInOrder(expected);
            assertEquals(all, c.records(), "each entry once");
            System.out.printf("kafka restart: all %d entries of %d runs consumed back once and in order, %d ms after the broker returned; sink: %s%n",
                    all, RUNS, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                    ItEnvironment.kafkaHealth().getJsonObject("data"));
        } finally {
            if (!KafkaBrokerLauncher.isRunning(KafkaTopic.brokerDir())) KafkaBrokerLauncher.restart(KafkaTopic.brokerDir(), KafkaTopic.bootstrap());
            if (ItEnvironment.readiness() == null) ItEnvironment.startServer();
        }
    }
}
