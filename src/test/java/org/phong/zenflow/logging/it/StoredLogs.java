package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;

/** What the ITs check in the {@code logs} table, over plain JDBC. */
final class StoredLogs {
    /** How long a test waits for accepted entries to reach the table. */
    static final Duration PERSIST_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration POLL = Duration.ofMillis(250);

    private StoredLogs() {
    }

    static void awaitPersisted(List<UUID> runs, int perRun) {
        awaitRowsAtLeast(runs, (long) runs.size() * perRun, PERSIST_TIMEOUT);
    }

    /** Waits until the runs have at least {@code rows} rows in all (the message says how many there were). */
    static void awaitRowsAtLeast(List<UUID> runs, long rows, Duration timeout) {
        Awaitility.await(rows + " entries persisted").atMost(timeout).pollInterval(POLL)
                .until(() -> countRows(runs), n -> n >= rows);
    }

    static long countRows(List<UUID> runs) throws Exception {
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM logs WHERE run_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", runs.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static void assertExactlyOnceGapFree(List<UUID> runs, int perRun) throws Exception {
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT run_id, count(*), count(DISTINCT seq), min(seq), max(seq) FROM logs WHERE run_id = ANY (?) GROUP BY run_id")) {
            ps.setArray(1, c.createArrayOf("uuid", runs.toArray()));
            int seen = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    seen++;
                    String run = rs.getString(1);
                    assertEquals(perRun, rs.getLong(2), "rows of run " + run);
                    assertEquals(perRun, rs.getLong(3), "distinct seq of run " + run);
                    assertEquals(1, rs.getLong(4), "first seq of run " + run);
                    assertEquals(perRun, rs.getLong(5), "last seq of run " + run);
                }
            }
            assertEquals(runs.size(), seen, "runs with rows");
        }
    }
}
