package org.phong.zenflow.logging.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.bench.HttpLoad.Batch;
import org.phong.zenflow.logging.bench.HttpLoad.Outcome;

/** HttpLoad without a server: its options, the answers it reads, and the database comparison. */
class HttpLoadTest {
    private static final UUID RUN = UUID.randomUUID();

    @Test
    void defaultsAreTheLocalServerWith16ClosedLoopClients() {
        HttpLoad.Options o = HttpLoad.Options.parse(new String[0]);
        assertEquals("http://localhost:9080/api/v1/logs", o.logsUri().toString());
        assertEquals(16, o.clients());
        assertEquals(100, o.batch());
        assertEquals("zenflow", o.user());
        assertEquals("zenflow-local", o.password());
        assertEquals(HttpClient.Version.HTTP_1_1, o.version());
        assertTrue(!o.paced());
        assertNull(o.jdbc());

        HttpLoad.Options p = HttpLoad.Options.parse(new String[]{"--url=http://h:1/", "--wait=persisted", "--http=2", "--rate=10000",
            "--jdbc=jdbc:postgresql://localhost:55432/zenflow_logs"});
        assertEquals("http://h:1/api/v1/logs?wait=persisted", p.logsUri().toString());
        assertEquals(HttpClient.Version.HTTP_2, p.version());
        assertTrue(p.paced());
        assertThrows(IllegalArgumentException.class, () -> HttpLoad.Options.parse(new String[]{"--wait=later"}));
        assertThrows(IllegalArgumentException.class, () -> HttpLoad.Options.parse(new String[]{"--clients=0"}));
        assertThrows(IllegalArgumentException.class, () -> HttpLoad.Options.parse(new String[]{"--nope=1"}));
    }

    @Test
    void readsTheCountsAndItsOwnMessages() {
        assertArrayEquals(new int[]{98, 2, 0}, HttpLoad.counts("{\"accepted\":98,\"dropped\":2,\"rejected\":0,\"durable\":true}"));
        assertNull(HttpLoad.counts("{\"accepted\":98}"));
        assertArrayEquals(new long[]{3, 12345}, HttpLoad.parseMessage(HttpLoad.message("ab12", 3, 12345), "ab12"));
        assertNull(HttpLoad.parseMessage(HttpLoad.message("ab12", 3, 12345), "other"));
    }

    @Test
    void comparisonSeesLossDuplicatesAndStrays() {
        List<Batch> batches = List.of(
                new Batch(0, RUN, 1, 3, Outcome.ACCEPTED, 3),
                new Batch(0, RUN, 4, 3, Outcome.PARTIAL, 2),
                new Batch(0, RUN, 7, 3, Outcome.REFUSED, 0),
                new Batch(0, RUN, 10, 3, Outcome.UNKNOWN, 0));
        HttpLoad.Stored exact = stored(1, 2, 3, 4, 6, 10);
        assertEquals(List.of(), HttpLoad.compare(batches, exact));

        HttpLoad.Stored bad = stored(1, 3, 3, 4, 5, 6, 8, 20);
        List<String> problems = HttpLoad.compare(batches, bad);
        assertEquals(5, problems.size(), problems.toString());
        assertTrue(problems.contains("client 0 entry n3 stored more than once"), problems.toString());
        assertTrue(problems.contains("client 0 n1..n3 (ACCEPTED): 3 accepted, 2 stored"), problems.toString());
        assertTrue(problems.contains("client 0 n4..n6 (PARTIAL): 2 accepted, 3 stored"), problems.toString());
        assertTrue(problems.contains("client 0 n7..n9 (REFUSED): none accepted, 1 stored"), problems.toString());
        assertTrue(problems.contains("client 0 entry n20 stored but never sent"), problems.toString());
    }

    @Test
    void verifiesInTheDatabase() throws Exception {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        List<Batch> batches = List.of(new Batch(0, a, 1, 3, Outcome.ACCEPTED, 3), new Batch(1, b, 1, 3, Outcome.PARTIAL, 2));
        try (BenchDatabase db = BenchDatabase.start(); Connection c = db.ds.getConnection()) {
            insert(c, a, 0, 1, 1);
            insert(c, a, 0, 2, 2);
            insert(c, a, 0, 3, 3);
            insert(c, b, 1, 1, 1);
            insert(c, b, 1, 3, 2); // entry n2 was the one dropped
            HttpLoad.Verified v = HttpLoad.verify(c, "t1", batches, List.of(a, b), 1);
            assertEquals(5, v.stored());
            assertEquals(List.of(), v.problems());

            insert(c, a, 0, 2, 4); // n2 again, as a retried request would store it
            insert(c, b, 1, 2, 2); // a second seq 2 in run b
            v = HttpLoad.verify(c, "t1", batches, List.of(a, b), 1);
            assertEquals(7, v.stored());
            assertTrue(v.problems().contains("client 0 entry n2 stored more than once"), v.problems().toString());
            assertTrue(v.problems().contains("client 1 n1..n3 (PARTIAL): 2 accepted, 3 stored"), v.problems().toString());
            assertTrue(v.problems().stream().anyMatch(p -> p.startsWith("run " + b + ": 3 rows, 2 distinct seq")), v.problems().toString());
            assertEquals(3, v.problems().size(), v.problems().toString());
        }
    }

    private static void insert(Connection c, UUID run, int client, long k, long seq) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO logs (workflow_id, run_id, seq, node_key, ts, level, message) VALUES (?, ?, ?, 'http-load', now(), 'INFO', ?)")) {
            ps.setObject(1, run);
            ps.setObject(2, run);
            ps.setLong(3, seq);
            ps.setString(4, HttpLoad.message("t1", client, k));
            ps.executeUpdate();
        }
    }

    private static HttpLoad.Stored stored(long... ks) {
        HttpLoad.Stored s = new HttpLoad.Stored();
        for (long k : ks) s.add(0, k);
        return s;
    }
}
