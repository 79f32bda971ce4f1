package org.phong.zenflow.logging.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogFilter;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager.MemorySnapshot;

/**
 * One client watching one run: history after {@code afterSeq}, then live, without gap or duplicate
 * (the seam argument is in package-info).
 *
 * <p>Threads. The router worker of the run appends each {@link LiveItem} once to the run's
 * {@link RunFeed}, wakes the sessions whose pump went idle ({@link #wakeIfIdle}) and, every
 * {@code RunFeed.CHECK_EVERY_BYTES}, closes 1013 a session whose backlog (bytes after its cursor)
 * passed session-queue-bytes ({@link #checkBacklog}); the worker never blocks. Everything else runs in
 * the <em>pump</em>, of which at most one is active per session
 * ({@code pumping}): it reads history (PostgreSQL pages, then the snapshot's entries in memory), then walks the feed
 * from its cursor, and hands one frame at a time to {@link Outbound#send}. The pump continues from
 * the send's completion (inline when it completed synchronously: a trampoline, no recursion), so a
 * stalled peer holds no thread, only its place in the feed.
 *
 * <p>Coalescing. Each frame carries everything that waited: a history page, the entries in memory, or the whole
 * live queue at the moment the previous send completed. A reader that keeps up gets small frames at
 * once; one that falls behind gets fewer, larger frames and catches up (the frame count per second
 * falls as the lag grows, instead of one frame per entry). Only a reader whose queue passes
 * {@code session-queue-bytes}, i.e. one that really stopped reading, is closed.
 *
 * <p>{@code covered} is the highest seq the client has been given or that was filtered out for it;
 * a live entry at or below it is a duplicate and skipped; one above {@code covered + 1} would be a
 * gap, which the invariant rules out: it is logged and the session is closed 1011 so the client
 * resumes from what it has. In cluster mode ({@link #beginFromStore}) such a gap, or a run's end above
 * {@code covered}, is a hole the feed may really have (an output record lost or read before this node
 * followed the topic): the cursor stays before the item that showed it, the pump reads the missing seqs
 * from the database ({@code FILL}, on the executor, with the history's wait bound), then meets that
 * item again.
 */
public final class Subscription implements LiveItem.Gatherer {
    private static final Logger LOG = Logger.getLogger(Subscription.class.getName());
    /** First and largest pause while waiting for entries on their way to the database. */
    private static final long HISTORY_RETRY_FIRST_MS = 20;
    private static final long HISTORY_RETRY_MAX_MS = 500;
    /** RFC 6455: a close reason is at most 123 bytes. */
    private static final int MAX_REASON_BYTES = 123;

    private enum Phase { HELLO, HISTORY_DB, HISTORY_RING, LIVE, FILL, ENDING, CLOSED }

    private final StreamHub hub;
    final UUID runId;
    private final LogFilter filter;
    private final Outbound out;
    /**
     * The last feed node this session consumed (set when it registers, moved by the pump, null once
     * closed so that a closed session holds none of the feed).
     */
    private final AtomicReference<RunFeed.Node> cursor = new AtomicReference<>();
    /** {@code endBytes} of the cursor: the router worker reads it to measure the backlog. */
    private volatile long consumedBytes;
    private final long liveCapacityBytes;
    /**
     * Cluster mode: a live entry past {@code covered + 1}, or a run's end past {@code covered}, is a
     * hole to fill from the database ({@link Phase#FILL}), not a broken invariant (package-info).
     */
    private final boolean fillGaps;
    private final AtomicBoolean pumping = new AtomicBoolean(true); // the opener runs the first pump
    /** The run's feed (set at registration); an idle pump registers with it to be woken. */
    private volatile RunFeed feed;
    /** True while this session waits in its feed's idle queue (so it is there at most once). */
    private final AtomicBoolean markedIdle = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** A ping is due: sent by the pump between two sends, never while a send is in flight (transports refuse that). */
    private final AtomicBoolean pingDue = new AtomicBoolean();
    private volatile long lastHeardMs;

    // ---- pump state (one pump at a time; published between pumps by the pumping flag's CAS)
    private volatile long covered;
    private volatile Phase phase = Phase.HELLO;
    private MemorySnapshot snapshot;
    /** Highest seq history must take from the database; Long.MAX_VALUE: until a short page. */
    private long dbTarget;
    private final ArrayDeque<LogEntry> pending = new ArrayDeque<>();
    private long historyWaitStartMs = -1;
    private long historyRetryMs = HISTORY_RETRY_FIRST_MS;
    private Frame.RunEnded endFrame;
    /** The frame being gathered from the live queue (pump only). */
    private List<EncodedEntry> gathering;
    private long gatheredBytes;
    private Frame.RunEnded gatheredEnd;
    private boolean gatherBroken;
    /** The walk met a hole (cluster mode): the cursor stays before the item that showed it. */
    private boolean gatherHole;
    /** Set when FILL begins: its first turn moves the pump to the executor (history reads block). */
    private boolean fillHop;
    private long gapFills;

    Subscription(StreamHub hub, UUID runId, long afterSeq, LogFilter filter, Outbound out, long queueBytes, long nowMs,
                 boolean fillGaps) {
        this.hub = hub;
        this.fillGaps = fillGaps;
        this.runId = runId;
        this.filter = filter == null ? LogFilter.ALL : filter;
        this.out = out;
        this.covered = afterSeq;
        this.liveCapacityBytes = queueBytes;
        this.lastHeardMs = nowMs;
    }

    /** Called once after registration, on the opener's thread: takes the memory snapshot, then pumps. */
    void begin(MemorySnapshot s) {
        snapshot = s;
        dbTarget = switch (s.state()) {
            case ACTIVE, RELEASED -> s.firstInMemory() - 1;
            case RECOVERING, UNKNOWN -> Long.MAX_VALUE;
        };
        hub.executor().execute(this::pump);
    }

    /**
     * Cluster mode's {@link #begin}: no buffer here, so no ring; history is the database from
     * {@code afterSeq} until a page adds nothing, then the live items queued since registration.
     */
    void beginFromStore() {
        snapshot = null;
        dbTarget = Long.MAX_VALUE;
        hub.executor().execute(this::pump);
    }

    // ------------------------------------------------------------------ router side

    /** Registration, under the feed's monitor: live items start after {@code tail}. */
    void startAt(RunFeed feed, RunFeed.Node tail) {
        this.feed = feed;
        consumedBytes = tail.endBytes;
        cursor.set(tail);
    }

    /**
     * Router worker, every {@code RunFeed.CHECK_EVERY_BYTES} appended ({@code n} the newest node): closes
     * the session when its backlog passed the bound. A session with nothing waiting before {@code n}
     * always takes it (so an entry larger than the bound cannot close a reader that keeps up); a run's
     * end (0 bytes) never closes one.
     */
    void checkBacklog(RunFeed.Node n) {
        if (closed.get()) return;
        int size = n.item.bytes();
        long waiting = n.endBytes - size - consumedBytes; // before the newest item
        if (size > 0 && waiting > 0 && waiting + size > liveCapacityBytes) {
            hub.countOverflow();
            close(Outbound.TRY_AGAIN_LATER, "client too slow: " + waiting + " bytes queued; reconnect with afterSeq=" + covered);
        }
    }

    /** Router worker: something was appended since this session's pump went idle. Never blocks. */
    void wakeIfIdle() {
        markedIdle.set(false);
        if (closed.get()) return;
        if (!pumping.get() && pumping.compareAndSet(false, true)) hub.wake(this);
    }

    /** @return true when the feed has an item after this session's cursor */
    private boolean liveWaiting() {
        RunFeed.Node c = cursor.get();
        return c != null && c.next != null;
    }

    // ------------------------------------------------------------------ pump

    private void pump() {
        try {
            while (true) {
                if (closed.get()) return;
                if (pingDue.compareAndSet(true, false)) ping();
                Frame f = next();
                if (f == WAIT) return; // a retry is scheduled; pumping stays true
                if (f == null) {
                    pumping.set(false);
                    // The next append wakes us; one between our empty walk and this registration found
                    // us pumping (or not yet registered) and left: re-check.
                    RunFeed fd = feed;
                    if (fd != null && markedIdle.compareAndSet(false, true)) fd.idle(this);
                    if ((!liveWaiting() && !pingDue.get()) || closed.get() || !pumping.compareAndSet(false, true)) return;
                    continue;
                }
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
        if (f.endsSession()) {
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

    /** Returned by {@link #next()} when a history retry is scheduled (the pump stops; the timer restarts it). */
    private static final Frame WAIT = new Frame.CaughtUp(-1);

    /** @return the next frame to send, null when there is none now, or WAIT when a retry is scheduled */
    private Frame next() {
        while (true) {
            switch (phase) {
                case HELLO -> {
                    phase = Phase.HISTORY_DB;
                    return new Frame.Hello(Frame.PROTOCOL);
                }
                case HISTORY_DB -> {
                    if (!pending.isEmpty()) {
                        Frame f = historyFrame();
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
                        for (LogEntry e : snapshot.inMemory()) if (e.seq() > covered) pending.add(e);
                        snapshot = null;
                    }
                    Frame f = historyFrame();
                    if (f != null) return f;
                    phase = Phase.LIVE;
                    endFrame = hub.endedFrame(runId, covered);
                    return new Frame.CaughtUp(covered);
                }
                case LIVE -> {
                    if (endFrame != null) {
                        phase = Phase.ENDING;
                        return endFrame;
                    }
                    Frame f = gatherLive();
                    if (f == null && phase == Phase.FILL) continue; // a hole: fill it now
                    return f;
                }
                case FILL -> {
                    if (fillHop) {
                        // Entered from a live walk, possibly on a transport's completion thread: read on the executor.
                        fillHop = false;
                        hub.executor().execute(this::pump);
                        return WAIT;
                    }
                    if (!pending.isEmpty()) {
                        Frame f = historyFrame();
                        if (f != null) return f;
                        continue;
                    }
                    if (covered >= dbTarget) {
                        phase = Phase.LIVE; // the item that showed the hole is next in the feed
                        continue;
                    }
                    if (!readPage()) return WAIT;
                }
                case ENDING, CLOSED -> {
                    return null;
                }
            }
        }
    }

    /** One frame of every pending history entry that passes the filter (null: none did); advances covered. */
    private Frame historyFrame() {
        List<EncodedEntry> out = new ArrayList<>(pending.size());
        for (LogEntry e; (e = pending.pollFirst()) != null; ) {
            if (e.seq() <= covered) continue;
            covered = e.seq();
            if (filter.matches(e)) out.add(new EncodedEntry(e));
        }
        return out.isEmpty() ? null : new Frame.Logs(out);
    }

    /**
     * Walks the feed from the cursor into one frame (at most about the queue bound, so a router
     * faster than the walk cannot keep it here forever). A run's end stops the walk; it is sent after
     * the entries before it. The cursor moves by compare-and-set from where the walk started, so a
     * close() meanwhile (cursor null) stays closed and holds nothing.
     *
     * @return the frame, or null when nothing is to be sent now
     */
    private Frame gatherLive() {
        RunFeed.Node start = cursor.get();
        if (start == null) return null; // closed
        RunFeed.SharedFrame shared = filter.isAll() ? start.frameAfter : null;
        if (shared != null && shared.frame().first() == covered + 1) {
            // Another session read on from this node already: same items, same frame, text built once.
            if (!cursor.compareAndSet(start, shared.last())) return null; // closed meanwhile
            consumedBytes = shared.last().endBytes;
            covered = shared.frame().last();
            return shared.frame();
        }
        gathering = new ArrayList<>();
        gatheredBytes = 0;
        gatheredEnd = null;
        gatherBroken = false;
        gatherHole = false;
        RunFeed.Node c = start;
        int walked = 0;
        for (RunFeed.Node n; gatheredBytes < liveCapacityBytes && (n = c.next) != null; ) {
            gatheredBytes += n.item.bytes();
            if (!n.item.gatherInto(this)) {
                if (!gatherHole) {
                    c = n;
                    walked++;
                }
                break; // a hole leaves the cursor before its item: it is read again after the fill
            }
            c = n;
            walked++;
        }
        if (c != start && cursor.compareAndSet(start, c)) consumedBytes = c.endBytes;
        List<EncodedEntry> entries = gathering;
        gathering = null;
        if (gatherBroken) return null;
        if (gatheredEnd == null && filter.isAll() && !entries.isEmpty() && entries.size() == walked) {
            Frame.Logs f = new Frame.Logs(entries); // every item after start, in feed order: sharable
            start.frameAfter = new RunFeed.SharedFrame(f, c);
            return f;
        }
        if (gatheredEnd != null) {
            if (entries.isEmpty()) {
                phase = Phase.ENDING;
                return gatheredEnd;
            }
            endFrame = gatheredEnd; // next()
        }
        return entries.isEmpty() ? null : new Frame.Logs(entries);
    }

    /**
     * Gatherer: a live entry; the seam check (duplicate skipped; a gap closes 1011, or in cluster
     * mode is filled from the database), then the filter.
     */
    @Override
    public boolean entry(EncodedEntry item) {
        long seq = item.seq();
        if (seq <= covered) return true; // also in the history we sent
        if (seq != covered + 1 && fillGaps) return hole(seq - 1);
        if (seq != covered + 1) {
            LOG.severe("Live tail of run " + runId + " saw seq " + seq + " after " + covered
                    + " (invariant broken); closing so the client resumes");
            close(Outbound.INTERNAL, "gap detected; reconnect with afterSeq=" + covered);
            gatherBroken = true;
            return false;
        }
        covered = seq;
        if (filter.matches(item.entry())) gathering.add(item);
        return true;
    }

    /**
     * Gatherer: the run's end stops the drain. In cluster mode an end past {@code covered} means
     * entries that never came live (not published, or published before this node's follower started):
     * they are read from the database first, then the end is met again.
     */
    @Override
    public boolean end(Frame.RunEnded f) {
        if (fillGaps && f.lastSeq() > covered) return hole(f.lastSeq());
        gatheredEnd = f;
        return false;
    }

    /** Cluster mode: entries {@code covered+1 .. upTo} are missing from the feed; read them from the database. */
    private boolean hole(long upTo) {
        gatherHole = true;
        gapFills++;
        hub.countGapFill();
        dbTarget = upTo;
        historyWaitStartMs = -1;
        historyRetryMs = HISTORY_RETRY_FIRST_MS;
        phase = Phase.FILL;
        fillHop = true;
        return false;
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

    /**
     * The pinger's turn: the ping goes out from the pump, between sends. A session whose send never
     * completes (a peer that stopped reading, or is gone) therefore sends no ping, gets no pong, and is
     * closed by the pinger after pong-timeout-ms; a busy session that keeps completing sends is pinged
     * between its frames.
     */
    void requestPing() {
        if (closed.get()) return;
        pingDue.set(true);
        if (pumping.compareAndSet(false, true)) hub.executor().execute(this::pump);
    }

    /** The hub's dispatcher: this session was woken (its pumping flag is already set). */
    void pumpNow() {
        pump();
    }

    private void ping() {
        try {
            out.ping();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Ping failed", e);
        }
    }

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

    /** @return how many holes this session filled from the database (cluster mode; pump state, for tests) */
    long gapFills() {
        return gapFills;
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
        cursor.set(null);
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
        cursor.set(null);
    }

    static String truncate(String reason) {
        byte[] b = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (b.length <= MAX_REASON_BYTES) return reason;
        return new String(b, 0, MAX_REASON_BYTES, java.nio.charset.StandardCharsets.UTF_8).replace("\uFFFD", "");
    }
}
