package org.phong.zenflow.logging.sink.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.sink.postgres.RunsTableWriter.RunEvent;

/**
 * Run start and end events waiting to be written to the {@code runs} table, at most one per run
 * (a start and an end of the same run merge), written together by {@link #flush} in one statement.
 *
 * <p>Why a queue and not the batch path: a start or an end carries no log row (an end often comes
 * after the run's last batch is already written), and the sink's contract is rows. The events are
 * offered from the router workers (must not block: a map merge) and flushed on a schedule; a failed
 * flush puts its events back (merged under anything newer), so they are retried until the database
 * takes them. Because every column an event sets is merged commutatively ({@link RunsTableWriter}),
 * an event may land before or after the run's rows.
 *
 * <p>Bound: one pending event per run that started or ended since the last successful flush. While
 * the database is down that grows with the runs started meanwhile (about 200 bytes each); the rows
 * of those runs are held in flight by backpressure anyway, which bounds the runs that can make
 * progress. Not durable: events pending when the process dies are lost (the run's rows and counts
 * are not, they travel with the rows); such a run shows no end until an end is reported again.
 */
public final class RunEventQueue {
    private final ConcurrentHashMap<UUID, RunEvent> pending = new ConcurrentHashMap<>();
    private final RunsTableWriter writer;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failedFlushes = new AtomicLong();

    /** @param writer writes the events */
    public RunEventQueue(RunsTableWriter writer) {
        this.writer = writer;
    }

    /**
     * @param workflowId the run's workflow
     * @param runId      the run
     * @param at         when it started
     */
    public void started(UUID workflowId, UUID runId, Instant at) {
        offer(new RunEvent(runId, workflowId, at, null, null));
    }

    /**
     * @param workflowId the run's workflow
     * @param runId      the run
     * @param outcome    how it ended
     * @param at         when it ended
     */
    public void ended(UUID workflowId, UUID runId, RunOutcome outcome, Instant at) {
        offer(new RunEvent(runId, workflowId, null, at, outcome));
    }

    private void offer(RunEvent e) {
        pending.merge(e.runId(), e, RunEvent::merge);
    }

    /** @return events not yet written */
    public int pendingCount() {
        return pending.size();
    }

    /** @return events written since start */
    public long written() {
        return written.get();
    }

    /** @return flushes that failed (their events were put back) */
    public long failedFlushes() {
        return failedFlushes.get();
    }

    /**
     * Writes every pending event in one auto-committed statement; on failure puts them back.
     *
     * @param ds the log database
     * @return events written
     * @throws SQLException when the database refused (the events stay pending)
     */
    public int flush(DataSource ds) throws SQLException {
        if (pending.isEmpty()) return 0;
        List<RunEvent> batch = new ArrayList<>();
        for (UUID run : List.copyOf(pending.keySet())) {
            RunEvent e = pending.remove(run);
            if (e != null) batch.add(e);
        }
        try (Connection c = ds.getConnection()) {
            writer.writeEvents(c, batch);
            if (!c.getAutoCommit()) c.commit();
        } catch (SQLException | RuntimeException e) {
            // Back in, under anything that arrived meanwhile (the newer event wins on conflict).
            for (RunEvent old : batch) pending.merge(old.runId(), old, (newer, o) -> o.merge(newer));
            failedFlushes.incrementAndGet();
            throw e;
        }
        written.addAndGet(batch.size());
        return batch.size();
    }
}
