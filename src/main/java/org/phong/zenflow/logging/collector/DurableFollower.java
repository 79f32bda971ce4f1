package org.phong.zenflow.logging.collector;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.journal.JournalTail;
import org.phong.zenflow.logging.stats.PipelineObserver;
import org.phong.zenflow.logging.time.Backoff;
import org.phong.zenflow.logging.time.Uninterruptibly;

/**
 * A durable sink (PostgreSQL) fed from the write-ahead journal rather than from memory: the journal is
 * the backbone, and the database follows it.
 *
 * <p>Two threads (from the pipeline's thread factory: Liberty managed threads, two per durable sink, never
 * one per run): the follower writes a batch while its reader reads and decodes the next, one batch ahead
 * at most. They read the journal forward from the sink's saved position through a {@link JournalTail}: from
 * memory while it keeps up (the journal's window of recent records, no decode), from the files when it fell
 * behind (an outage, a slow database, a restart). Reading in journal order merges many runs' entries into
 * one call of up to {@code maxBatchEntries} (one large COPY), and keeps every run in seq order.
 *
 * <p>Invariants:
 * <ul>
 *   <li>the position moves only after the sink has written a batch, to the end of its last record; so after
 *       any stop or crash the sink reads again from the first record it may not have (writes are idempotent
 *       on the row key {@code (run_id, seq, ts)}, and a record read again carries the same ts, so a batch written
 *       twice is stored once);</li>
 *   <li>a failed write is retried, the same batch, forever (with backoff) while the pipeline runs: nothing is
 *       skipped, and the database's progress never blocks admission; the journal's disk budget does;</li>
 *   <li>entries the journal could not hold (its overflow) are written after everything the journal holds and
 *       before anything appended later, so a run stays in seq order across a journal failure;</li>
 *   <li>{@code written} hears of each batch once, after it is stored: the durability waits and the end-to-end
 *       latency build on it.</li>
 * </ul>
 */
public final class DurableFollower {
    private static final Logger LOG = Logger.getLogger(DurableFollower.class.getName());
    /** Longest sleep when there is nothing to read; the journal wakes the thread sooner on each sync. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** A failing database is retried at least this often, so a recovered one is noticed within seconds. */
    static final long MAX_RETRY_DELAY_MS = 5_000;
    /** How often a stopping follower checks whether it has caught up. */
    private static final long CATCH_UP_POLL_MS = 10;
    private static final long JOIN_MS = 10_000;
    /** Most entries per call when the sink sets no smaller bound (the reader's arrays are this large). */
    private static final int MAX_BATCH_ENTRIES = 1 << 16;
    private static final int INITIAL_BATCH_CAPACITY = 1 << 12;

    /** Hears of each batch once it is stored (entries of many runs, each run in ascending seq). */
    public interface Written {
        void written(List<LogEntry> entries);
    }

    private final LogSink sink;
    private final JournalTail tail;
    private final int batchMax;
    private final long backoffBaseMs;
    private final long backoffMaxMs;
    private final ThreadFactory threadFactory;
    private final PipelineObserver observer;
    private final Written written;

    private final LongAdder writtenEntries = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder overflowWritten = new LongAdder();
    private volatile int consecutiveFailures;
    private volatile String lastError;
    /** Timestamp (entry ts, epoch ms) of the oldest entry read and not yet stored; 0 when none. */
    private volatile long oldestPendingTsMs;
    private volatile boolean running;
    private volatile Thread thread;

    /**
     * @param sink          the durable sink
     * @param tail          its reader of the journal (from its saved position)
     * @param backoffBaseMs first retry delay
     * @param backoffMaxMs  cap of the retry delay (itself capped at {@link #MAX_RETRY_DELAY_MS})
     * @param threadFactory makes the one reader thread
     * @param observer      metrics
     * @param written       hears of each stored batch
     */
    public DurableFollower(LogSink sink, JournalTail tail, long backoffBaseMs, long backoffMaxMs, ThreadFactory threadFactory,
                           PipelineObserver observer, Written written) {
        this.sink = sink;
        this.tail = tail;
        this.batchMax = Math.max(1, Math.min(sink.maxBatchEntries(), MAX_BATCH_ENTRIES));
        this.backoffBaseMs = Math.max(1, backoffBaseMs);
        this.backoffMaxMs = Math.max(this.backoffBaseMs, Math.min(backoffMaxMs, MAX_RETRY_DELAY_MS));
        this.threadFactory = threadFactory;
        this.observer = observer;
        this.written = written;
        observer.sinkAttached(sink.name(), true);
    }

    /** Starts the reader thread. */
    public void start() {
        running = true;
        Thread t = threadFactory.newThread(this::loop);
        t.setName("zenflow-log-follower-" + sink.name());
        thread = t;
        t.start();
    }

    /** Wakes the reader (the journal made more durable). */
    public void wake() {
        Thread t = thread;
        if (t != null) LockSupport.unpark(t);
    }

    /**
     * One read of the journal into its own buffers: the follower keeps two, so that the next batch is read and
     * decoded (by the reader thread) while the current one is written (by this one).
     */
    private final class Read implements Runnable {
        final List<LogEntry> batch = new ArrayList<>(Math.min(batchMax, INITIAL_BATCH_CAPACITY));
        final long[] ends = new long[batchMax];
        int n;
        Throwable failure;
        private java.util.concurrent.CountDownLatch done;

        /** Empties the buffers for the next read (on the follower's thread, before the read starts). */
        Read reset() {
            batch.clear();
            n = 0;
            failure = null;
            done = new java.util.concurrent.CountDownLatch(1);
            return this;
        }

        @Override
        public void run() {
            try {
                n = tail.read(batchMax, batch, ends);
            } catch (Throwable e) {
                failure = e;
            } finally {
                done.countDown();
            }
        }

        /** Waits for a read handed to the reader thread (it is bounded by one file read and decode). */
        void await() {
            Uninterruptibly.await(done);
        }
    }

    private void loop() {
        // Two reads in turn: while the sink writes one batch the reader thread reads and decodes the next (the
        // read, decode and the listener were 14% of this thread's time with the sink idle, journal on). The
        // next read starts only once the current batch is in hand, and a read is never taken ahead of the
        // overflow: the overflow is read here, after a read found nothing, with no read outstanding.
        java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = threadFactory.newThread(r);
            t.setName("zenflow-log-reader-" + sink.name());
            return t;
        });
        Read first = new Read();
        Read second = new Read();
        Read ahead = null;                                 // the read the reader thread does; the other one is free
        try {
            while (running) {
                Read current;
                if (ahead != null) {
                    ahead.await();
                    current = ahead;
                    ahead = null;
                    if (current.failure == null && current.n == 0) current.reset().run(); // found nothing: look again now
                } else {
                    current = first.reset();
                    current.run();
                }
                if (current.failure != null) {
                    LOG.log(Level.WARNING, "Reading the journal for " + sink.name() + " failed; retried", current.failure);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffBaseMs));
                    continue;
                }
                int n = current.n;
                List<LogEntry> batch = current.batch;
                boolean overflow = false;
                if (n == 0) {
                    List<LogEntry> o = tail.overflow(batchMax);
                    if (o.isEmpty()) {
                        LockSupport.parkNanos(IDLE_PARK_NANOS);
                        continue;
                    }
                    batch = o;
                    n = o.size();
                    overflow = true;
                } else {
                    ahead = (current == first ? second : first).reset();
                    try {
                        reader.execute(ahead);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        ahead = null;                      // stopping: no read ahead
                    }
                }
                if (!writeUntilStored(batch)) return;
                if (overflow) {
                    tail.overflowTaken(n);
                    overflowWritten.add(n);
                } else {
                    tail.acknowledge(current.ends[n - 1]);
                }
                try {
                    written.written(batch);
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "A listener of " + sink.name() + "'s progress failed", e);
                }
            }
        } finally {
            if (ahead != null) ahead.await();             // what it read stays in the journal: never acknowledged
            reader.shutdown();
            tail.close();
        }
    }

    /** @return true once stored; false when the pipeline stopped first (the batch stays in the journal) */
    private boolean writeUntilStored(List<LogEntry> batch) {
        oldestPendingTsMs = batch.get(0).ts().toEpochMilli();
        int attempt = 0;
        while (true) {
            long t0 = System.nanoTime();
            boolean retry = attempt > 0;
            try {
                sink.process(batch);
                observer.sinkWrote(sink.name(), batch.size(), System.nanoTime() - t0, retry);
                writtenEntries.add(batch.size());
                if (consecutiveFailures > 0) {
                    LOG.info("Sink " + sink.name() + " recovered after " + consecutiveFailures + " failed attempts; it reads on from the journal");
                    consecutiveFailures = 0;
                }
                oldestPendingTsMs = 0;
                return true;
            } catch (Throwable e) { // any failure of a sink, even an Error, is retried, never ends the thread silently
                failures.increment();
                observer.sinkFailed(sink.name(), batch.size(), System.nanoTime() - t0, retry);
                lastError = e.toString();
                attempt++;
                consecutiveFailures = attempt;
                long delay = Backoff.withJitter(backoffBaseMs, backoffMaxMs, attempt);
                LOG.log(attempt == 1 ? Level.WARNING : Level.FINE, "Sink " + sink.name() + " failed to write " + batch.size()
                        + " entries (attempt " + attempt + "); they stay in the journal and are retried in " + delay + " ms", e);
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
                while (running && System.nanoTime() < until) LockSupport.parkNanos(until - System.nanoTime());
                if (!running) return false;
            }
        }
    }

    /** @return true when the sink has every record the journal holds and nothing waits in its overflow */
    public boolean caughtUp() {
        return tail.caughtUp() && oldestPendingTsMs == 0 && tail.overflowPending() == 0;
    }

    /**
     * Waits (up to {@code timeoutMs}) until caught up, then stops the reader. What it has not written stays in
     * the journal for the next start (overflow entries, never durable, are logged as lost).
     *
     * @return true when it had caught up
     */
    public boolean stop(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!caughtUp() && System.nanoTime() < deadline && consecutiveFailures == 0) {
            wake();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(CATCH_UP_POLL_MS));
        }
        boolean caught = caughtUp();
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(JOIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int lost = tail.overflowPending();
        if (lost > 0) {
            LOG.severe(lost + " entries the journal could not hold were not yet written to " + sink.name()
                    + " when the pipeline stopped; they were never confirmed durable and are lost");
        }
        return caught;
    }

    /** @return the sink's status: backlog is the journal's estimate of entries it has not written */
    public SinkStatus status(long backlogEntries) {
        boolean healthy = consecutiveFailures == 0 && sink.isHealthy();
        return new SinkStatus(sink.name(), true, healthy, backlogEntries, writtenEntries.sum(), failures.sum(), 0,
                consecutiveFailures, lastError);
    }

    /** @return journal bytes from the sink's position to the end */
    public long backlogBytes() {
        return tail.backlogBytes();
    }

    /** @return how old (ms, by entry timestamp) the oldest entry being written is; 0 when none waits */
    public long oldestPendingAgeMs() {
        long ts = oldestPendingTsMs;
        return ts == 0 ? 0 : Math.max(0, System.currentTimeMillis() - ts);  // entry timestamps are wall-clock time
    }

    /** @return entries stored since start */
    public long written() {
        return writtenEntries.sum();
    }

    /** @return entries from the overflow stored since start */
    public long overflowWritten() {
        return overflowWritten.sum();
    }

    /** @return the sink */
    public LogSink sink() {
        return sink;
    }
}
