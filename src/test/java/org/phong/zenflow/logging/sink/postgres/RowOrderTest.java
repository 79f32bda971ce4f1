package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.testing.Entries;

/** The sink writes a batch grouped by run, runs in PostgreSQL's uuid order, each run's entries in batch order. */
class RowOrderTest {

    @Test
    void aBatchIsGroupedByRunInUuidOrderKeepingEachRunsOrder() {
        Random r = new Random(3);
        List<UUID> runs = new ArrayList<>();
        for (int i = 0; i < 50; i++) runs.add(new UUID(r.nextLong(), r.nextLong())); // half have the top bit set
        UUID wf = UUID.randomUUID();
        Map<UUID, Long> next = new HashMap<>();
        List<LogEntry> batch = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) { // interleaved as a journal follower reads them
            UUID run = runs.get(r.nextInt(runs.size()));
            long seq = next.merge(run, 1L, Long::sum);
            batch.add(Entries.entry(wf, run, LogLevel.INFO, "m" + i).withSeq(seq));
        }

        List<LogEntry> rows = PostgresLogSink.inIndexOrder(batch);

        assertEquals(batch.size(), rows.size());
        for (int i = 1; i < rows.size(); i++) {
            LogEntry a = rows.get(i - 1);
            LogEntry b = rows.get(i);
            // PostgreSQL orders uuids by their bytes: the canonical lower-case text compares the same way.
            int byText = a.runId().toString().compareTo(b.runId().toString());
            assertTrue(byText < 0 || byText == 0 && a.seq() + 1 == b.seq(), "row " + i + ": " + a.runId() + "/" + a.seq()
                    + " then " + b.runId() + "/" + b.seq());
        }
        for (UUID run : runs) {
            long n = rows.stream().filter(e -> e.runId().equals(run)).count();
            assertEquals(next.getOrDefault(run, 0L), n, "every entry of run " + run + " once");
        }
    }
}
