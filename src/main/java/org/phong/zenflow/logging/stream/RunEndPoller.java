package org.phong.zenflow.logging.stream;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * Cluster mode's run ends: every poll interval, the runs watched on this node (and only those) are
 * looked up in the runs table, and every ended one gets a run's end offered to its feed
 * ({@link StreamHub#remoteRunEnded}). The output topic carries entries only, and the node that
 * stored a run may not be this one, so the table is the one place every node can read an end from.
 *
 * <p>Why a poll and not an end record on the output topic: the owner publishes after its commit,
 * at least once but not surely (a crash between commit and publish loses the record), and an end
 * that never arrives would leave a session open forever; the table is the truth and cannot miss one.
 * The cost is one indexed query per interval while anything is watched (none when nothing is), and
 * up to one interval of delay before {@code run-ended}.
 *
 * <p>Threads: the timer is the shared {@link Scheduler}; the query runs on the executor (it blocks on
 * the database), one at a time: the next poll is scheduled when the previous one finished, so a slow
 * database slows the polls down instead of piling them up. A failure is logged (first at WARNING,
 * then FINE until a success) and the next poll tries again.
 */
final class RunEndPoller {
    private static final Logger LOG = Logger.getLogger(RunEndPoller.class.getName());

    private final StreamHub hub;
    private final RunEndSource source;
    private final Scheduler scheduler;
    private final Executor executor;
    private final long periodMs;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Scheduler.Cancellable next;
    private volatile boolean failing;

    RunEndPoller(StreamHub hub, RunEndSource source, Scheduler scheduler, Executor executor, long periodMs) {
        if (periodMs < 1) throw new IllegalArgumentException("the end poll interval must be at least 1 ms, was " + periodMs);
        this.hub = Objects.requireNonNull(hub);
        this.source = Objects.requireNonNull(source);
        this.scheduler = Objects.requireNonNull(scheduler);
        this.executor = Objects.requireNonNull(executor);
        this.periodMs = periodMs;
    }

    void start() {
        if (running.compareAndSet(false, true)) scheduleNext();
    }

    void stop() {
        running.set(false);
        Scheduler.Cancellable c = next;
        if (c != null) c.cancel();
    }

    private void scheduleNext() {
        if (!running.get()) return;
        next = scheduler.schedule(() -> {
            try {
                executor.execute(this::pollOnce);
            } catch (RuntimeException e) {
                if (running.get()) LOG.log(Level.WARNING, "Cannot run the live tail's run-end poll", e);
                scheduleNext();
            }
        }, periodMs);
    }

    /** One poll (executor): reads the watched runs' ends and offers them; schedules the next. */
    void pollOnce() {
        try {
            Set<UUID> watched = hub.watchedRunIds();
            if (watched.isEmpty()) return;
            List<RunEndSource.Ended> ended = source.ended(watched);
            for (RunEndSource.Ended e : ended) hub.remoteRunEnded(e.runId(), e.lastSeq(), e.outcome());
            if (failing) failing = false;
        } catch (Exception e) {
            LOG.log(failing ? Level.FINE : Level.WARNING, "Cannot read the ends of watched runs; trying again in " + periodMs + " ms", e);
            failing = true;
        } finally {
            scheduleNext();
        }
    }
}
