package org.phong.zenflow.logging.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.phong.zenflow.logging.testing.PerClass;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.sink.postgres.CopyEncoder;
import org.postgresql.PGConnection;

/**
 * The benchmark's exactness check, on a real PostgreSQL: it must see every kind of damage (a lost
 * entry, a duplicated seq, a gap, rows of a run never routed), or a benchmark run could pass while
 * losing entries.
 */
class BenchDatabaseTest {
    private static final Workload W = new Workload(3);

    @RegisterExtension
    static final PerClass<BenchDatabase> DB = PerClass.of(BenchDatabase::start);

    @Test
    void exactTableHasNoProblemAndEveryKindOfDamageIsReported() throws Exception {
        DB.get().truncate();
        // runs 0..4 with 5 rows each, exact
        List<LogEntry> rows = new ArrayList<>();
        for (int r = 0; r < 5; r++) rows.addAll(run(r, 1, 5));
        copy(rows);
        Map<UUID, Long> expected = new java.util.HashMap<>();
        for (int r = 0; r < 5; r++) expected.put(W.runId(r), 5L);
        expected.put(W.runId(9), 0L); // a run whose entries were all dropped: no row, no problem
        assertEquals(List.of(), DB.get().verify(expected));

        expected.put(W.runId(5), 3L);  // lost: nothing stored
        copy(run(6, 2, 2));            // duplicate of seq 2 in run 6...
        copy(run(6, 1, 3));
        expected.put(W.runId(6), 3L);
        copy(run(7, 1, 1));            // gap: seq 1 and 3 of 3
        copy(run(7, 3, 3));
        expected.put(W.runId(7), 3L);
        copy(run(8, 1, 2));            // never routed
        List<String> problems = DB.get().verify(expected);
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains(W.runId(5) + ": expected 3 rows, found none")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains(W.runId(6) + ": expected seq 1..3 once each, found 4 rows")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains(W.runId(7) + ": expected seq 1..3 once each, found 2 rows")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("never routed: " + W.runId(8))), problems.toString());
    }

    private static List<LogEntry> run(long r, long from, long to) {
        List<LogEntry> out = new ArrayList<>();
        // distinct ts per copy, so a re-sent seq is a second row (as a real duplicate would be)
        Instant ts = Instant.now();
        for (long k = from; k <= to; k++) out.add(W.entry(r, W.workflowId(r), W.runId(r), k, ts.plusMillis(k)).withSeq(k));
        return out;
    }

    private static void copy(List<LogEntry> rows) throws Exception {
        try (Connection c = DB.get().ds.getConnection()) {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY logs (" + CopyEncoder.COLUMNS + ") FROM STDIN",
                    new ByteArrayInputStream(CopyEncoder.encodeToBytes(rows)));
        }
    }
}
