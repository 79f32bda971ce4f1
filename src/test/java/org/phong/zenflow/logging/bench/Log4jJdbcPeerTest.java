package org.phong.zenflow.logging.bench;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.phong.zenflow.logging.testing.PerClass;

/**
 * The Log4j2 peer writes the workload's rows exactly once and field for field (its mapping is its own,
 * so the benchmark checks it), and the content check sees a changed field. Also the options that select it.
 */
class Log4jJdbcPeerTest {
    private static final Workload W = new Workload(11);

    @RegisterExtension
    static final PerClass<BenchDatabase> DB = PerClass.of(BenchDatabase::start);

    @Test
    void writesEveryEntryOnceAsTheWorkloadMadeIt() throws Exception {
        DB.get().truncate();
        Log4jJdbcPeer p = new Log4jJdbcPeer(DB.get().ds, W, 2, 20, 10, new AtomicLong(), 64, 50);
        p.startLog4j();
        p.startProducers();
        // enough entries that runs complete and new ones take their slots, and batches flush more than once
        await().atMost(Duration.ofSeconds(60)).until(() -> p.logged.sum() >= 500);
        p.stopProducers();
        assertTrue(p.stopLog4j(60_000));
        assertTrue(p.logged.sum() > 0);
        assertEquals(0, p.appenderErrors.sum(), p.firstError.get());
        assertEquals(p.logged.sum(), p.committed.sum());
        assertEquals(p.logged.sum(), DB.get().count());
        assertEquals(List.of(), DB.get().verify(p.expected()));
        List<LoadGenerator.RunRecord> runs = p.runs();
        assertEquals(List.of(), DB.get().sameRows(W, runs));
        assertTrue(p.commits.sum() < p.committed.sum(), "batched: " + p.commits.sum() + " commits for " + p.committed.sum() + " rows");

        // a changed field is seen: an ERROR's code lost, or metadata changed
        LoadGenerator.RunRecord r = runs.get(0);
        try (Connection c = DB.get().ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE logs SET metadata = '{\"x\":1}' WHERE run_id = '" + r.runId() + "' AND seq = 1");
        }
        List<String> problems = DB.get().sameRows(W, List.of(r));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains((r.accepted() - 1) + " of " + r.accepted()), problems.toString());
    }

    @Test
    void thePeerRunsInFullModeAndOnRequest() {
        assertTrue(BenchOptions.parse(new String[]{"--mode=full"}).runs("log4j"));
        assertTrue(!BenchOptions.parse(new String[]{"--mode=short"}).runs("log4j"));
        BenchOptions o = BenchOptions.parse(new String[]{"--mode=short", "--phases=log4j,limit", "--log4j-batch=100"});
        assertTrue(o.runs("log4j") && o.runs("limit") && !o.runs("e2e"));
        assertEquals(100, o.log4jBatch());
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[]{"--phases=limit"}));
        assertEquals("2.25", PipelineBenchmark.minor("2.25.3"));
    }
}
