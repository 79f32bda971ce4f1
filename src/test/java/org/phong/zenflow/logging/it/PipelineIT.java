package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.spi.JsonProvider;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The foundation end to end on a real Liberty and a real PostgreSQL: entries routed in the server
 * (the engine's in-process path: CDI events + {@code LogRouter.route}) and entries posted over HTTP
 * land in the {@code logs} table exactly once each, with gap-free seq per run.
 */
class PipelineIT {
    /** Resolved once: Json.createXxx() looks the provider up per call, which would make the client the bottleneck. */
    static final JsonProvider Json = JsonProvider.provider();
    private static final int RUNS = 100;
    private static final int PER_RUN = 1000;

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    void entriesRoutedInProcessArePersistedExactlyOnceWithGapFreeSeq() throws Exception {
        long t0 = System.nanoTime();
        JsonObject result = ItEnvironment.postJson("/api/v1/admin/simulate",
                "{\"runs\":" + RUNS + ",\"entriesPerRun\":" + PER_RUN + ",\"threads\":8,\"complete\":true}", 200);
        assertEquals(RUNS * PER_RUN, result.getInt("accepted"), "every entry admitted: " + result);
        List<UUID> runs = new ArrayList<>();
        result.getJsonArray("runIds").getValuesAs(jakarta.json.JsonString.class).forEach(s -> runs.add(UUID.fromString(s.getString())));
        StoredLogs.awaitPersisted(runs, PER_RUN);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // An indicative figure from a functional test (one run, noisy machine), not a benchmark.
        System.out.printf("in-process: %d entries routed in %d ms, all persisted %d ms after the first route (%.0f entries/s end to end)%n",
                RUNS * PER_RUN, result.getInt("millis"), ms, RUNS * PER_RUN * 1000.0 / ms);
        StoredLogs.assertExactlyOnceGapFree(runs, PER_RUN);
    }

    @Test
    void entriesPostedOverHttpArePersistedExactlyOnceWithGapFreeSeq() throws Exception {
        UUID workflow = UUID.randomUUID();
        List<UUID> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) runs.add(UUID.randomUUID());
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (UUID run : runs) {
                done.add(pool.submit(() -> {
                    ItEnvironment.startRun(workflow, run);
                    for (int chunk = 0; chunk < PER_RUN / 100; chunk++) {
                        JsonArrayBuilder arr = Json.createArrayBuilder();
                        for (int i = 0; i < 100; i++) {
                            int n = chunk * 100 + i;
                            arr.add(Json.createObjectBuilder().add("workflowId", workflow.toString())
                                    .add("runId", run.toString()).add("nodeKey", "n" + (n % 5))
                                    .add("level", n % 10 == 0 ? "WARN" : "INFO")
                                    .add("message", "http entry " + n + "\twith tab\nand newline \\ backslash")
                                    .add("metadata", Json.createObjectBuilder().add("n", n))
                                    .add("ts", Instant.now().toString()));
                        }
                        JsonObject r = ItEnvironment.postJson("/api/v1/logs", arr.build().toString(), 202);
                        assertEquals(100, r.getInt("accepted"), r.toString());
                    }
                    ItEnvironment.postJson("/api/v1/runs/" + run + "/end", "{\"outcome\":\"SUCCEEDED\"}", 202);
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(5, java.util.concurrent.TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        StoredLogs.awaitPersisted(runs, PER_RUN);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("http: %d entries in 100-entry requests from 16 client threads, all persisted in %d ms (%.0f entries/s end to end)%n",
                RUNS * PER_RUN, ms, RUNS * PER_RUN * 1000.0 / ms);
        StoredLogs.assertExactlyOnceGapFree(runs, PER_RUN);

        // History reads back in seq order, cursor-paginated.
        UUID first = runs.get(0);
        JsonObject page = ItEnvironment.getJson("/api/v1/runs/" + first + "/logs?afterSeq=10&limit=5");
        JsonArray entries = page.getJsonArray("entries");
        assertEquals(5, entries.size());
        assertEquals(11, entries.getJsonObject(0).getInt("seq"));
        assertEquals(15, page.getInt("nextAfterSeq"));
        assertTrue(entries.getJsonObject(0).getString("message").contains("\twith tab\nand newline \\ backslash"));
    }
}
