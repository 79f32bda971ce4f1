package org.phong.zenflow.logging.stream;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogFilter;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.buffer.BufferListener;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager.MemorySnapshot;
import org.phong.zenflow.logging.config.StreamSettings;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * The live tail's centre: told of every entry the moment the router worker gives it a seq
 * ({@link BufferListener}), it hands the entry to the subscriptions of its run, and keeps the runs
 * list. Plain Java; the WebSocket endpoint and the long-poll are transports over
 * {@link #subscribe}.
 *
 * <p>Cost on the router worker per entry: two hash lookups and a few field writes when nobody
 * watches the run; otherwise one {@link EncodedEntry} appended once to the run's {@link RunFeed}
 * (shared by every session of the run) and two volatile reads per watching session (its backlog, its
 * pump's state); the JSON is built later, once, by a sender thread.
 * Nothing here blocks or does I/O on that thread.
 */
public final class StreamHub implements BufferListener {
    private static final Logger LOG = Logger.getLogger(StreamHub.class.getName());

    private final StreamSettings settings;
    private final Scheduler scheduler;
    private final Executor executor;
    private final HistorySource history;
    private volatile WorkflowBufferManager buffers;
    /** Cluster mode ({@link #attachCluster}): no buffers; entries from the output topic, ends from the runs table. */
    private volatile boolean clustered;
    private volatile RunEndPoller endPoller;

    /** Feeds by run; a run's feed exists only while someone watches it. */
    private final ConcurrentHashMap<UUID, RunFeed> topics = new ConcurrentHashMap<>();
    private final Set<Subscription> sessions = ConcurrentHashMap.newKeySet();
    /** Runs holding a buffer, as the runs list shows them. */
    private final ConcurrentHashMap<UUID, RunState> active = new ConcurrentHashMap<>();
    /** Runs released here, newest last, at most recent-runs (guarded by itself). */
    private final ArrayDeque<RunInfo> recent = new ArrayDeque<>();
    private final ConcurrentHashMap<UUID, RunInfo> recentById = new ConcurrentHashMap<>();

    /** Sessions whose pump an offer woke; run together by one {@link #dispatch} task. */
    private final ConcurrentLinkedQueue<Subscription> ready = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean dispatchPending = new AtomicBoolean();
    private final LongAdder opened = new LongAdder();
    private final LongAdder framesSent = new LongAdder();
    private final LongAdder entriesSent = new LongAdder();
    private final LongAdder closedSlow = new LongAdder();
    private final LongAdder closedDead = new LongAdder();
    private final LongAdder historyTimeouts = new LongAdder();
    private final LongAdder gapFills = new LongAdder();
    private volatile Scheduler.Cancellable pinger;
    private volatile boolean running;

    /** Mutable per-run counters; written only by the run's router worker (under its buffer monitor). */
    private static final class RunState {
        final UUID runId;
        final UUID workflowId;
        final Instant start;
        volatile long lastSeq;
        volatile long errors;
        volatile long warnings;

        RunState(UUID runId, UUID workflowId, Instant start) {
            this.runId = runId;
            this.workflowId = workflowId;
            this.start = start;
        }

        RunInfo info(Instant end, RunOutcome outcome, long last) {
            return new RunInfo(runId, workflowId, start, end, outcome, last, errors, warnings);
        }
    }

    /**
     * @param settings  queue bound, pings, history paging
     * @param scheduler clock and timers (pings, history retries)
     * @param executor  runs pumps and closes (never the router workers)
     * @param history   the stored entries (PostgreSQL)
     */
    public StreamHub(StreamSettings settings, Scheduler scheduler, Executor executor, HistorySource history) {
        this.settings = Objects.requireNonNull(settings);
        this.scheduler = Objects.requireNonNull(scheduler);
        this.executor = Objects.requireNonNull(executor);
        this.history = Objects.requireNonNull(history);
    }

    /**
     * Connects the hub to the buffers it listens to (they are built after it) and starts the pings.
     *
     * @param b the pipeline's buffers, built with this hub as their listener
     * @return this
     */
    public StreamHub attach(WorkflowBufferManager b) {
        if (clustered) throw new IllegalStateException("the stream hub is in cluster mode (no local buffers)");
        this.buffers = b;
        running = true;
        schedulePing();
        return this;
    }

    /**
     * Cluster mode: this node has no buffers (its router produces to the ingest topic), so the hub is
     * fed by an {@link OutputTopicFollower} ({@link #offerRemote}) and learns run ends from the runs
     * table: every {@code endPollMs} the ended runs among the watched ones are read from {@code ends}
     * and their end is offered to their sessions ({@link RunEndPoller}). Subscriptions read their
     * history from the database only and fill any hole in the live feed from it (package-info).
     * Starts the pings and the end poller.
     *
     * @param ends      the runs table (ended, outcome, last seq of given runs)
     * @param endPollMs how often the watched runs' ends are read (500-1000 ms is enough: it only delays run-ended)
     * @return this
     */
    public StreamHub attachCluster(RunEndSource ends, long endPollMs) {
        if (buffers != null) throw new IllegalStateException("the stream hub is already attached to local buffers");
        clustered = true;
        running = true;
        RunEndPoller p = new RunEndPoller(this, ends, scheduler, executor, endPollMs);
        endPoller = p;
        schedulePing();
        p.start();
        return this;
    }

    /** Stops the pings (and the end poller in cluster mode) and closes every session 1001. */
    public void stop() {
        running = false;
        Scheduler.Cancellable p = pinger;
        if (p != null) p.cancel();
        RunEndPoller ep = endPoller;
        if (ep != null) ep.stop();
        for (Subscription s : List.copyOf(sessions)) s.close(Outbound.GOING_AWAY, "server stopping");
    }

    // ------------------------------------------------------------------ BufferListener (router worker)

    @Override
    public void runStarted(UUID workflowId, UUID runId) {
        active.computeIfAbsent(runId, id -> new RunState(id, workflowId, scheduler.wallClock()));
    }

    @Override
    public void sequenced(LogEntry e) {
        RunState s = active.get(e.runId());
        if (s == null) {
            s = new RunState(e.runId(), e.workflowId(), scheduler.wallClock());
            RunState raced = active.putIfAbsent(e.runId(), s);
            if (raced != null) s = raced;
        }
        s.lastSeq = e.seq();
        if (e.level() == LogLevel.ERROR) s.errors++;
        else if (e.level() == LogLevel.WARN) s.warnings++;
        RunFeed feed = topics.get(e.runId());
        if (feed != null) feed.publish(new EncodedEntry(e));
    }

    @Override
    public void runReleased(UUID runId, long lastSeq, RunOutcome outcome) {
        RunState s = active.remove(runId);
        if (s != null) remember(s.info(scheduler.wallClock(), outcome, Math.max(lastSeq, s.lastSeq)));
        if (outcome == null) return; // idle: watchers stay, the run may go on
        RunFeed feed = topics.get(runId);
        if (feed != null) feed.publish(new LiveItem.End(new Frame.RunEnded(lastSeq, outcome)));
    }

    private void remember(RunInfo info) {
        if (settings.recentRuns() == 0) return;
        synchronized (recent) {
            RunInfo old = recentById.put(info.runId(), info);
            if (old != null) recent.remove(old);
            recent.addLast(info);
            while (recent.size() > settings.recentRuns()) {
                RunInfo gone = recent.removeFirst();
                recentById.remove(gone.runId(), gone);
            }
        }
    }

    // ------------------------------------------------------------------ subscriptions

    /**
     * Opens a live tail: registers first, then takes the ring snapshot, so every entry is either in
     * the history the subscription reads or offered to it live (or both: duplicates are skipped).
     *
     * @param runId    the run
     * @param afterSeq the client has everything up to this seq (0: from the start)
     * @param filter   send only the entries that pass (null or {@link LogFilter#ALL}: every entry)
     * @param out      the transport
     * @return the subscription (already pumping)
     */
    public Subscription subscribe(UUID runId, long afterSeq, LogFilter filter, Outbound out) {
        WorkflowBufferManager b = buffers;
        boolean remote = clustered;
        if (b == null && !remote) throw new IllegalStateException("the stream hub is not attached to the pipeline");
        Subscription sub = new Subscription(this, runId, afterSeq, filter, out, settings.sessionQueueBytes(),
                scheduler.nowMillis(), remote);
        topics.compute(runId, (k, feed) -> {
            RunFeed f = feed == null ? new RunFeed() : feed;
            f.add(sub);
            return f;
        });
        sessions.add(sub);
        opened.increment();
        if (remote) {
            // Registered before the history read: whatever commits after the read is published after
            // it, so the follower finds this registration when it hands the entry over (package-info).
            sub.beginFromStore();
            return sub;
        }
        MemorySnapshot snap = b.snapshot(runId, afterSeq);
        sub.begin(snap);
        return sub;
    }

    // ------------------------------------------------------------------ cluster mode (follower, end poller)

    /**
     * @param runId a run
     * @return true while a session here watches it (the follower decodes only those runs' records; a
     *         buffer made for a watched run keeps its ring from its first entry)
     */
    @Override
    public boolean watches(UUID runId) {
        return topics.containsKey(runId);
    }

    /** @return the runs watched here now (the end poller reads only these) */
    Set<UUID> watchedRunIds() {
        return Set.copyOf(topics.keySet());
    }

    /**
     * The follower's thread: a sequenced entry from the output topic, in seq order per run (the
     * follower drops what it handed already). Appended once to the run's feed, as the router worker
     * does in single-node mode; never blocks (a session whose backlog passes its bound is closed).
     */
    void offerRemote(LogEntry e) {
        RunFeed feed = topics.get(e.runId());
        if (feed != null) feed.publish(new EncodedEntry(e));
    }

    /**
     * The end poller: the runs table says the run ended with {@code lastSeq}. Offered on every poll
     * while the run has sessions (0 bytes each), so a session that registered after the previous
     * offer meets one too; a session stops at the first end it reaches, after any hole before it was
     * filled from the database.
     */
    void remoteRunEnded(UUID runId, long lastSeq, RunOutcome outcome) {
        RunFeed feed = topics.get(runId);
        if (feed != null) feed.publish(new LiveItem.End(new Frame.RunEnded(lastSeq, outcome)));
    }

    /**
     * Router worker: a session's pump must run (an offer found it idle). Without a linger the pump is
     * one executor task at once. With one, the session joins {@code ready} and a single timer (at most
     * one pending for all sessions) hands every ready session's pump to the executor frame-linger-ms
     * later: entries arriving meanwhile share each session's frame, and with many readers the router
     * worker starts one timer per linger instead of one executor task per session and entry.
     */
    void wake(Subscription sub) {
        long linger = settings.frameLingerMs();
        try {
            if (linger == 0) {
                executor.execute(sub::pumpNow);
                return;
            }
            ready.offer(sub);
            if (dispatchPending.compareAndSet(false, true)) scheduler.schedule(this::dispatch, linger);
        } catch (RuntimeException e) {
            dispatchPending.set(false);
            if (running) LOG.log(Level.WARNING, "Cannot schedule the live-tail pumps", e); // else: server stopping
        }
    }

    /** Timer: hands the pump of every woken session to the executor (in parallel: pumps build frames). */
    private void dispatch() {
        while (true) {
            for (Subscription s; (s = ready.poll()) != null; ) {
                try {
                    executor.execute(s::pumpNow);
                } catch (RuntimeException e) {
                    if (running) LOG.log(Level.WARNING, "Cannot run a live-tail pump", e); // else: server stopping
                }
            }
            dispatchPending.set(false);
            // A wake between the last poll and the reset saw the flag set and left: take its session too.
            if (ready.isEmpty() || !dispatchPending.compareAndSet(false, true)) return;
        }
    }

    void unsubscribe(Subscription sub) {
        sessions.remove(sub);
        topics.computeIfPresent(sub.runId, (k, feed) -> feed.remove(sub) ? null : feed);
    }

    /**
     * Closes every session of a run (an operator's kick; clients resume with afterSeq).
     *
     * @return how many were closed
     */
    public int disconnect(UUID runId, int code, String reason) {
        RunFeed feed = topics.get(runId);
        if (feed == null) return 0;
        int n = 0;
        for (Subscription s : List.copyOf(feed.sessions())) {
            if (!s.isClosed()) n++;
            s.close(code, reason);
        }
        return n;
    }

    /** @return the run-ended frame when the run is known to have ended at or before {@code coveredSeq} */
    Frame.RunEnded endedFrame(UUID runId, long coveredSeq) {
        RunInfo r = recentById.get(runId);
        if (r == null || r.outcome() == null || r.entries() > coveredSeq) return null;
        return new Frame.RunEnded(r.entries(), r.outcome());
    }

    // ------------------------------------------------------------------ pings

    private void schedulePing() {
        if (!running) return;
        pinger = scheduler.schedule(() -> {
            try {
                executor.execute(this::pingAll);
            } catch (RuntimeException e) {
                if (running) LOG.log(Level.WARNING, "Cannot schedule the live-tail pings", e); // else: server stopping
            } finally {
                schedulePing();
            }
        }, settings.pingIntervalMs());
    }

    /** Pings every session; closes those silent for pong-timeout-ms. */
    public void pingAll() {
        long now = scheduler.nowMillis();
        for (Subscription s : sessions) {
            if (now - s.lastHeardMs() >= settings.pongTimeoutMs()) {
                closedDead.increment();
                s.close(Outbound.GOING_AWAY, "no pong for " + (now - s.lastHeardMs()) + " ms");
                continue;
            }
            s.requestPing();
        }
    }

    // ------------------------------------------------------------------ runs list

    /** @return runs holding a buffer here, newest start first */
    public List<RunInfo> activeRuns() {
        List<RunInfo> out = new ArrayList<>();
        for (RunState s : active.values()) out.add(s.info(null, null, s.lastSeq));
        out.sort(Comparator.comparing(RunInfo::start).reversed());
        return out;
    }

    /** @return runs released here (completed, or idle), newest first, at most recent-runs */
    public List<RunInfo> recentRuns() {
        synchronized (recent) {
            List<RunInfo> out = new ArrayList<>(recent);
            java.util.Collections.reverse(out);
            return out;
        }
    }

    // ------------------------------------------------------------------ for subscriptions and metrics

    StreamSettings settings() { return settings; }

    Scheduler scheduler() { return scheduler; }

    Executor executor() { return executor; }

    HistorySource history() { return history; }

    void countSent(Frame f) {
        framesSent.increment();
        entriesSent.add(f.entryCount());
    }

    void countOverflow() { closedSlow.increment(); }

    void countHistoryTimeout() { historyTimeouts.increment(); }

    void countGapFill() { gapFills.increment(); }

    /** @return sessions open now */
    public int openSessions() { return sessions.size(); }

    /** @return runs with at least one watcher */
    public int watchedRuns() { return topics.size(); }

    /** @return sessions opened since start */
    public long sessionsOpened() { return opened.sum(); }

    /** @return frames sent (every type) */
    public long framesSent() { return framesSent.sum(); }

    /** @return entries sent (in logs frames) */
    public long entriesSent() { return entriesSent.sum(); }

    /** @return sessions closed 1013 because their queue passed session-queue-bytes */
    public long closedSlow() { return closedSlow.sum(); }

    /** @return sessions closed because their peer stopped answering pings */
    public long closedDead() { return closedDead.sum(); }

    /** @return sessions closed because history did not reach the database in time */
    public long historyTimeouts() { return historyTimeouts.sum(); }

    /** @return holes in a live feed filled from the database (cluster mode: entries that did not come live) */
    public long gapFills() { return gapFills.sum(); }

    /** @return true once {@link #attachCluster} was called */
    public boolean isClustered() { return clustered; }
}
