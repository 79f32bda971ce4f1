package org.phong.zenflow.logging.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The waits behind {@link Journal#whenDurable}: futures ordered by journal position, completed once the
 * committer's force covers them, failed all at once when the journal stops journaling or closes.
 *
 * <p>Locking: one monitor of its own, held only while waiters are queued or taken, never while a future
 * completes (a dependent stage runs on the completing thread and may append, i.e. take the journal's lock).
 * It is never taken under the journal's lock, and never takes it: the committer completes and fails waiters
 * after it has left the journal's lock ({@code commitOnce}, {@code publishAvailability}, {@code close}), so
 * the two locks are never held together.
 *
 * <p>No lost wake-up: {@link #whenDurable} queues the waiter, then reads the synced position and the problem
 * again; the committer moves the synced position (and {@code fail} sets the problem) before it takes the
 * waiters. Whichever comes second sees the other, so a waiter is never left behind a position already synced
 * or a journal already failed.
 */
final class DurabilityWaiters {
    private record Waiter(long position, CompletableFuture<Void> done) implements Comparable<Waiter> {
        @Override
        public int compareTo(Waiter o) {
            return Long.compare(position, o.position);
        }
    }

    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();
    /** The journal's synced position: everything before it is durable (volatile there). */
    private final LongSupplier synced;
    /** Why the journal cannot promise durability now (failed or closed), or null (volatile there). */
    private final Supplier<String> problem;

    DurabilityWaiters(LongSupplier synced, Supplier<String> problem) {
        this.synced = synced;
        this.problem = problem;
    }

    /**
     * @param position a journal position
     * @return completes when everything up to {@code position} is durable; fails with
     *         {@link JournalUnavailableException} when the journal cannot promise it
     */
    CompletableFuture<Void> whenDurable(long position) {
        if (position <= synced.getAsLong()) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> f = new CompletableFuture<>();
        String p = problem.get();
        if (p != null) {
            f.completeExceptionally(new JournalUnavailableException(p));
            return f;
        }
        synchronized (waiters) {
            waiters.add(new Waiter(position, f));
        }
        // the re-checks after queuing (see the class comment)
        long s = synced.getAsLong();
        if (position <= s) complete(s);
        p = problem.get();
        if (p != null) fail(p);
        return f;
    }

    /** Completes every waiter at or before {@code synced}. Never under the journal's lock. */
    void complete(long synced) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (waiters) {
            while (!waiters.isEmpty() && waiters.peek().position <= synced) done.add(waiters.poll().done);
        }
        for (CompletableFuture<Void> f : done) f.complete(null);
    }

    /** Fails every waiter with {@code reason}. Never under the journal's lock. */
    void fail(String reason) {
        List<CompletableFuture<Void>> failed = new ArrayList<>();
        synchronized (waiters) {
            while (!waiters.isEmpty()) failed.add(waiters.poll().done);
        }
        for (CompletableFuture<Void> f : failed) f.completeExceptionally(new JournalUnavailableException(reason));
    }
}
