package org.phong.zenflow.logging.health;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;
import org.phong.zenflow.logging.RunningPipeline;
import org.phong.zenflow.logging.BacklogOutlook;
import org.phong.zenflow.logging.journal.JournalStats;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.cdi.GuardedPostgresWriter;
import org.phong.zenflow.logging.cdi.SchemaState;
import org.phong.zenflow.logging.collector.SinkStatus;
import org.phong.zenflow.logging.config.ObservabilitySettings;
import org.phong.zenflow.logging.sink.postgres.RejectionStats;
import org.phong.zenflow.logging.time.ExecutorScheduler;

/**
 * MicroProfile Health checks of the pipeline. Every check answers at once (they read counters and the
 * {@link HealthMonitor}'s last results, never the database), and every DOWN carries a {@code reason}
 * an operator can act on.
 * <ul>
 *   <li>startup {@code zenflow-logging-schema}: the migrations have run;</li>
 *   <li>liveness {@code zenflow-logging-router}: every router worker thread runs;
 *       {@code zenflow-logging-scheduler}: the shared scheduler that times flushes and retries still
 *       runs tasks (its heartbeat is the database probe's tick);</li>
 *   <li>readiness {@code zenflow-logging-database}: PostgreSQL answers the background probe and the
 *       durable sink is writing, <em>or</em> a {@link Degradation} bean (the journal) says it absorbs
 *       the outage (UP, with the degradation level and its words in the data);
 *       {@code zenflow-logging-backpressure}: entries in flight are below the backpressure threshold;
 *       {@code zenflow-logging-heap}: the heap in use after GC is below {@code health.heap-threshold}.</li>
 * </ul>
 * In cluster mode there is no local pipeline: the router, journal and backpressure checks answer UP with
 * {@code mode=cluster} and say what takes their place ({@link ClusterHealth}); the database check keeps
 * the schema and the probe (the partition owners write there).
 */
@ApplicationScoped
public class PipelineHealth {
    /** Where the details an anonymous health answer leaves out are: the admin status and the server log. */
    static final String DETAILS = "GET /api/v1/admin/status as admin, or the server log";

    private static final double MB = 1024.0 * 1024.0;
    /** Longest error text quoted in a check's data. */
    static final int MAX_ERROR_CHARS = 300;

    @Inject
    RunningPipeline module;

    @Inject
    SchemaState schema;

    @Inject
    ObservabilitySettings settings;

    @Inject
    GuardedPostgresWriter postgresWriter;

    @Inject
    Instance<Degradation> degradation;

    @Resource(lookup = "jdbc/zenflowLogs")
    DataSource dataSource;

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ManagedScheduledExecutorService scheduledExecutor;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    private volatile HealthMonitor monitor;

    /** Starts the database probe and scheduler heartbeat with the application. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        monitor();
    }

    private HealthMonitor monitor() {
        HealthMonitor m = monitor;
        if (m == null) {
            synchronized (this) {
                if (monitor == null) {
                    // The same shared scheduled executor the pipeline's timers run on: its heartbeat is theirs.
                    m = new HealthMonitor(this::probeDatabase, new ExecutorScheduler(scheduledExecutor), executor, settings);
                    m.start();
                    monitor = m;
                }
                m = monitor;
            }
        }
        return m;
    }

    private void probeDatabase() throws SQLException {
        int seconds = (int) Math.max(1, TimeUnit.MILLISECONDS.toSeconds(settings.dbProbeTimeoutMs()));
        try (Connection c = dataSource.getConnection()) {
            if (!c.isValid(seconds)) throw new SQLException("the connection did not pass isValid within " + seconds + " s");
        }
    }

    @PreDestroy
    void stop() {
        HealthMonitor m = monitor;
        if (m != null) m.stop();
    }

    /** @return the degradation slot's bean, or null when none is deployed */
    private Degradation degradationOrNull() {
        return degradation.isResolvable() ? degradation.get() : null;
    }

    /**
     * The first line of an error, at most {@value #MAX_ERROR_CHARS} characters: enough to act on, and a
     * database error's context lines (which can quote a row being written, i.e. log content) stay out
     * of the health output.
     */
    /** @return an UP answer saying that {@code name} has no object in cluster mode, and what stands in for it */
    static HealthCheckResponse clusterMode(String name, String instead) {
        return HealthCheckResponse.named(name).up().withData("mode", "cluster").withData("instead", instead).build();
    }

    static String firstLine(String error) {
        if (error == null) return "unknown";
        int nl = error.indexOf('\n');
        String line = nl < 0 ? error : error.substring(0, nl);
        return line.length() <= MAX_ERROR_CHARS ? line : line.substring(0, MAX_ERROR_CHARS) + "...";
    }

    @Produces
    @Startup
    HealthCheck schemaMigrated() {
        return () -> {
            HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-schema").status(schema.isReady());
            if (!schema.isReady()) {
                b.withData("reason", "database schema not migrated yet; migration is retried with backoff: check that PostgreSQL "
                        + "is reachable with DB_HOST/DB_PORT/DB_USER (the error: " + DETAILS + ")");
            }
            return b.build();
        };
    }

    @Produces
    @Liveness
    HealthCheck routerAlive() {
        return () -> {
            if (module.clusterOrNull() != null) {
                return clusterMode("zenflow-logging-router", "the router forwards to the ingest topic on the caller's thread (no workers); "
                        + "the partition owner loop is in zenflow-logging-cluster");
            }
            LoggingPipeline p = module.runningOrNull();
            boolean up = p != null && p.router().workersAlive();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-router").status(up);
            if (!up) {
                b.withData("reason", p == null ? "the pipeline has not started; see the server log for the deployment error"
                        : "a router worker thread has stopped, so its runs' entries are no longer sequenced; restart the server");
            }
            return b.build();
        };
    }

    @Produces
    @Liveness
    HealthCheck schedulerAlive() {
        return () -> {
            long stalled = monitor().schedulerStalledForMs();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-scheduler").status(stalled < 0);
            if (stalled >= 0) {
                b.withData("reason", "the shared scheduler has not run a task for " + stalled + " ms (bound "
                        + monitor().stallBoundMs() + " ms): batch flushes by age, sink retries and idle cleanup are stalled; restart the server");
            }
            return b.build();
        };
    }

    @Produces
    @Readiness
    HealthCheck databaseReady() {
        return () -> {
            HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-database");
            if (module.clusterOrNull() != null) return clusterDatabase(b);
            LoggingPipeline p = module.runningOrNull();
            if (p == null) return b.down().withData("reason", "the pipeline has not started; see the server log").build();
            List<String> problems = new ArrayList<>();
            // Anonymous callers read this: operator words only, never exception text (it can quote a row or a
            // host); the errors themselves are in GET /api/v1/admin/status (admin role) and the server log.
            if (!schema.isReady()) problems.add("the schema is not migrated");
            HealthMonitor.DatabaseState db = monitor().database();
            if (!db.reachable()) problems.add("PostgreSQL is unreachable");
            for (SinkStatus s : p.sinkStatus()) {
                if (s.durable()) b.withData(s.name() + ".backlog", s.backlog());
                if (s.durable() && !s.healthy()) {
                    problems.add("sink " + s.name() + " is failing (" + s.consecutiveFailures()
                            + " failed writes in a row; the error: " + DETAILS + ")");
                }
            }
            BacklogOutlook o = p.outlook();
            if (o != BacklogOutlook.NONE) {
                b.withData("backlogEntries", o.entries()).withData("backlogBytes", o.bytes())
                        .withData("backlogOldestAgeMs", o.oldestAgeMs())
                        .withData("drainEntriesPerSecond", Math.round(o.drainPerSec()));
            }
            // Dead-lettered entries: a count and a time only (the error text may quote log content).
            RejectionStats rejections = postgresWriter.rejections();
            b.withData("rejectedEntries", rejections.rejected());
            if (rejections.lastRejectedAt() != null) b.withData("lastRejectedAt", rejections.lastRejectedAt().toString());
            DatabaseVerdict v = DatabaseVerdict.of(problems, db.reachable(), degradationOrNull(),
                    p.admission().inFlight(), p.settings().thresholdEntries());
            v.data().forEach((k, val) -> {
                if (val instanceof Number n) b.withData(k, n.longValue());
                else b.withData(k, String.valueOf(val));
            });
            return b.status(v.up()).build();
        };
    }

    /** Cluster mode: the schema and the probe; the owners' write failures are counted in zenflow-logging-cluster. */
    private HealthCheckResponse clusterDatabase(HealthCheckResponseBuilder b) {
        List<String> problems = new ArrayList<>();
        if (!schema.isReady()) problems.add("the schema is not migrated");
        HealthMonitor.DatabaseState db = monitor().database();
        if (!db.reachable()) problems.add("PostgreSQL is unreachable");
        b.withData("mode", "cluster");
        if (problems.isEmpty()) return b.up().withData("database", "reachable").build();
        return b.down().withData("reason", String.join("; ", problems) + ". The partition owners retry their writes from the ledger's "
                + "offset (the records wait in Kafka): check that PostgreSQL at DB_HOST:DB_PORT is running and reachable").build();
    }

    /**
     * The database readiness decision, apart from MicroProfile types so it is unit-tested.
     *
     * @param up   the check's status
     * @param data what goes into the check's data (insertion order)
     */
    record DatabaseVerdict(boolean up, java.util.Map<String, Object> data) {

        /**
         * @param problems    what is wrong, in words (empty: nothing)
         * @param reachable   whether the last probe answered
         * @param degradation the journal's view, or null without a journal
         * @param inFlight    entries in flight now
         * @param threshold   the backpressure threshold
         * @return UP when nothing is wrong or the journal absorbs the outage; DOWN with a reason otherwise
         */
        static DatabaseVerdict of(List<String> problems, boolean reachable, Degradation degradation, long inFlight, long threshold) {
            java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
            data.put("degradationLevel", degradation == null ? 0 : degradation.level());
            if (problems.isEmpty()) {
                data.put("database", "reachable");
                return new DatabaseVerdict(true, data);
            }
            String what = String.join("; ", problems);
            String advice = reachable
                    ? "the database answers but refuses the writes: see the error above and the server log"
                    : "check that PostgreSQL at DB_HOST:DB_PORT is running, reachable and not out of disk or connections";
            if (degradation != null && degradation.absorbsDatabaseOutage()) {
                // UP: entries accepted now are durable in the journal and replayed when the database is back.
                data.put("database", what);
                data.put("degradation", degradation.describe());
                data.put("reason", what + ". Accepted entries are durable in the journal and wait for the database: " + advice);
                return new DatabaseVerdict(true, data);
            }
            data.put("reason", what + ". Accepted entries wait in memory and are retried (" + inFlight
                    + " in flight; input is shed from " + threshold + "): " + advice);
            return new DatabaseVerdict(false, data);
        }
    }

    /**
     * The write-ahead journal's room: UP while it has room (a database outage is absorbed here, up to the
     * journal's budget); DOWN once its fill reaches the point where DEBUG/INFO are shed, or while it cannot
     * be written, with the reason and what to do.
     */
    @Produces
    @Readiness
    HealthCheck journalReady() {
        return () -> {
            if (module.clusterOrNull() != null) {
                return clusterMode("zenflow-logging-journal", "no local journal in cluster mode: Kafka's ingest topic (acks=all) is the journal");
            }
            HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-journal");
            LoggingPipeline p = module.runningOrNull();
            if (p == null) return b.down().withData("reason", "the pipeline has not started; see the server log").build();
            JournalStats j = p.journalStats();
            if (!j.enabled()) return b.up().withData("journal", "disabled").build();
            BacklogOutlook o = p.outlook();
            b.withData("usedBytes", o.usedBytes()).withData("budgetBytes", o.budgetBytes())
                    .withData("fillPercent", Math.round(o.fill() * 100))
                    .withData("secondsUntilFull", o.secondsUntilFull())
                    .withData("backlogEntries", o.entries()).withData("backlogBytes", o.bytes())
                    .withData("backlogOldestAgeMs", o.oldestAgeMs());
            if (o.freeBytes() != Long.MAX_VALUE) b.withData("diskFreeBytes", o.freeBytes());
            if (!j.available()) {
                return b.down().withData("reason", "the journal cannot be written (" + (j.full() ? "full" : "a disk or directory error")
                        + "): accepted entries wait in memory for the database (" + o.overflowEntries() + " now) and are shed or "
                        + "refused past the router's capacity. Free disk space or fix the journal directory; details for the admin role "
                        + "in /api/v1/admin/status").build();
            }
            if (o.nearFull()) {
                return b.down().withData("reason", "the journal is " + Math.round(o.fill() * 100) + "% of its budget (" + o.budgetBytes()
                        + " bytes): DEBUG/INFO are being shed and, from 95%, every entry is refused. The database is not keeping up ("
                        + o.entries() + " entries behind): see the database check; or raise journal.max-bytes / free disk space").build();
            }
            return b.up().build();
        };
    }

    @Produces
    @Readiness
    HealthCheck backpressureReady() {
        return () -> {
            if (module.clusterOrNull() != null) {
                return clusterMode("zenflow-logging-backpressure", "the ingest producer's bounded buffer is the queue; its refusals are "
                        + "in zenflow-logging-cluster");
            }
            HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-backpressure");
            LoggingPipeline p = module.runningOrNull();
            if (p == null) return b.down().withData("reason", "the pipeline has not started; see the server log").build();
            long inFlight = p.admission().inFlight();
            long threshold = p.settings().thresholdEntries();
            // The journal's fill has its own check (zenflow-logging-journal); this one is about memory.
            b.withData("inFlight", inFlight).withData("threshold", threshold)
                    .withData("capacity", p.admission().capacity()).withData("queueDepth", p.router().queueDepth());
            if (inFlight < threshold) return b.up().build();
            return b.down().withData("reason", inFlight + " entries in flight reached the backpressure threshold " + threshold
                    + ": DEBUG/INFO are being shed and HTTP answers 429. The durable sink is slower than the input: see the"
                    + " database check, or raise router.queue-capacity / lower the log volume").build();
        };
    }

    @Produces
    @Readiness
    HealthCheck heapReady() {
        return () -> {
            HeapUsage heap = HeapUsage.now();
            double threshold = settings.heapThreshold();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-heap")
                    .withData("usedBytes", heap.usedBytes()).withData("maxBytes", heap.maxBytes())
                    .withData("threshold", String.format(Locale.ROOT, "%.2f", threshold));
            if (!heap.above(threshold)) return b.up().build();
            LoggingPipeline p = module.runningOrNull();
            long buffered = p == null ? 0 : p.buffers().estimateMemory().totalBytes();
            return b.down().withData("reason", String.format(Locale.ROOT,
                    "the heap still holds %.0f MB of %.0f MB (%.0f%%) after GC, above the %.0f%% threshold; the run buffers"
                            + " hold about %.1f MB of it. Lower router.queue-capacity or buffer.ring-buffer-size, or raise -Xmx",
                    heap.usedBytes() / MB, heap.maxBytes() / MB, heap.fraction() * 100, threshold * 100, buffered / MB)).build();
        };
    }
}
