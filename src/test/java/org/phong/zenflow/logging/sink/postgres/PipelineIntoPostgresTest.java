package org.phong.zenflow.logging.sink.postgres;

import org.phong.zenflow.logging.testing.PipelineFixture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.router.RouteResult;

/**
 * The core as the benchmarks build it, in plain Java, on a real PostgreSQL: route() to rows. Also
 * the restart case: a second pipeline (a restarted server) that receives more entries for a run it
 * never saw started continues that run's seq from the database instead of starting again at 1.
 */
class PipelineIntoPostgresTest {
    private static Pg pg;
    private static PipelineFixture pipelines;

    @BeforeAll
    static void start() throws Exception {
        pg = Pg.startMigrated();
        pipelines = new PipelineFixture();
    }

    @AfterAll
    static void stop() throws Exception {
        pipelines.close();
        pg.close();
    }

    private static LoggingPipeline pipeline() {
        LoggingSettings s = LoggingSettings.defaults();
        PostgresLogReader reader = new PostgresLogReader(pg.ds);
        return pipelines.start(pipelines.builder(s, List.of(new PostgresLogSink(pg.ds, s))).sequenceLookup(reader::lastSeq));
    }

    @Test
    void routedEntriesLandOnceAndARestartedPipelineContinuesTheSeq() throws Exception {
        UUID wf = UUID.randomUUID();
        List<UUID> runs = new ArrayList<>();
        LoggingPipeline first = pipeline();
        for (int r = 0; r < 20; r++) {
            UUID run = UUID.randomUUID();
            runs.add(run);
            first.router().runStarted(new WorkflowRunStarted(wf, run));
        }
        for (int i = 0; i < 500; i++) {
            for (UUID run : runs) assertEquals(RouteResult.ACCEPTED, first.router().route(entry(wf, run, "first " + i)));
        }
        // A normal stop drains everything into the database.
        assertTrue(first.shutdown(30_000));
        for (UUID run : runs) assertEquals(500, pg.count("SELECT count(*) FROM logs WHERE run_id = ?", run));

        // "Restart": a new pipeline gets more entries for the same runs, without start events.
        LoggingPipeline second = pipeline();
        for (int i = 0; i < 100; i++) {
            for (UUID run : runs) second.router().route(entry(wf, run, "second " + i));
        }
        for (UUID run : runs) {
            assertEquals(600L, second.router().runCompleted(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED))
                    .get(30, TimeUnit.SECONDS), "last seq of " + run);
        }
        assertTrue(second.shutdown(30_000));
        for (UUID run : runs) {
            assertEquals(600, pg.count("SELECT count(DISTINCT seq) FROM logs WHERE run_id = ?", run));
            assertEquals(600, pg.count("SELECT max(seq) FROM logs WHERE run_id = ?", run));
            assertEquals(501, pg.count("SELECT min(seq) FROM logs WHERE run_id = ? AND message LIKE 'second %'", run),
                    "the restarted pipeline continues after the stored seq");
        }
    }

    private static LogEntry entry(UUID wf, UUID run, String message) {
        return LogEntry.builder().workflowId(wf).runId(run).nodeKey("n").ts(Instant.now())
                .level(LogLevel.INFO).message(message).build();
    }
}
