package org.phong.zenflow.logging.router;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.redact.Redactor;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.stats.PipelineObserver;

/**
 * The pipeline's entry point: {@link #route} is what the engine calls for every log line.
 *
 * <p>{@code route} runs on the caller's thread, does no I/O and never blocks: it asks
 * {@link AdmissionControl} and, when admitted, puts the entry on the queue of the worker that owns
 * the entry's run ({@code hash(runId) mod workers}). Each worker is one Liberty-managed thread that
 * takes items off its queue in order and appends them to the run's buffer, where the entry gets its
 * seq. Because one run always goes through one queue and one worker, per-run order is exactly the
 * order of {@code route} calls, and run start and completion events travel on the same queue, so a
 * completion flushes precisely the entries routed before it.
 *
 * <p>Waking a worker is the caller's only possible syscall, and on a busy machine a wake-up lets the
 * scheduler preempt the caller in favour of the woken thread (tens of microseconds of route()
 * latency). So a worker whose queue runs empty first naps briefly ({@link #NAP_NS}, up to
 * {@link #NAPS_BEFORE_SLEEP} times, about a millisecond in all) and polls again: under steady load it
 * never really sleeps and callers never wake it. Only then does it announce {@code sleeping} and park
 * (at most {@link #IDLE_POLL_MS}); a caller that finds it sleeping unparks it. The announce-then-recheck
 * order (worker: set sleeping, re-check the queue; caller: add, read sleeping; both volatile) means an
 * item is never left waiting for the idle poll.
 *
 * <p><b>Forwarding mode</b> (cluster mode, {@link #forwarding}): the same entry points, but nothing is
 * sequenced here. {@code route} redacts the entry on the caller's thread (the ingest record is encoded
 * there too, so the redacted text is what leaves the process) and hands it to a {@link Forwarder}, which
 * takes it into its producer's buffer or refuses it within a few milliseconds: a refusal is
 * {@link RouteResult#REJECTED}, counted with reason {@code INGEST_REFUSED}. There is no admission control
 * (the producer's bounded buffer is the queue), no worker and no buffer: starts and ends go to the
 * forwarder in the caller's order, which is the run's order on its ingest partition, and the partition
 * owner assigns seqs. {@link #buffers()} and {@link #admission()} throw in this mode.
 *
 * <p>No static state: two routers in one JVM (tests, benchmarks) are independent.
 */
public final class LogRouter {
    private static final Logger LOG = Logger.getLogger(LogRouter.class.getName());
    /** Items a worker takes off its queue per wake-up. */
    private static final int DRAIN_CHUNK = 512;
    /** How long a sleeping worker waits for an item before looking at its stop flag. */
    private static final long IDLE_POLL_MS = 200;
    /** One nap of a worker whose queue just ran empty (the timer slack makes it ~50-100 us). */
    private static final long NAP_NS = TimeUnit.MICROSECONDS.toNanos(50);
    /** Naps before a worker announces it sleeps and needs waking: about a millisecond. */
    private static final int NAPS_BEFORE_SLEEP = 16;
    /** What {@link #runCompleted} completes with in forwarding mode: the run's last seq is assigned elsewhere. */
    public static final long UNKNOWN_SEQ = -1;

    private final AdmissionControl admission;
    private final WorkflowBufferManager buffers;
    /** Non-null in forwarding mode (then admission and buffers are null and there are no workers). */
    private final Forwarder forwarder;
    private final Worker[] workers;
    private final LongAdder routed = new LongAdder();
    private final Redactor redactor;
    private final AtomicLong queued = new AtomicLong();
    private volatile boolean accepting = true;
    private final PipelineObserver observer;
    /** route() calls with {@code (random & sampleMask) == 0} are timed and traced; -1: none. */
    private final int sampleMask;

    /**
     * Decides before admission whether an entry is sampled out (memory pressure, level 4). Runs on
     * the caller's thread; must be cheap and never drop WARN/ERROR.
     */
    @FunctionalInterface
    public interface Sampler {
        /**
         * @param e the entry
         * @return true to keep it
         */
        boolean keep(LogEntry e);
    }

    private volatile Sampler sampler;

    /**
     * What travels on a worker's queue: an entry, or a start, completion, barrier or action that keeps its
     * place among the run's entries. Each kind says what the worker does with it ({@link #handle}), so the
     * drain loop needs no dispatch of its own and a new kind cannot be forgotten there.
     *
     * <p>An entry is wrapped ({@link Append}) rather than queued as itself: {@link LogEntry} belongs to the
     * public {@code api} package and cannot implement a type sealed here. The wrapper is one small
     * short-lived object per {@link #route} call, beside the queue's own node.
     */
    private sealed interface Item permits Append, Start, Complete, Barrier, InOrder {
        /** Runs on the worker that owns the item's run, in queue order. */
        void handle(LogRouter router);
    }

    /** An admitted entry; {@code routedAtNanos} is the System.nanoTime() of a sampled route() call, else 0. */
    private record Append(LogEntry entry, long routedAtNanos) implements Item {
        @Override
        public void handle(LogRouter router) {
            // Redaction here, not in route(): regexes stay off the caller's thread, and every
            // way in (HTTP, route(), CDI events) passes this point before any sink.
            router.buffers.append(router.redactor.apply(entry), routedAtNanos);
        }
    }

    private record Start(WorkflowRunStarted event) implements Item {
        @Override
        public void handle(LogRouter router) {
            router.buffers.start(event.workflowId(), event.runId());
        }
    }

    private record Complete(WorkflowRunCompleted event, CompletableFuture<Long> done) implements Item {
        @Override
        public void handle(LogRouter router) {
            router.buffers.complete(event.runId(), event.outcome(), done::complete);
        }
    }

    private record Barrier(CompletableFuture<Void> done) implements Item {
        @Override
        public void handle(LogRouter router) {
            done.complete(null);
        }
    }

    private record InOrder(Runnable action) implements Item {
        @Override
        public void handle(LogRouter router) {
            action.run();
        }
    }

    /**
     * @param settings      number of workers
     * @param admission     admission control (shared with the collector, which releases)
     * @param buffers       the run buffers
     * @param threadFactory makes the worker threads (Liberty's ManagedThreadFactory in the server)
     */
    public LogRouter(LoggingSettings settings, AdmissionControl admission, WorkflowBufferManager buffers,
                     ThreadFactory threadFactory) {
        this(settings, admission, buffers, threadFactory, Redactor.NONE, PipelineObserver.NONE);
    }

    /**
     * @param settings      number of workers
     * @param admission     admission control (shared with the collector, which releases)
     * @param buffers       the run buffers
     * @param threadFactory makes the worker threads (Liberty's ManagedThreadFactory in the server)
     * @param redactor      masks secrets in each entry on the worker, before the entry enters its
     *                      run's buffer: no sink, ring buffer or live tail ever sees the original
     * @param observer      hears accepted/rejected entries and sampled route() latencies
     */
    public LogRouter(LoggingSettings settings, AdmissionControl admission, WorkflowBufferManager buffers,
                     ThreadFactory threadFactory, Redactor redactor, PipelineObserver observer) {
        this.redactor = redactor;
        this.observer = observer;
        int every = observer.sampleEvery();
        if (every < 0 || Integer.bitCount(every) > 1) throw new IllegalArgumentException("sampleEvery must be 0 or a power of two: " + every);
        this.sampleMask = every == 0 ? -1 : every - 1;
        this.admission = admission;
        this.buffers = buffers;
        this.forwarder = null;
        this.workers = new Worker[settings.workers()];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i);
            workers[i].thread = threadFactory.newThread(workers[i]);
            workers[i].thread.setName("zenflow-log-router-" + i);
        }
    }

    private LogRouter(Forwarder forwarder, Redactor redactor, PipelineObserver observer) {
        this.forwarder = java.util.Objects.requireNonNull(forwarder, "forwarder");
        this.redactor = java.util.Objects.requireNonNull(redactor, "redactor");
        this.observer = java.util.Objects.requireNonNull(observer, "observer");
        this.sampleMask = -1;
        this.admission = null;
        this.buffers = null;
        this.workers = new Worker[0];
    }

    /**
     * A router in forwarding mode (see the class comment): cluster mode's entry point.
     *
     * @param forwarder takes each redacted entry, start and end (the ingest producer)
     * @param redactor  masks secrets before anything leaves the process
     * @param observer  hears accepted and rejected entries
     * @return a router with nothing to start
     */
    public static LogRouter forwarding(Forwarder forwarder, Redactor redactor, PipelineObserver observer) {
        return new LogRouter(forwarder, redactor, observer);
    }

    /** @return true in forwarding (cluster) mode */
    public boolean forwards() {
        return forwarder != null;
    }

    /** What {@link #routeTracked} did: the result, and in forwarding mode the acknowledgement to wait on. */
    public record Routed(RouteResult result, java.util.concurrent.CompletionStage<?> acknowledged) {
    }

    /**
     * As {@link #route}, also returning, in forwarding mode, a stage that completes when the destination
     * acknowledged the entry (Kafka's {@code acks=all}: {@code ?wait=durable} in cluster mode).
     *
     * @param entry a validated entry
     * @return the result; {@code acknowledged} is null unless ACCEPTED in forwarding mode
     */
    public Routed routeTracked(LogEntry entry) {
        if (forwarder == null) return new Routed(route(entry), null);
        if (!accepting) {
            observer.rejected(PipelineObserver.RejectReason.SHUTTING_DOWN, entry.level());
            return new Routed(RouteResult.REJECTED, null);
        }
        try {
            java.util.concurrent.CompletionStage<?> ack = forwarder.entry(redactor.apply(entry));
            routed.increment();
            observer.accepted(entry.level());
            return new Routed(RouteResult.ACCEPTED, ack);
        } catch (Forwarder.Refused e) {
            observer.rejected(PipelineObserver.RejectReason.INGEST_REFUSED, entry.level());
            LOG.log(Level.FINE, "entry of run " + entry.runId() + " refused", e);
            return new Routed(RouteResult.REJECTED, null);
        }
    }

    /** Starts the workers. */
    public void start() {
        for (Worker w : workers) w.thread.start();
    }

    /**
     * Routes one entry. Never blocks on I/O; safe from any thread.
     *
     * @param entry a validated entry (its seq is ignored: the router assigns it)
     * @return ACCEPTED, DROPPED (sheddable level under backpressure, counted) or REJECTED (no room
     *         even for WARN/ERROR; the caller should retry later)
     */
    public RouteResult route(LogEntry entry) {
        if (forwarder != null) return routeTracked(entry).result();
        // Sampling keeps the cost of timing off most calls: one random draw (thread-local, no
        // contention) decides; only a sampled call reads the clock (twice).
        boolean sampled = sampleMask >= 0 && (ThreadLocalRandom.current().nextInt() & sampleMask) == 0;
        long t0 = sampled ? System.nanoTime() : 0L;
        if (!accepting) {
            observer.rejected(PipelineObserver.RejectReason.SHUTTING_DOWN, entry.level());
            return RouteResult.REJECTED;
        }
        Sampler s = sampler;
        if (s != null && !s.keep(entry)) {
            return RouteResult.DROPPED;
        }
        RouteResult r = admission.admit(entry);
        if (r == RouteResult.ACCEPTED) {
            routed.increment();
            observer.accepted(entry.level());
            enqueue(entry.runId(), new Append(entry, t0));
        }
        if (sampled) observer.routeSampled(System.nanoTime() - t0);
        return r;
    }

    /**
     * @param n entries about to be routed together
     * @return true when all {@code n} fit below the backpressure threshold (HTTP uses this to answer
     *         429 before accepting any entry of a request)
     */
    public boolean hasRoomFor(int n) {
        if (forwarder != null) return accepting; // the producer refuses record by record instead
        return accepting && admission.hasRoomFor(n);
    }

    /**
     * Opens a run (what the {@link WorkflowRunStarted} CDI event does): its buffer is created and its
     * seq starts at 1. Travels in order with the run's entries; never blocks.
     *
     * @param event the event
     */
    public void runStarted(WorkflowRunStarted event) {
        if (forwarder != null) {
            RouteResult r = offerRunStarted(event).result();
            if (r != RouteResult.ACCEPTED) {
                LOG.warning("start of run " + event.runId() + " not forwarded (" + r + "); its runs row gets its start from its first entry");
            }
            return;
        }
        enqueue(event.runId(), new Start(event));
    }

    /**
     * As {@link #runStarted}, telling whether the start was taken (HTTP answers 429 when not).
     *
     * @param event the event
     * @return ACCEPTED (in forwarding mode with the acknowledgement to wait on); REJECTED when the
     *         forwarder refused it or the router is shut down (forwarding mode only: a local router
     *         always queues the start)
     */
    public Routed offerRunStarted(WorkflowRunStarted event) {
        if (forwarder == null) {
            enqueue(event.runId(), new Start(event));
            return new Routed(RouteResult.ACCEPTED, null);
        }
        if (!accepting) return new Routed(RouteResult.REJECTED, null);
        try {
            return new Routed(RouteResult.ACCEPTED, forwarder.started(event));
        } catch (Forwarder.Refused e) {
            LOG.log(Level.FINE, "start of run " + event.runId() + " refused", e);
            return new Routed(RouteResult.REJECTED, null);
        }
    }

    /**
     * Completes a run: every entry routed for it before this call is flushed, then its buffer is released.
     *
     * @param event the event
     * @return completes with the run's last seq (0 when it never had an entry here) once the
     *         run's entries are handed to the sinks. In forwarding mode the seq is the partition
     *         owner's, unknown here: completes with {@link #UNKNOWN_SEQ} once the end is acknowledged;
     *         already failed with {@link Forwarder.Refused} when the end was refused
     */
    public CompletableFuture<Long> runCompleted(WorkflowRunCompleted event) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        if (!accepting) {
            done.completeExceptionally(new IllegalStateException("the log router is shut down"));
            return done;
        }
        if (forwarder != null) {
            try {
                forwarder.ended(event).whenComplete((v, ex) -> {
                    if (ex == null) done.complete(UNKNOWN_SEQ);
                    else done.completeExceptionally(ex);
                });
            } catch (Forwarder.Refused e) {
                LOG.log(Level.FINE, "end of run " + event.runId() + " refused", e);
                done.completeExceptionally(e);
            }
            return done;
        }
        enqueue(event.runId(), new Complete(event, done));
        return done;
    }

    /**
     * Runs {@code action} on the worker that owns the run, after every item routed for the run before
     * this call (the durability waits take their mark there).
     *
     * @param runId  the run
     * @param action what to run, in order; must not block
     */
    public void inRunOrder(UUID runId, Runnable action) {
        local("inRunOrder");
        enqueue(runId, new InOrder(action));
    }

    /** @param s the sampler consulted before admission, or null for none */
    public void sampler(Sampler s) {
        this.sampler = s;
    }

    /**
     * @return completes when every item routed before this call has been appended to its buffer
     */
    public CompletableFuture<Void> barrier() {
        if (forwarder != null) return CompletableFuture.completedFuture(null); // nothing is queued here
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Worker w : workers) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            all.add(f);
            queued.incrementAndGet();
            w.add(new Barrier(f));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    private void enqueue(UUID runId, Item item) {
        queued.incrementAndGet();
        workers[(runId.hashCode() & Integer.MAX_VALUE) % workers.length].add(item);
    }

    /**
     * Stops taking entries, lets the workers empty their queues, flushes every buffer.
     *
     * @param timeoutMs how long to wait for the workers
     */
    public void shutdown(long timeoutMs) {
        accepting = false;
        if (forwarder != null) return; // nothing queued here: the forwarder's owner flushes its producer
        // The container may already have interrupted its managed threads when this runs (Liberty does
        // at application stop). So: stop the workers, wait for them to exit, then empty what is left
        // in their queues on this thread, in queue order; no item is lost whatever state they were in.
        for (Worker w : workers) {
            w.stop = true;
            LockSupport.unpark(w.thread); // a sleeping worker sees the flag now, not after its idle poll
        }
        for (Worker w : workers) {
            try {
                w.thread.join(timeoutMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Worker w : workers) {
            if (w.thread.isAlive()) {
                LOG.warning("Router worker " + w.index + " did not stop within " + timeoutMs + " ms; its queue is left to it");
                continue;
            }
            Item item;
            while ((item = w.queue.poll()) != null) w.handleCounted(item);
        }
        buffers.awaitLookups(timeoutMs);
        buffers.flushAll();
    }

    /** @return true when every worker thread is alive (liveness) */
    public boolean workersAlive() {
        for (Worker w : workers) if (!w.thread.isAlive() || w.failed) return false;
        return true;
    }

    /** @return workers parked until an item wakes them (tests of the wake-up protocol) */
    int sleepingWorkers() {
        int n = 0;
        for (Worker w : workers) if (w.sleeping) n++;
        return n;
    }

    /** @return entries and events waiting for a worker */
    public long queueDepth() { return queued.get(); }

    /** @return entries accepted since start */
    public long routedTotal() { return routed.sum(); }

    /** @return the admission control (counters and in-flight figures); local mode only */
    public AdmissionControl admission() {
        local("admission");
        return admission;
    }

    /** @return the buffer manager; local mode only */
    public WorkflowBufferManager buffers() {
        local("buffers");
        return buffers;
    }

    private void local(String what) {
        if (forwarder != null) {
            throw new IllegalStateException(what + " does not exist in cluster mode: this router forwards to the ingest topic");
        }
    }

    private final class Worker implements Runnable {
        final int index;
        final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
        Thread thread;
        volatile boolean stop;
        volatile boolean failed;
        /** True while the worker is parked (or about to park) and must be woken for a new item. */
        volatile boolean sleeping;

        Worker(int index) {
            this.index = index;
        }

        /** Any thread: enqueue, and wake the worker only when it announced that it sleeps. */
        void add(Item item) {
            queue.add(item);
            if (sleeping) LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            int naps = 0;
            try {
                while (!stop || !queue.isEmpty()) {
                    Item item = queue.poll();
                    if (item != null) {
                        naps = 0;
                        int n = 0;
                        do {
                            handleCounted(item);
                        } while (++n < DRAIN_CHUNK && (item = queue.poll()) != null);
                        continue;
                    }
                    // The container stopping the application interrupts us; shutdown() empties the queue.
                    if (Thread.currentThread().isInterrupted()) return;
                    if (naps < NAPS_BEFORE_SLEEP) {
                        naps++;
                        LockSupport.parkNanos(NAP_NS);
                        continue;
                    }
                    sleeping = true;
                    if (queue.isEmpty() && !stop) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_POLL_MS));
                    sleeping = false;
                }
            } catch (Error e) {
                failed = true;
                throw e;
            }
        }

        void handleCounted(Item item) {
            // Decrement first: a barrier completed by handle() must find its own item gone from the
            // queue-depth gauge (the other order let a caller see depth 1 after the barrier).
            queued.decrementAndGet();
            try {
                item.handle(LogRouter.this);
            } catch (RuntimeException e) {
                // A bug in one item must not kill the run's worker; the item is logged with its run.
                LOG.log(Level.SEVERE, "Router worker " + index + " failed on " + item, e);
            }
        }
    }
}
