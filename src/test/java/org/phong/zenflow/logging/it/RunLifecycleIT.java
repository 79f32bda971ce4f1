package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Run buffers on a real server: completion releases them, and open runs cost no threads. */
class RunLifecycleIT {
    /** Slack for threads the server starts on its own (HTTP, executor autoscaling) during the test. */
    private static final int THREAD_SLACK = 12;

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    void completionFlushesTheRunAndFreesItsBuffer() throws Exception {
        int before = ItEnvironment.getJson("/api/v1/admin/status").getInt("activeRuns");
        JsonObject r = ItEnvironment.postJson("/api/v1/admin/simulate",
                "{\"runs\":50,\"entriesPerRun\":37,\"threads\":4,\"complete\":true}", 200);
        List<UUID> runs = ids(r);
        // 37 entries stay below the batch size: only the completion (not a full batch) can flush the
        // tail before max-delay-ms; the rows arrive and the buffers are gone.
        StoredLogs.awaitPersisted(runs, 37);
        StoredLogs.assertExactlyOnceGapFree(runs, 37);
        int after = ItEnvironment.getJson("/api/v1/admin/status").getInt("activeRuns");
        assertTrue(after <= before, "active runs before " + before + ", after completing 50: " + after);
    }

    @Test
    void entriesFiredAsCdiEventsArePersistedLikeRoutedOnes() throws Exception {
        JsonObject r = ItEnvironment.postJson("/api/v1/admin/simulate",
                "{\"runs\":10,\"entriesPerRun\":200,\"threads\":2,\"complete\":true,\"via\":\"event\"}", 200);
        assertEquals(2000, r.getInt("firedAsEvents"));
        List<UUID> runs = ids(r);
        StoredLogs.awaitPersisted(runs, 200);
        StoredLogs.assertExactlyOnceGapFree(runs, 200);
    }

    @Test
    void tenThousandOpenRunsAddNoThreads() throws Exception {
        JsonObject s0 = ItEnvironment.getJson("/api/v1/admin/status");
        int threads0 = s0.getInt("jvmThreads");
        JsonObject r = ItEnvironment.postJson("/api/v1/admin/simulate",
                "{\"runs\":10000,\"entriesPerRun\":2,\"threads\":4,\"complete\":false}", 200);
        assertEquals(20000, r.getInt("accepted"));
        StoredLogs.awaitPersisted(ids(r), 2);
        JsonObject s1 = ItEnvironment.getJson("/api/v1/admin/status");
        int threads1 = s1.getInt("jvmThreads");
        assertTrue(s1.getInt("activeRuns") >= s0.getInt("activeRuns") + 10000, s1.toString());
        System.out.printf("threads with %d active runs: %d; with %d: %d%n",
                s0.getInt("activeRuns"), threads0, s1.getInt("activeRuns"), threads1);
        assertTrue(threads1 <= threads0 + THREAD_SLACK, "threads grew from " + threads0 + " to " + threads1);
    }

    static List<UUID> ids(JsonObject simulateResult) {
        List<UUID> runs = new ArrayList<>();
        for (JsonString s : simulateResult.getJsonArray("runIds").getValuesAs(JsonString.class)) runs.add(UUID.fromString(s.getString()));
        return runs;
    }
}
