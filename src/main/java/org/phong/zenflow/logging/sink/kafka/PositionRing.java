package org.phong.zenflow.logging.sink.kafka;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * The Kafka sink's backlog: every entry it holds, at consecutive <em>positions</em> 1, 2, 3, ... in
 * the order the collector handed them over (which keeps each run in seq order), from the first
 * unacknowledged one to the last appended one. One lock guards it; three parties use it:
 * <ul>
 *   <li>the collector's drain {@link #append appends} (never blocks; what does not fit is refused);</li>
 *   <li>the sender thread takes the {@link #next next} position to send, in position order;</li>
 *   <li>the producer's I/O thread reports each position {@link #acked} or {@link #failed}.</li>
 * </ul>
 *
 * <p>Invariants: {@code acked <= cursor <= appended}, {@code appended - acked <= capacity};
 * {@code acked} is the <em>acknowledged position</em>: every position up to it is in Kafka, so its
 * slot is free. Positions above it may be acknowledged out of order (other partitions); their slots
 * are marked and skipped when the sender {@link #rewind rewinds} after a failure. A failure stops the
 * sender from taking new positions until it has rewound, so nothing after a failed entry of a run is
 * sent before that entry is sent again.
 */
final class PositionRing {
    private static final byte FREE = 0;
    private static final byte IN_FLIGHT = 1;
    private static final byte DONE = 2;

    /** A position handed to the sender. */
    record Next(long position, LogEntry entry) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** The sender's wake-up: appended, rewound, failed, closed. */
    private final Condition work = lock.newCondition();
    /** Waiters for acknowledgements (settled, empty). */
    private final Condition progress = lock.newCondition();
    private final int capacity;
    private final LogEntry[] slots;
    private final byte[] states;
    private final long[] appendedAt;
    /** Per slot: the journal position just past the entry's record (journal mode), else 0. */
    private final long[] tokens;
    /** The token of the slot at the acknowledged position (journal mode: the Kafka sink's journal position). */
    private long ackedToken;
    private final LongSupplier nanoClock;

    private long acked;
    private long cursor;
    private long appended;
    private int inFlight;
    private Throwable failure;
    private boolean closed;
    private long ackedTotal;

    PositionRing(int capacity, LongSupplier nanoClock) {
        this.capacity = capacity;
        this.slots = new LogEntry[capacity];
        this.states = new byte[capacity];
        this.appendedAt = new long[capacity];
        this.tokens = new long[capacity];
        this.nanoClock = nanoClock;
    }

    private int slot(long position) {
        return (int) ((position - 1) % capacity);
    }

    /**
     * Appends as many of {@code entries} as fit, in order.
     *
     * @return how many were taken (a prefix of the list)
     */
    int append(java.util.List<LogEntry> entries) {
        return append(entries, null);
    }

    /**
     * Appends as many of {@code entries} as fit, in order, each with its journal token.
     *
     * @param journalEnds per entry, the journal position just past its record (null without journal)
     * @return how many were taken (a prefix of the list)
     */
    int append(java.util.List<LogEntry> entries, long[] journalEnds) {
        lock.lock();
        try {
            if (closed) return 0;
            long room = capacity - (appended - acked);
            int n = (int) Math.min(room, entries.size());
            long now = nanoClock.getAsLong();
            for (int i = 0; i < n; i++) {
                int s = slot(++appended);
                slots[s] = entries.get(i);
                states[s] = FREE;
                appendedAt[s] = now;
                tokens[s] = journalEnds == null ? 0 : journalEnds[i];
            }
            if (n > 0) work.signal();
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the next position to send.
     *
     * @param waitMs longest wait
     * @return the next unsent position, or null after {@code waitMs}, while a failure is pending
     *         (see {@link #pendingFailure}), or once closed
     */
    Next next(long waitMs) throws InterruptedException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
            while (true) {
                if (closed || failure != null) return null;
                while (cursor < appended) {
                    long p = ++cursor;
                    int s = slot(p);
                    if (states[s] == DONE) continue; // acknowledged before a rewind: never sent twice
                    states[s] = IN_FLIGHT;
                    inFlight++;
                    return new Next(p, slots[s]);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) return null;
                work.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Kafka has {@code position}.
     *
     * @return the new acknowledged position when this moved it, else 0
     */
    long acked(long position) {
        lock.lock();
        try {
            int s = slot(position);
            if (position <= acked || states[s] == DONE) return 0;
            long before = acked;
            if (states[s] == IN_FLIGHT) inFlight--;
            states[s] = DONE;
            ackedTotal++;
            while (acked < appended && states[slot(acked + 1)] == DONE) {
                int f = slot(++acked);
                ackedToken = tokens[f];
                slots[f] = null;
                states[f] = FREE;
            }
            progress.signalAll();
            return acked != before ? acked : 0;
        } finally {
            lock.unlock();
        }
    }

    /** {@code position} was not (surely) written: it is sent again after the next {@link #rewind}. */
    void failed(long position, Throwable error) {
        lock.lock();
        try {
            int s = slot(position);
            if (position <= acked || states[s] != IN_FLIGHT) return;
            states[s] = FREE;
            inFlight--;
            if (failure == null) failure = error;
            progress.signalAll();
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** @return the first failure since the last rewind, or null */
    Throwable pendingFailure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until no position is in flight (each one acknowledged or failed).
     *
     * @return true when settled, false on timeout or close
     */
    boolean awaitSettled(long waitMs) throws InterruptedException {
        return awaitProgress(waitMs, () -> inFlight == 0 || closed, () -> inFlight) == 0;
    }

    /**
     * After a failure, with nothing in flight: the next position sent is the first unacknowledged one,
     * so a run continues exactly where Kafka stopped taking it.
     *
     * @return how many positions will be sent again
     */
    long rewind() {
        lock.lock();
        try {
            if (inFlight > 0) throw new IllegalStateException("rewind with " + inFlight + " positions in flight");
            long again = 0;
            for (long p = acked + 1; p <= cursor; p++) if (states[slot(p)] != DONE) again++;
            cursor = acked;
            failure = null;
            work.signal();
            return again;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until everything appended is acknowledged.
     *
     * @return true when empty
     */
    boolean awaitEmpty(long waitMs) throws InterruptedException {
        return awaitProgress(waitMs, () -> acked >= appended, () -> appended - acked) == 0;
    }

    /** No more appends; wakes the sender. */
    void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return the journal token of the acknowledged position (0 when none or without journal) */
    long ackedToken() {
        lock.lock();
        try {
            return ackedToken;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the ring has room (or {@code waitMs} passed, or it is closed).
     *
     * @return free slots now
     */
    int awaitRoom(long waitMs) throws InterruptedException {
        return (int) awaitProgress(waitMs, () -> closed || appended - acked < capacity,
                () -> closed ? 0 : capacity - (appended - acked));
    }

    /**
     * Takes the lock and waits on {@code progress} (acknowledgements, failures, close) until
     * {@code until} holds or {@code waitMs} has passed.
     *
     * @return {@code result}, read under the lock once the wait is over
     */
    private long awaitProgress(long waitMs, BooleanSupplier until, LongSupplier result) throws InterruptedException {
        lock.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(waitMs);
            while (!until.getAsBoolean() && left > 0) left = progress.awaitNanos(left);
            return result.getAsLong();
        } finally {
            lock.unlock();
        }
    }

    /** A consistent view for stats and health. */
    record View(long acked, long cursor, long appended, int inFlight, long ackedTotal, long oldestUnackedNanos) {
        long backlog() { return appended - acked; }
    }

    View view() {
        lock.lock();
        try {
            long oldest = acked < appended ? nanoClock.getAsLong() - appendedAt[slot(acked + 1)] : 0;
            return new View(acked, cursor, appended, inFlight, ackedTotal, oldest);
        } finally {
            lock.unlock();
        }
    }
}
