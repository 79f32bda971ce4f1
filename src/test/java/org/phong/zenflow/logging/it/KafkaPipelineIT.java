package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server publishes to a real broker (started by the build before Liberty): 100 runs x 1,000 entries,
 * routed in-process, are consumed back complete, each run in seq order, each record in the documented format.
 */
class KafkaPipelineIT {
    private static final int RUNS = 100;
    private static final int PER_RUN = 1_000;

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    void everyRunIsConsumedBackCompleteAndInSeqOrder() throws Exception {
        long t0 = System.nanoTime();
        JsonObject result = ItEnvironment.postJson("/api/v1/admin/simulate",
                "{\"runs\":" + RUNS + ",\"entriesPerRun\":" + PER_RUN + ",\"threads\":8,\"complete\":true}", 200);
        assertEquals(RUNS * PER_RUN, result.getInt("accepted"), result.toString());
        Set<UUID> runs = new LinkedHashSet<>();
        result.getJsonArray("runIds").getValuesAs(JsonString.class).forEach(s -> runs.add(UUID.fromString(s.getString())));
        KafkaTopic.Consumed c = KafkaTopic.consume(runs, (long) RUNS * PER_RUN, Duration.ofSeconds(300));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("kafka: %d entries routed in-process, all consumed back from Kafka %d ms after the first route (%.0f entries/s end to end)%n",
                RUNS * PER_RUN, ms, RUNS * PER_RUN * 1000.0 / ms);
        Map<UUID, Integer> expected = new HashMap<>();
        for (UUID r : runs) expected.put(r, PER_RUN);
        c.assertCompleteInOrder(expected);
        StoredLogs.awaitPersisted(runs.stream().toList(), PER_RUN);

        JsonObject kafka = ItEnvironment.kafkaHealth();
        assertEquals("UP", kafka.getString("status"), kafka.toString());
        assertTrue(kafka.getJsonObject("data").getBoolean("delivering"), kafka.toString());
        String metrics = ItEnvironment.get("/metrics?scope=application").body();
        assertTrue(metrics.contains("zenflow_logging_kafka_sent_total"), "Kafka metrics exported");
        assertTrue(metrics.contains("zenflow_logging_kafka_send_latency_seconds"), "send latency exported");
    }
}
