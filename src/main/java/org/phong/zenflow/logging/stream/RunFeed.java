package org.phong.zenflow.logging.stream;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The live items of one watched run, appended once for all its sessions: a singly linked chain that
 * the router worker extends and every session's pump reads from its own cursor.
 *
 * <p>Why a chain and not a queue per session: the router worker used to offer each entry to every
 * session's queue (one node allocation and two atomic updates per entry and session); with 50
 * readers on a busy run that was most of the worker's time. Now an entry costs the worker one node,
 * one uncontended lock, and a poll of the {@code idle} queue: only sessions whose pump went idle
 * since the last append are told (and woken). The backlog bound is checked once per
 * {@link #CHECK_EVERY_BYTES} appended, not per entry (reading every session's consumed bytes, which the
 * pumps write from other cores, is a cache miss per session), so a session may pass session-queue-bytes
 * by at most that much plus one entry before it is closed.
 *
 * <p>Invariants.
 * <ul>
 *   <li>Appends and registrations take this object's monitor, so a session registered before an
 *       append reaches that item from its cursor, and one registered after it does not (the item is in
 *       the session's ring snapshot, taken after registration: the seam argument of package-info).</li>
 *   <li>Every node carries {@code endBytes}, the bytes of all items up to and including it; a
 *       session's backlog is {@code tail.endBytes - its consumedBytes}. That is the quantity the
 *       session-queue-bytes bound applies to; memory held for all sessions together is the backlog
 *       of the slowest open one, not the sum.</li>
 *   <li>Nodes before the slowest cursor are unreachable and collected; a closed session drops its
 *       cursor, and a feed without sessions leaves the hub's map, so nothing outlives its readers.</li>
 *   <li>Nothing is called under the monitor except the append itself: waking or closing a session
 *       happens after it (closing leaves the hub's map, whose lock a registration holds while it
 *       takes this monitor).</li>
 * </ul>
 */
final class RunFeed {
    /**
     * One live item in the chain; the sentinel has no item and 0 bytes. {@code frameAfter} is the
     * last unfiltered frame a session built from the items right after this node: a session that
     * reads on from the same node takes the same frame object (its text built once), so sessions in
     * step on a busy run share frames as they share entries.
     */
    static final class Node {
        final LiveItem item;
        final long endBytes;
        volatile Node next;
        volatile SharedFrame frameAfter;

        Node(LiveItem item, long endBytes) {
            this.item = item;
            this.endBytes = endBytes;
        }
    }

    /** A frame of every item from a node's next through {@code last}, all entries, none skipped. */
    record SharedFrame(Frame.Logs frame, Node last) {
    }

    /** Bytes appended between two checks of every session's backlog against its bound. */
    static final long CHECK_EVERY_BYTES = 64 * 1024;

    private final CopyOnWriteArrayList<Subscription> sessions = new CopyOnWriteArrayList<>();
    /** Sessions whose pump went idle and that the next append must wake (each at most once: the session's {@code markedIdle} flag). */
    private final ConcurrentLinkedQueue<Subscription> idle = new ConcurrentLinkedQueue<>();
    private Node tail = new Node(null, 0); // guarded by this
    private long checkedAtBytes; // guarded by this

    /**
     * Router worker (or the run's release): appends {@code item}, wakes the sessions that went idle,
     * and every {@link #CHECK_EVERY_BYTES} closes those whose backlog passed their bound.
     */
    void publish(LiveItem item) {
        Node n;
        boolean check;
        synchronized (this) {
            n = new Node(item, tail.endBytes + item.bytes());
            tail.next = n;
            tail = n;
            check = n.endBytes - checkedAtBytes >= CHECK_EVERY_BYTES;
            if (check) checkedAtBytes = n.endBytes;
        }
        // After the append: a session that registers as idle after this poll sees the new node when it
        // re-checks (Subscription's pump), one that registered before it is woken here.
        for (Subscription s; (s = idle.poll()) != null; ) s.wakeIfIdle();
        if (check) for (Subscription s : sessions) s.checkBacklog(n);
    }

    /** A session's pump went idle: the next append wakes it. */
    void idle(Subscription s) {
        idle.add(s);
    }

    /** Registers a session; its cursor starts at the current tail (it reads what is appended after). */
    synchronized void add(Subscription s) {
        s.startAt(this, tail);
        sessions.add(s);
    }

    /** @return true when no session is left (the hub then forgets this feed) */
    boolean remove(Subscription s) {
        sessions.remove(s);
        return sessions.isEmpty();
    }

    /** @return the sessions now */
    List<Subscription> sessions() {
        return sessions;
    }
}
