package org.phong.zenflow.logging.testing;

import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.sink.postgres.PostgresLogReader;
import org.phong.zenflow.logging.sink.postgres.PostgresLogSink;
import org.phong.zenflow.logging.sink.postgres.SchemaMigrator;
import org.phong.zenflow.logging.time.ExecutorScheduler;

/**
 * The plain-Java pipeline into a real embedded PostgreSQL, plus whatever extra sinks a test adds:
 * routes a load and times it until every row is in the table. Used to compare the PostgreSQL path with
 * and without another sink (Kafka) beside it.
 */
public final class PostgresPipelineRig implements AutoCloseable {
    private static final long POLL_MS = 50;
    private final EmbeddedPostgres pg;
    private final DataSource ds;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService executor = Executors.newCachedThreadPool();

    /** What one load did. */
    public record Outcome(List<UUID> runs, long entries, long persistedMs, long notAccepted) {
        public double perSecond() {
            return entries * 1000.0 / Math.max(1, persistedMs);
        }
    }

    public PostgresPipelineRig() throws Exception {
        pg = EmbeddedPostgres.start();
        ds = pg.getPostgresDatabase();
        SchemaMigrator.migrate(ds);
    }

    /**
     * Routes {@code runs} x {@code perRun} entries (one thread) through a new pipeline with the PostgreSQL
     * sink and {@code extra}, completes the runs, and waits until every row is stored.
     */
    public Outcome load(int runs, int perRun, List<LogSink> extra, long timeoutMs) throws Exception {
        LoggingSettings s = LoggingSettings.defaults();
        List<LogSink> sinks = new ArrayList<>();
        sinks.add(new PostgresLogSink(ds, s));
        sinks.addAll(extra);
        LoggingPipeline p = LoggingPipeline.builder().settings(s).sinks(sinks).scheduler(new ExecutorScheduler(timer))
                .executor(executor).threadFactory(Thread::new).sequenceLookup(new PostgresLogReader(ds)::lastSeq).lookupReadsDurableSinks(true).build().start();
        UUID wf = UUID.randomUUID();
        List<UUID> ids = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            UUID run = UUID.randomUUID();
            ids.add(run);
            p.router().runStarted(new WorkflowRunStarted(wf, run));
        }
        long notAccepted = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < perRun; i++) {
            for (UUID run : ids) {
                LogEntry e = LogEntry.builder().workflowId(wf).runId(run).nodeKey("node-" + (i % 5)).ts(Instant.now())
                        .level(i % 10 == 0 ? LogLevel.WARN : LogLevel.INFO).message("entry " + i + " of a benchmark run")
                        .metadata("{\"i\":" + i + "}").build();
                if (p.router().route(e) != RouteResult.ACCEPTED) notAccepted++;
            }
        }
        for (UUID run : ids) p.router().runCompleted(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED));
        long expected = (long) runs * perRun - notAccepted;
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        // the timeout counts from the first entry routed; a timeout names the last count
        await(expected + " rows within " + timeoutMs + " ms").atMost(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(POLL_MS))
                .until(() -> count(ids), n -> n >= expected);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        p.shutdown(timeoutMs);
        return new Outcome(ids, (long) runs * perRun, ms, notAccepted);
    }

    /** @return rows stored for the runs */
    public long count(List<UUID> runs) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM logs WHERE run_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", runs.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public void close() throws Exception {
        timer.shutdownNow();
        executor.shutdownNow();
        pg.close();
    }
}
