package org.phong.zenflow.logging.cdi;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.buffer.BufferListener;
import org.phong.zenflow.logging.config.RetentionSettings;
import org.phong.zenflow.logging.sink.postgres.RetentionMaintainer;
import org.phong.zenflow.logging.sink.postgres.RunEventQueue;
import org.phong.zenflow.logging.sink.postgres.RunsTableWriter;
import org.phong.zenflow.logging.time.ExecutorScheduler;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * Brings run starts and ends to the {@code runs} table: a {@link BufferListener} (next to the live
 * tail's) hands them to a {@link RunEventQueue} on the router worker (a map merge, no I/O), and a
 * task on the managed scheduler writes the queue every {@link #FLUSH_PERIOD_MS}, and once more at stop.
 * The counts of the table travel with the rows instead (PostgreSQL sink, same transaction).
 *
 * <p>Also runs retention ({@link RetentionMaintainer}, {@code retention.days}) every
 * {@link #RETENTION_PERIOD_MS}; with several nodes each tries, one (the advisory lock's holder) works.
 */
@ApplicationScoped
public class RunsTableWiring {
    private static final Logger LOG = Logger.getLogger(RunsTableWiring.class.getName());
    /** How often pending start/end events are written: the delay before an end shows in the runs list. */
    static final long FLUSH_PERIOD_MS = 250;
    /** How often a retention pass is tried; partitions are months, so an hour is plenty. */
    static final long RETENTION_PERIOD_MS = 3_600_000;
    /** First retention pass after start: out of the way of startup and journal replay. */
    static final long RETENTION_FIRST_DELAY_MS = 60_000;

    @Inject
    SettingsProducer settingsProducer;

    @Inject
    SchemaState schema;

    @Resource(lookup = "jdbc/zenflowLogs")
    DataSource dataSource;

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ManagedScheduledExecutorService scheduledExecutor;

    private final RunsTableWriter writer = new RunsTableWriter(RunsTableWriter.defaultOwner());
    private final RunEventQueue events = new RunEventQueue(writer);
    /** Workflow of each run holding a buffer (an end event names only the run). */
    private final ConcurrentHashMap<UUID, UUID> workflows = new ConcurrentHashMap<>();
    /** Set once by {@link #start}; the flush task and retention run on it. */
    private volatile Scheduler scheduler;
    private volatile RetentionMaintainer retention;
    private volatile boolean stopped;
    private volatile boolean failing;

    /**
     * @param other the listener already in place (the live tail)
     * @return a listener that tells {@code other} first, then records starts and ends; starts the flush task
     */
    BufferListener alongside(BufferListener other) {
        start();
        return new BufferListener() {
            @Override
            public void runStarted(UUID workflowId, UUID runId) {
                other.runStarted(workflowId, runId);
                workflows.put(runId, workflowId);
                events.started(workflowId, runId, scheduler.wallClock());
            }

            @Override
            public boolean watches(UUID runId) {
                return other.watches(runId);
            }

            @Override
            public void sequenced(LogEntry entry) {
                other.sequenced(entry);
                if (!workflows.containsKey(entry.runId())) workflows.put(entry.runId(), entry.workflowId());
            }

            @Override
            public void runReleased(UUID runId, long lastSeq, RunOutcome outcome) {
                other.runReleased(runId, lastSeq, outcome);
                UUID workflow = workflows.remove(runId);
                if (outcome != null && workflow != null) events.ended(workflow, runId, outcome, scheduler.wallClock());
            }
        };
    }

    /**
     * Starts the flush task and retention, once. Single-node mode calls it through {@link #alongside};
     * cluster mode calls it alone: there the partition owners write starts, ends and counts in their
     * fenced transaction, so the queue stays empty and only retention has work.
     */
    synchronized void start() {
        if (scheduler != null) return;
        scheduler = new ExecutorScheduler(scheduledExecutor);
        RetentionSettings rs = RetentionSettings.from(settingsProducer.reader());
        Scheduler clock = scheduler;
        retention = new RetentionMaintainer(dataSource, rs.days(), clock::wallClock);
        scheduleFlush();
        if (!rs.keepForever()) scheduler.schedule(this::retainAndReschedule, RETENTION_FIRST_DELAY_MS);
        LOG.info("Runs table owner " + writer.owner() + "; retention " + (rs.keepForever() ? "off (keep forever)"
                : rs.days() + " days, tables " + RetentionMaintainer.TABLES.stream().map(RetentionMaintainer.RetainedTable::name).toList()));
    }

    /** @return the events queue (pending and written counts) */
    public RunEventQueue events() {
        return events;
    }

    /** @return the retention maintainer, or null before start */
    public RetentionMaintainer retentionOrNull() {
        return retention;
    }

    private void retainAndReschedule() {
        if (stopped) return;
        try {
            if (schema.isReady()) retention.runOnce();
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "Retention pass failed; tried again in " + RETENTION_PERIOD_MS + " ms", e);
        } finally {
            if (!stopped) scheduler.schedule(this::retainAndReschedule, RETENTION_PERIOD_MS);
        }
    }

    /** @return this node's name in the runs table */
    public String owner() {
        return writer.owner();
    }

    private void scheduleFlush() {
        if (!stopped) scheduler.schedule(this::flushAndReschedule, FLUSH_PERIOD_MS);
    }

    private void flushAndReschedule() {
        try {
            flush();
        } finally {
            scheduleFlush();
        }
    }

    private void flush() {
        if (!schema.isReady() || events.pendingCount() == 0) return;
        try {
            events.flush(dataSource);
            if (failing) LOG.info("Run start/end events are written to the runs table again");
            failing = false;
        } catch (SQLException | RuntimeException e) {
            // Logged once per outage; the events stay pending and are retried next period.
            if (!failing) LOG.log(Level.WARNING, "Cannot write run start/end events to the runs table; "
                    + events.pendingCount() + " kept and retried", e);
            failing = true;
        }
    }

    @PreDestroy
    void stop() {
        stopped = true;
        flush();
    }
}
