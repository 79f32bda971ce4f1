package org.phong.zenflow.logging;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager.RunMark;
import org.phong.zenflow.logging.journal.Journal;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * The durability waits, for callers who need a guarantee rather than "accepted".
 *
 * <ul>
 *   <li>{@link #whenRunDurable}: everything routed for the run before the call is durable in the
 *       journal (forced to disk under fsync always/interval; in the OS under none). Without a journal,
 *       or when some of the run's entries could not be journaled (level 3), it waits for
 *       {@link #whenRunPersisted} instead: durable means durable somewhere, never "in memory".</li>
 *   <li>{@link #whenRunPersisted}: everything routed for the run before the call is in every durable
 *       sink (PostgreSQL).</li>
 *   <li>{@link #routeDurably}: route one entry and wait until it (and its run before it) is durable.</li>
 * </ul>
 * Each takes its mark on the run's router worker, in order after the entries routed before it, so
 * "routed so far" is exact. Waits complete with the run's last seq they cover.
 *
 * <p>Persisted waits rely on a run's batches reaching the durable sinks in seq order (one FIFO
 * channel per sink; a run's batches leave its buffer in seq order), so the highest seq every durable
 * sink has taken covers all before it. Those high-water marks are kept per run for
 * {@code cleanup-idle-after-ms} after their last change, or, when the buffers forget persisted runs
 * ({@link WorkflowBufferManager#forgetPersistedRuns}), only while the buffers hold the run or a
 * waiter waits: a mark of a run the buffers do not hold is 0 (nothing to wait for), and a waiter
 * registered just as its run was forgotten is completed by {@link #forgotten} or by the check after
 * its registration.
 */
public final class Durability {
    private final LogRouter router;
    private final WorkflowBufferManager buffers;
    private final Journal journal;
    private final Scheduler clock;
    private final long keepMs;
    private volatile boolean forgetting;

    private record Persisted(long seq, long atMs) {
    }

    private record Waiter(long seq, CompletableFuture<Long> done) {
    }

    private final ConcurrentHashMap<UUID, Persisted> persisted = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, List<Waiter>> waiters = new ConcurrentHashMap<>();

    Durability(LogRouter router, WorkflowBufferManager buffers, Journal journal, Scheduler clock, long keepMs) {
        this.router = router;
        this.buffers = buffers;
        this.journal = journal;
        this.clock = clock;
        this.keepMs = keepMs;
    }

    /**
     * @param runId the run
     * @return completes with the run's last seq once everything routed for it so far is durable
     */
    public CompletableFuture<Long> whenRunDurable(UUID runId) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        router.inRunOrder(runId, () -> buffers.mark(runId, mark -> durable(runId, mark, done)));
        return done;
    }

    private void durable(UUID runId, RunMark mark, CompletableFuture<Long> done) {
        if (journal == null || !mark.allJournaled()) {
            persisted(runId, mark.lastSeq(), done);
            return;
        }
        journal.whenDurable(mark.journalPosition()).whenComplete((v, ex) -> {
            if (ex == null) {
                done.complete(mark.lastSeq());
            } else {
                // the journal failed before forcing it: the entries are still on their way to the sinks
                persisted(runId, mark.lastSeq(), done);
            }
        });
    }

    /**
     * @param runId the run
     * @return completes with the run's last seq once everything routed for it so far is in every durable sink
     */
    public CompletableFuture<Long> whenRunPersisted(UUID runId) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        router.inRunOrder(runId, () -> buffers.mark(runId, mark -> persisted(runId, mark.lastSeq(), done)));
        return done;
    }

    /**
     * Routes {@code entry} and waits for it to be durable.
     *
     * @return completes with the entry's run's last seq once durable; fails with
     *         {@link RejectedEntryException} when the entry was dropped or rejected
     */
    public CompletableFuture<Long> routeDurably(LogEntry entry) {
        RouteResult r = router.route(entry);
        if (r != RouteResult.ACCEPTED) return CompletableFuture.failedFuture(new RejectedEntryException(r));
        return whenRunDurable(entry.runId());
    }

    /** The entry was not accepted, so there is nothing to wait for. */
    public static final class RejectedEntryException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient RouteResult result;

        RejectedEntryException(RouteResult result) {
            super("entry not accepted: " + result);
            this.result = result;
        }

        /** @return DROPPED or REJECTED */
        public RouteResult result() {
            return result;
        }
    }

    private void persisted(UUID runId, long seq, CompletableFuture<Long> done) {
        if (seq == 0 || persistedSeq(runId) >= seq) {
            done.complete(seq);
            return;
        }
        Waiter waiter = new Waiter(seq, done);
        waiters.compute(runId, (k, list) -> {
            List<Waiter> l = list == null ? new ArrayList<>() : list;
            l.add(waiter);
            return l;
        });
        // A caller that gives up (timeout: it cancels the future) must not leave its waiter behind: a
        // run that never reaches seq would otherwise hold it, and the run's high-water mark, forever.
        done.whenComplete((v, ex) -> {
            if (ex != null) forget(runId, waiter);
        });
        // the batch may have been taken between the check and the registration
        release(runId, persistedSeq(runId));
        // or the run forgotten as persisted (its mark came from a tombstone dropped since): all is written
        if (forgetting && !buffers.holds(runId)) release(runId, seq);
    }

    /** The buffers forgot the run: every durable sink has it through {@code lastSeq}. */
    void forgotten(UUID runId, long lastSeq) {
        release(runId, lastSeq);
        persisted.remove(runId);
    }

    /** From now on high-water marks live only while the buffers hold their run (see the class comment). */
    void forgetWithBuffers() {
        forgetting = true;
    }

    private long persistedSeq(UUID runId) {
        Persisted p = persisted.get(runId);
        return p == null ? 0 : p.seq();
    }

    /** Told of each batch every durable sink has taken (one run's entries, ascending seq). */
    void persisted(List<LogEntry> batch) {
        if (batch.isEmpty()) return;
        LogEntry last = batch.get(batch.size() - 1);
        persistedUpTo(last.runId(), last.seq());
    }

    /** Told that every durable sink has the run's entries up to {@code seq} (journal mode: by the followers). */
    void persistedUpTo(UUID run, long seq) {
        long now = clock.nowMillis();
        if (forgetting && !buffers.holds(run) && !waiters.containsKey(run)) {
            persisted.remove(run); // forgotten by the buffers: a later mark of it is 0
        } else {
            persisted.merge(run, new Persisted(seq, now), (a, b) -> a.seq() >= b.seq() ? new Persisted(a.seq(), now) : b);
            // The run may have been released and forgotten between the check above and the merge (its
            // forgotten() then removed nothing, and this mark would stay for good): check again after it. The
            // buffers drop the run before they call forgotten(), so one of the two removals sees it.
            if (forgetting && !buffers.holds(run) && !waiters.containsKey(run)) persisted.remove(run);
        }
        if (!waiters.isEmpty()) release(run, Math.max(seq, persistedSeq(run)));
    }

    private void release(UUID runId, long seq) {
        List<CompletableFuture<Long>> ready = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        waiters.computeIfPresent(runId, (k, list) -> {
            for (Iterator<Waiter> it = list.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.seq() <= seq) {
                    ready.add(w.done());
                    seqs.add(w.seq());
                    it.remove();
                }
            }
            return list.isEmpty() ? null : list;
        });
        for (int i = 0; i < ready.size(); i++) ready.get(i).complete(seqs.get(i));
    }

    private void forget(UUID runId, Waiter waiter) {
        waiters.computeIfPresent(runId, (k, list) -> {
            list.remove(waiter);
            return list.isEmpty() ? null : list;
        });
    }

    /** @return persisted-waiters registered now (all runs); abandoned ones are removed when their caller gives up */
    public int waiting() {
        int n = 0;
        for (List<Waiter> l : waiters.values()) n += l.size();
        return n;
    }

    /** @return runs whose persisted high-water mark is kept (see the class comment) */
    int marks() {
        return persisted.size();
    }

    /** Forgets high-water marks of runs quiet for keepMs (called by the pipeline's sweep). */
    void sweep() {
        long cutoff = clock.nowMillis() - keepMs;
        for (Map.Entry<UUID, Persisted> e : persisted.entrySet()) {
            if (e.getValue().atMs() < cutoff && !waiters.containsKey(e.getKey())) persisted.remove(e.getKey(), e.getValue());
        }
    }

}
