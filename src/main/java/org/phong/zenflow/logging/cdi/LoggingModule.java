package org.phong.zenflow.logging.cdi;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.phong.zenflow.logging.RunningPipeline;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.cluster.ClusterNode;
import org.phong.zenflow.logging.config.DegradationSettings;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.config.SecuritySettings;
import org.phong.zenflow.logging.redact.Redactor;
import org.phong.zenflow.logging.metrics.PipelineMetrics;
import org.phong.zenflow.logging.config.StreamSettings;
import org.phong.zenflow.logging.stream.OutputTopicFollower;
import org.phong.zenflow.logging.stream.RunEndSource;
import org.phong.zenflow.logging.stream.StreamHub;
import org.phong.zenflow.logging.sink.postgres.RunsTableReader;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.collector.GlobalLogCollector;
import org.phong.zenflow.logging.sink.postgres.PartitionMaintainer;
import org.phong.zenflow.logging.sink.postgres.PostgresLogReader;
import org.phong.zenflow.logging.sink.postgres.RunHistory;
import org.phong.zenflow.logging.sink.postgres.SchemaMigrator;
import org.phong.zenflow.logging.time.Backoff;
import org.phong.zenflow.logging.time.ExecutorScheduler;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * The thin CDI layer over the plain-Java core: at application start it validates the settings,
 * migrates the schema, assembles {@link LoggingPipeline} on Liberty's managed executors and starts
 * it; at stop it drains it. It also turns the engine's CDI events into router calls:
 * {@code @Observes LogEntry}, {@code WorkflowRunStarted}, {@code WorkflowRunCompleted}.
 *
 * <p><b>Cluster mode</b> ({@code zenflow.logging.cluster.enabled=true}, docs/cluster.md): no local
 * pipeline (no journal, buffers, collector or sinks); the live tail follows the output topic. It starts a {@link ClusterNode}
 * ({@link ClusterWiring}) and a forwarding {@link LogRouter} on it: the same entry points (the produced
 * router, the CDI events, HTTP) validate and redact as before and produce to the ingest topic; this
 * node's partition owner stores what the consumer group assigns it. {@link #runningOrNull()} is then null
 * and {@link #clusterOrNull()} the node; retention and schema migration run as in single-node mode.
 *
 * <p>A database that is down at startup does not stop the server: migrations are retried with
 * backoff, writes wait for them (the durable sink fails and retries), entries stay in flight.
 */
@ApplicationScoped
public class LoggingModule implements RunningPipeline {
    private static final Logger LOG = Logger.getLogger(LoggingModule.class.getName());

    @Inject
    LoggingSettings settings;

    @Inject
    SchemaState schema;

    @Inject
    KafkaSinkWiring kafka;

    @Inject
    RunsTableWiring runsTable;

    @Inject
    ClusterWiring cluster;

    @Inject
    SecuritySettings securitySettings;

    @Inject
    PipelineMetrics metrics;

    @Inject
    JournalSettings journalSettings;

    @Inject
    DegradationSettings degradationSettings;

    @Inject
    StreamSettings streamSettings;

    @Inject
    @Any
    Instance<LogSink> sinks;

    @Resource(lookup = "jdbc/zenflowLogs")
    DataSource dataSource;

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ManagedScheduledExecutorService scheduledExecutor;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threadFactory;

    private volatile LoggingPipeline pipeline;
    /** Cluster mode only: the forwarding router on the cluster node. */
    private volatile LogRouter clusterRouter;
    /** Cluster mode only: feeds the live tail from the output topic. */
    private volatile OutputTopicFollower tailFollower;
    /** Cluster mode: how often the watched runs' ends are read from the runs table (it only delays run-ended). */
    static final long CLUSTER_RUN_END_POLL_MS = 500;
    private volatile PostgresLogReader reader;
    private volatile StreamHub stream;
    private Scheduler scheduler;
    private int migrationAttempts;
    private volatile boolean stopping;
    /** Partitions ahead are checked once a day; months are the unit, so a day is plenty. */
    private static final long PARTITION_MAINTENANCE_PERIOD_MS = java.util.concurrent.TimeUnit.DAYS.toMillis(1);

    /** Builds and starts the pipeline when the application starts. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        scheduler = new ExecutorScheduler(scheduledExecutor);
        reader = new PostgresLogReader(dataSource);
        migrate();
        if (cluster.enabled()) {
            startCluster();
            return;
        }
        List<LogSink> all = new ArrayList<>();
        for (LogSink s : sinks) all.add(s);
        kafka.startIfEnabled(threadFactory).ifPresent(all::add);
        // The live tail hears each entry as it gets its seq; its history comes from PostgreSQL.
        StreamHub hub = newHub();
        pipeline = LoggingPipeline.builder()
                .settings(settings)
                .sinks(all)
                .scheduler(scheduler)
                .executor(executor)
                .threadFactory(threadFactory)
                .redactor(Redactor.from(securitySettings))
                .observer(metrics.observer())
                .journal(journalSettings)
                .degradation(degradationSettings)
                .sequenceLookup(runId -> {
                    schema.requireReady();
                    return reader.lastSeq(runId);
                })
                .lookupReadsDurableSinks(true) // the lookup reads PostgreSQL, the durable sink
                .listener(runsTable.alongside(hub)) // live tail, and run start/end into the runs table
                .build()
                .start();
        stream = hub.attach(pipeline.buffers());
        List<String> names = all.stream().map(LogSink::name).toList();
        LOG.info("zenflow-logging started: sinks " + names + ", " + settings.workers() + " router workers, capacity "
                + settings.queueCapacity() + ", strategy " + settings.backpressureStrategy() + ", journal "
                + (pipeline.journal() == null ? "off" : pipeline.journal().dir() + " (fsync " + journalSettings.fsync() + ")"));
    }

    /**
     * Cluster mode: the node (its owner loop claims partitions once the schema is migrated; until then its
     * claims fail and are retried with backoff), retention, and the forwarding router.
     */
    private void startCluster() {
        runsTable.start();
        ClusterNode node = cluster.start(dataSource, threadFactory);
        // The live tail of any run on any node: sequenced entries from the output topic (every partition, from
        // its end), history and holes from PostgreSQL, run ends from the runs table (stream/package-info).
        RunsTableReader runs = new RunsTableReader(dataSource);
        StreamHub hub = newHub().attachCluster(ids -> {
            schema.requireReady();
            return runs.ended(ids).stream().map(r -> new RunEndSource.Ended(r.runId(), r.lastSeq(), r.outcome())).toList();
        }, CLUSTER_RUN_END_POLL_MS);
        tailFollower = cluster.startTailFollower(hub, threadFactory);
        stream = hub;
        clusterRouter = LogRouter.forwarding(node, Redactor.from(securitySettings), metrics.observer());
        LOG.info("zenflow-logging started in cluster mode: node " + node.node() + ", ingest topic " + cluster.settings().ingestTopic()
                + ", output topic " + cluster.settings().outputTopic() + ", group " + cluster.settings().groupId()
                + (kafka.settings().enabled() ? " (zenflow.logging.kafka.enabled is ignored: the owners publish to the output topic)" : ""));
    }

    /** The live tail's hub; its history comes from PostgreSQL (rejected entries fill their seq, so a catching-up reader meets no gap). */
    private StreamHub newHub() {
        return new StreamHub(streamSettings, scheduler, executor, (runId, afterSeq, limit) -> {
            schema.requireReady();
            return RunHistory.entries(RunHistory.page(reader, runId, afterSeq, limit, null, null));
        });
    }

    private void migrate() {
        try {
            SchemaMigrator.migrate(dataSource);
            schema.markReady();
            maintainPartitions();
            if (migrationAttempts > 0) LOG.info("Database schema migrated after " + migrationAttempts + " failed attempts");
        } catch (RuntimeException e) {
            if (stopping) return;
            migrationAttempts++;
            schema.markFailed(e.toString());
            long delay = Backoff.withJitter(settings.retryBackoffMs(), settings.retryMaxBackoffMs(), migrationAttempts);
            LOG.log(migrationAttempts == 1 ? Level.SEVERE : Level.WARNING, "Cannot migrate the log database (attempt "
                    + migrationAttempts + "); entries are kept in flight and migration is retried in " + delay + " ms", e);
            scheduler.schedule(this::migrate, delay);
        }
    }

    /** Creates the months ahead now and once a day, so writes rarely pay for a partition. */
    private void maintainPartitions() {
        try {
            new PartitionMaintainer(dataSource).ensureMonthsAround(Instant.now(), settings.partitionsAheadMonths());
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "Cannot create log partitions ahead now; writes create their month on demand", e);
        }
        if (!stopping) scheduler.schedule(this::maintainPartitions, PARTITION_MAINTENANCE_PERIOD_MS);
    }

    @PreDestroy
    void stop() {
        stopping = true;
        LogRouter forwarding = clusterRouter;
        if (forwarding != null) {
            forwarding.shutdown(0); // refuses from now on; nothing is queued in it
            OutputTopicFollower f = tailFollower;
            if (f != null) f.close();
            StreamHub h = stream;
            if (h != null) h.stop();
            cluster.stop();         // flushes the ingest producer, leaves the group, flushes the publisher
            runsTable.stop();
            LOG.info("zenflow-logging stopped (cluster mode)");
            return;
        }
        StreamHub h = stream;
        if (h != null) h.stop();
        LoggingPipeline p = pipeline;
        if (p == null) return;
        boolean drained = p.shutdown(settings.shutdownTimeoutMs());
        kafka.close(); // after the pipeline: what the buffers flushed last still goes to Kafka
        runsTable.stop(); // after the pipeline: the ends of the runs it flushed last
        long inFlight = p.admission().inFlight();
        if (drained) {
            LOG.info("zenflow-logging stopped: every accepted entry reached the durable sinks");
        } else {
            LOG.severe("zenflow-logging stopped with " + inFlight + " accepted entries not yet in the durable sinks");
        }
    }

    /*
     * The engine-facing stages as CDI beans: each producer hands out the one instance of the running pipeline
     * (built by LoggingPipeline.builder() above), never a second one, so an engine that injects them sees the
     * same router, buffers and collector as the REST API, the health checks and the metrics. @Dependent (the
     * default) because the instances are plain Java objects that CDI need not proxy; injecting them before
     * the application has started throws IllegalStateException (as running() does).
     */

    /**
     * @return the router, for {@code @Inject LogRouter} in the engine and for the REST resources: the
     *         pipeline's, or in cluster mode the forwarding router
     */
    @Produces
    public LogRouter router() {
        LogRouter r = clusterRouter;
        return r != null ? r : running().router();
    }

    /** @return the per-run buffers of the running pipeline, for {@code @Inject WorkflowBufferManager} */
    @Produces
    WorkflowBufferManager buffers() {
        return running().buffers();
    }

    /** @return the collector that feeds every sink, for {@code @Inject GlobalLogCollector} */
    @Produces
    GlobalLogCollector collector() {
        return running().collector();
    }

    /** @return the running pipeline */
    public LoggingPipeline running() {
        LoggingPipeline p = pipeline;
        if (p == null) throw new IllegalStateException(clusterRouter != null
                ? "zenflow-logging runs in cluster mode: there is no local pipeline (buffers, collector, journal) on this node"
                : "zenflow-logging is not started");
        return p;
    }

    @Override
    public ClusterNode clusterOrNull() {
        return clusterRouter == null ? null : cluster.nodeOrNull();
    }

    @Override
    public LoggingPipeline runningOrNull() {
        return pipeline;
    }

    /** @return the live tail's hub */
    public StreamHub stream() {
        StreamHub h = stream;
        if (h == null) throw new IllegalStateException("zenflow-logging is not started");
        return h;
    }

    @Override
    public StreamHub streamOrNull() {
        return stream;
    }

    /** @return the history reader */
    public PostgresLogReader reader() {
        return reader;
    }

    void onEntry(@Observes LogEntry entry) {
        router().route(entry);
    }

    void onRunStarted(@Observes WorkflowRunStarted event) {
        router().runStarted(event);
    }

    void onRunCompleted(@Observes WorkflowRunCompleted event) {
        router().runCompleted(event);
    }
}
