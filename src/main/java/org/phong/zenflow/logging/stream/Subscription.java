package org.phong.zenflow.logging.stream;

import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager.RingSnapshot;

/**
 * One client watching one run: history after {@code afterSeq}, then live, without gap or duplicate
 * (the seam argument is in package-info).
 *
 * <p>Threads. The router worker of the run only {@link #offer}s frames into the bounded
 * {@code live} queue (never blocks: a full queue closes the session 1013). Everything else runs in
 * the <em>pump</em>, of which at most one is active per session ({@code pumping}): it reads
 * history (PostgreSQL pages, then the ring snapshot), then drains {@code live}, and hands one
 * frame at a time to {@link Outbound#send}. The pump continues from the send's completion (inline
 * when it completed synchronously: a trampoline, no recursion), so a stalled peer holds no thread,
 * only its queue. {@code covered} is the highest seq the client has been given or that was
 * filtered out for it; a live entry at or below it is a duplicate and skipped; one above
 * {@code covered + 1} would be a gap, which the invariant rules out: it is logged and the session
 * is closed 1011 so the client resumes from what it has.
 */
public final class Subscription {
    private static final Logger LOG = Logger.getLogger(Subscription.class.getName());
    /** First and largest pause while waiting for entries on their way to the database. */
    private static final long HISTORY_RETRY_FIRST_MS = 20;
    private static final long HISTORY_RETRY_MAX_MS = 500;
    /** RFC 6455: a close reason is at most 123 bytes. */
    private static final int MAX_REASON_BYTES = 123;

    private enum Phase { HISTORY_DB, HISTORY_RING, LIVE, ENDING, CLOSED }

    private final StreamHub hub;
    final UUID runId;
    private final LogLevel minLevel;
    private final Outbound out;
    /** Lock-free (the router worker never contends with the pump for a lock), bounded by {@code liveCount}. */
    private final ConcurrentLinkedQueue<Object> live = new ConcurrentLinkedQueue<>();
    private final AtomicInteger liveCount = new AtomicInteger();
    private final int liveCapacity;
    private final AtomicBoolean pumping = new AtomicBoolean(true); // the opener runs the first pump
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long lastHeardMs;

    // ---- pump state (one pump at a time; published between pumps by the pumping flag's CAS)
    private volatile long covered;
    private volatile Phase phase = Phase.HISTORY_DB;
    private RingSnapshot snapshot;
    /** Highest seq history must take from the database; Long.MAX_VALUE: until a short page. */
    private long dbTarget;
    private final ArrayDeque<LogEntry> pending = new ArrayDeque<>();
    private long historyWaitStartMs = -1;
    private long historyRetryMs = HISTORY_RETRY_FIRST_MS;
    private Frame.RunEnded endFrame;

    Subscription(StreamHub hub, UUID runId, long afterSeq, LogLevel minLevel, Outbound out, int queueFrames, long nowMs) {
        this.hub = hub;
        this.runId = runId;
        this.minLevel = minLevel;
        this.out = out;
        this.covered = afterSeq;
        this.liveCapacity = queueFrames;
        this.lastHeardMs = nowMs;
    }

    /** Called once after registration, on the opener's thread: takes the ring snapshot, then pumps. */
    void begin(RingSnapshot s) {
        snapshot = s;
        dbTarget = switch (s.state()) {
            case ACTIVE, RELEASED -> s.ringFirstSeq() - 1;
            case RECOVERING, UNKNOWN -> Long.MAX_VALUE;
        };
        hub.executor().execute(this::pump);
    }

    // ------------------------------------------------------------------ router side

    /** Router worker: a live frame of the run. Never blocks. */
    void offer(Object frame) {
        if (closed.get()) return;
        if (liveCount.incrementAndGet() > liveCapacity) {
            liveCount.decrementAndGet();
            hub.countOverflow();
            close(Outbound.TRY_AGAIN_LATER, "client too slow: " + liveCapacity
                    + " frames queued; reconnect with afterSeq=" + covered);
            return;
        }
        live.offer(frame);
        if (pumping.compareAndSet(false, true)) hub.executor().execute(this::pump);
    }

    // ------------------------------------------------------------------ pump

    private void pump() {
        try {
            while (true) {
                if (closed.get()) return;
                Object next = next();
                if (next == WAIT) return; // a retry is scheduled; pumping stays true
                if (next == null) {
                    pumping.set(false);
                    // An offer between our empty poll and the flag reset found pumping=true and left: re-check.
                    if (live.isEmpty() || closed.get() || !pumping.compareAndSet(false, true)) return;
                    continue;
                }
                Frame f = (Frame) next;
                SendOp op = new SendOp(f);
                out.send(f, op::completed);
                if (!op.returnedFirst()) {
                    if (!afterSend(f, op.error)) return;
                    continue; // completed synchronously: loop instead of recursing
                }
                return; // the completion continues the pump
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "Live tail of run " + runId + " failed", e);
            close(Outbound.INTERNAL, "server error; reconnect with afterSeq=" + covered);
        }
    }

    /** @return true to keep pumping */
    private boolean afterSend(Frame f, Throwable error) {
        if (error != null) {
            close(Outbound.GOING_AWAY, "send failed: " + error.getClass().getSimpleName());
            return false;
        }
        hub.countSent(f);
        if (f instanceof Frame.RunEnded) {
            close(Outbound.NORMAL, "run ended");
            return false;
        }
        return true;
    }

    /** Tracks whether a send completed before {@code send} returned (then the pump loops). */
    private final class SendOp {
        private static final int PENDING = 0;
        private static final int COMPLETED = 1;
        private static final int RETURNED = 2;
        private final AtomicInteger state = new AtomicInteger(PENDING);
        private final Frame frame;
        private volatile Throwable error;

        SendOp(Frame frame) {
            this.frame = frame;
        }

        void completed(Throwable t) {
            error = t;
            if (state.compareAndSet(PENDING, COMPLETED)) return; // send() has not returned: the pump loops
            if (afterSend(frame, t)) {
                // History reads block on the database: keep them off the transport's callback thread.
                if (phase == Phase.LIVE) pump();
                else hub.executor().execute(Subscription.this::pump);
            }
        }

        /** @return true when send() returned before completion (the completion continues the pump) */
        boolean returnedFirst() {
            return state.compareAndSet(PENDING, RETURNED);
        }
    }

    private static final Object WAIT = new Object();

    /** @return the next frame to send, null when there is none now, or WAIT when a retry is scheduled */
    private Object next() {
        while (true) {
            switch (phase) {
                case HISTORY_DB -> {
                    LogEntry e = pending.pollFirst();
                    if (e != null) {
                        Frame f = give(e);
                        if (f != null) return f;
                        continue;
                    }
                    if (covered >= dbTarget) {
                        phase = Phase.HISTORY_RING;
                        continue;
                    }
                    if (!readPage()) return WAIT;
                }
                case HISTORY_RING -> {
                    if (snapshot != null) {
                        for (LogEntry e : snapshot.ring()) if (e.seq() > covered) pending.add(e);
                        snapshot = null;
                    }
                    LogEntry e = pending.pollFirst();
                    if (e != null) {
                        Frame f = give(e);
                        if (f != null) return f;
                        continue;
                    }
                    phase = Phase.LIVE;
                    endFrame = hub.endedFrame(runId, covered);
                    return new Frame.CaughtUp(covered);
                }
                case LIVE -> {
                    if (endFrame != null) {
                        phase = Phase.ENDING;
                        return endFrame;
                    }
                    Object o = live.poll();
                    if (o == null) return null;
                    liveCount.decrementAndGet();
                    if (o instanceof Frame.RunEnded re) {
                        phase = Phase.ENDING;
                        return re;
                    }
                    Frame.Log lf = (Frame.Log) o;
                    LogEntry e = lf.entry();
                    if (e.seq() <= covered) continue; // also in the history we sent
                    if (e.seq() != covered + 1) {
                        LOG.severe("Live tail of run " + runId + " saw seq " + e.seq() + " after " + covered
                                + " (invariant broken); closing so the client resumes");
                        close(Outbound.INTERNAL, "gap detected; reconnect with afterSeq=" + covered);
                        return null;
                    }
                    covered = e.seq();
                    if (minLevel == null || e.level().isAtLeast(minLevel)) return lf;
                }
                case ENDING, CLOSED -> {
                    return null;
                }
            }
        }
    }

    /** History entry e (seq > covered, contiguous): advances covered; a frame unless filtered out. */
    private Frame give(LogEntry e) {
        if (e.seq() <= covered) return null;
        covered = e.seq();
        return minLevel == null || e.level().isAtLeast(minLevel) ? new Frame.Log(e) : null;
    }

    /**
     * Reads the next database page into {@code pending}. Entries between the ring and the database
     * (handed downstream, not yet written) make the page short or not contiguous: then it waits and
     * retries, up to history-wait-ms.
     *
     * @return false when a retry was scheduled
     */
    private boolean readPage() {
        int pageSize = hub.settings().historyPageSize();
        List<LogEntry> page;
        Exception failure = null;
        try {
            page = hub.history().readAfter(runId, covered, pageSize);
        } catch (Exception ex) {
            page = List.of();
            failure = ex;
        }
        long expect = covered + 1;
        for (LogEntry e : page) {
            if (e.seq() != expect || e.seq() > dbTarget) break;
            pending.add(e);
            expect++;
        }
        boolean bounded = dbTarget != Long.MAX_VALUE;
        if (!pending.isEmpty()) {
            historyWaitStartMs = -1;
            historyRetryMs = HISTORY_RETRY_FIRST_MS;
            return true;
        }
        if (!bounded && failure == null) {
            // Open-ended (run not in memory): the database is the whole history, and it is done.
            dbTarget = covered;
            return true;
        }
        long now = hub.scheduler().nowMillis();
        if (historyWaitStartMs < 0) historyWaitStartMs = now;
        if (now - historyWaitStartMs >= hub.settings().historyWaitMs()) {
            hub.countHistoryTimeout();
            String why = failure != null ? "history unavailable (database)" : "history not yet stored";
            close(Outbound.TRY_AGAIN_LATER, why + "; reconnect with afterSeq=" + covered);
            return false;
        }
        long delay = historyRetryMs;
        historyRetryMs = Math.min(HISTORY_RETRY_MAX_MS, historyRetryMs * 2);
        hub.scheduler().schedule(() -> hub.executor().execute(this::pump), delay);
        return false;
    }

    // ------------------------------------------------------------------ lifecycle

    /** The peer showed it is alive (pong or any message). */
    public void heard() {
        lastHeardMs = hub.scheduler().nowMillis();
    }

    long lastHeardMs() {
        return lastHeardMs;
    }

    Outbound outbound() {
        return out;
    }

    /** @return the highest seq the client has been given (or that its filter skipped) */
    public long coveredSeq() {
        return covered;
    }

    /** @return true once closed */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Closes once: leaves the hub at once (no more frames queued), closes the transport on the
     * executor (it may block on a stalled peer).
     */
    void close(int code, String reason) {
        if (!closed.compareAndSet(false, true)) return;
        hub.unsubscribe(this);
        live.clear();
        String r = truncate(reason);
        hub.executor().execute(() -> {
            try {
                out.close(code, r);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Closing a live tail of run " + runId, e);
            }
        });
    }

    /** The transport closed (peer left): forget the session without sending anything. */
    public void closedByPeer() {
        if (!closed.compareAndSet(false, true)) return;
        hub.unsubscribe(this);
        live.clear();
    }

    static String truncate(String reason) {
        byte[] b = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (b.length <= MAX_REASON_BYTES) return reason;
        return new String(b, 0, MAX_REASON_BYTES, java.nio.charset.StandardCharsets.UTF_8).replace("\uFFFD", "");
    }
}
