package org.phong.zenflow.logging.journal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.config.JournalSettings;

/**
 * The committer: the journal's one thread. Each step writes out what the appends buffered (under the journal's
 * lock), forces it (outside the lock, so appends go on meanwhile), moves the <em>synced</em> position, completes
 * the durability waits it covers and wakes the followers; then runs the journal's housekeeping and publishes
 * availability changes. Under {@code fsync=always} a step starts as soon as anything is unsynced (every append
 * made during one force is covered by the next: group commit); otherwise every {@code fsync-interval-ms}.
 *
 * <p>Invariants: synced only grows, and only to a position that was written and forced (under
 * {@code fsync=none}: written), so a follower reading up to it never publishes what a power loss could take back
 * and a completed wait is never taken back; waiters are completed after synced moved (see
 * {@link DurabilityWaiters} for why none is missed).
 *
 * <p>Locking: no lock of its own. It takes the journal's lock only through {@link Journal#writeOut} and
 * {@link Journal#forceFailed} (and {@code housekeeping}), and holds no lock while it forces, completes waiters
 * or runs listeners. Only the committer moves synced, except {@link #syncedAt}: the journal's, under its lock,
 * at recovery (before {@link #start}) and at close (after {@link #stop}).
 */
final class GroupCommit {
    /** Logged under the journal's name, as before the journal was split into classes. */
    private static final Logger LOG = Logger.getLogger(Journal.class.getName());
    /** The committer's poll while it waits for appends under fsync=always. */
    private static final long ALWAYS_IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long close() waits for the committer's last step. */
    private static final long STOP_WAIT_MS = 5_000;

    /** What a step forces: the open segment's channel, up to the end of what was written. */
    record Unforced(FileChannel channel, long end) {
    }

    private final Journal journal;
    private final JournalSettings settings;
    private final ThreadFactory threadFactory;
    private final DurabilityWaiters waiters;
    private final List<Runnable> syncListeners = new CopyOnWriteArrayList<>();
    private volatile long synced;

    private volatile boolean running;
    /** True while the committer parks under fsync=always with nothing to sync: an append unparks it. */
    private volatile boolean idle;
    private Thread thread;

    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicLong fsyncNanosTotal = new AtomicLong();
    private volatile long lastFsyncNanos;
    private volatile long maxFsyncNanos;

    GroupCommit(Journal journal, JournalSettings settings, ThreadFactory threadFactory, DurabilityWaiters waiters) {
        this.journal = journal;
        this.settings = settings;
        this.threadFactory = threadFactory;
        this.waiters = waiters;
    }

    /** @return the end of what is durable (forced; under fsync=none: written) */
    long synced() {
        return synced;
    }

    /** Recovery and close only (the committer is not running): everything up to {@code position} is durable. */
    void syncedAt(long position) {
        synced = position;
    }

    /** @param l runs on the committer each time synced moves */
    void onSynced(Runnable l) {
        syncListeners.add(l);
    }

    void start() {
        running = true;
        thread = threadFactory.newThread(this::loop);
        thread.setName("zenflow-log-journal-committer");
        thread.start();
    }

    /** An append happened (called under the journal's lock): an idle committer under fsync=always starts a step. */
    void wake() {
        if (idle) LockSupport.unpark(thread);
    }

    /** Stops the loop and waits, at most {@link #STOP_WAIT_MS}, for the step in progress. */
    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(STOP_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(settings.fsyncIntervalMs());
        long nextTick = System.nanoTime();
        while (running) {
            if (settings.fsync() == FsyncPolicy.ALWAYS) {
                if (journal.appendedPosition() == synced || journal.failure() != null) {
                    idle = true;
                    LockSupport.parkNanos(ALWAYS_IDLE_PARK_NANOS);
                    idle = false;
                }
            } else {
                nextTick += intervalNanos;
                long wait = nextTick - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
                else nextTick = System.nanoTime();
            }
            try {
                commitOnce();
                journal.housekeeping();
                journal.publishAvailability();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "Journal committer step failed; it continues", e);
            }
        }
    }

    /** Writes what is buffered and forces it (policy permitting), then completes the waiters it covers. */
    void commitOnce() {
        Unforced u = journal.writeOut();
        if (u == null || u.end() <= synced) return;
        if (settings.fsync() != FsyncPolicy.NONE) {
            long t0 = System.nanoTime();
            try {
                u.channel().force(false);
            } catch (ClosedChannelException e) {
                // a roll sealed (and forced) this segment meanwhile; everything up to the end is forced
            } catch (IOException e) {
                journal.forceFailed(e);
                return;
            }
            long took = System.nanoTime() - t0;
            lastFsyncNanos = took;
            if (took > maxFsyncNanos) maxFsyncNanos = took;
            fsyncNanosTotal.addAndGet(took);
            fsyncs.incrementAndGet();
        }
        synced = u.end();
        waiters.complete(u.end());
        for (Runnable l : syncListeners) l.run();
    }

    /** @return forces since start */
    long fsyncs() {
        return fsyncs.get();
    }

    long lastFsyncNanos() {
        return lastFsyncNanos;
    }

    long maxFsyncNanos() {
        return maxFsyncNanos;
    }

    long fsyncNanosTotal() {
        return fsyncNanosTotal.get();
    }
}
