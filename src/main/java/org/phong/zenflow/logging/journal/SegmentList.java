package org.phong.zenflow.logging.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The segments the journal holds, oldest (lowest base) first: the bytes their files take, deletion once every
 * follower has passed them, and where a reader at a given position finds its next record.
 *
 * <p>Invariants: bases ascend and a segment starts at or after the end of the one before it; the open segment
 * (the journal's {@code current}) is the last one; segments leave only through {@link #deletePassed}, oldest
 * first, and only when sealed and passed by every follower; {@link #bytes} is the sum of the segments' sizes
 * (headers included), which the journal's budget counts.
 *
 * <p>Locking: no lock of its own. Everything is called under the journal's lock, except {@link #bytes}
 * (volatile, single writer under the lock).
 */
final class SegmentList implements Iterable<Segment> {
    /** Logged under the journal's name, as before the journal was split into classes. */
    private static final Logger LOG = Logger.getLogger(Journal.class.getName());

    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private volatile long bytes;

    /** Where a follower reads: a segment file and how far it may read in it. */
    record Readable(long base, Path file, long limit, boolean sealed) {
    }

    /** Under the lock: a segment opened or recovered, newer than every segment here; its bytes count from now on. */
    void add(Segment s) {
        segments.addLast(s);
        bytes += s.bytes;
    }

    /** Under the lock: {@code n} bytes appended to the open segment. */
    void grew(long n) {
        bytes += n;
    }

    /** @return the bytes of every segment file held (read anywhere) */
    long bytes() {
        return bytes;
    }

    int size() {
        return segments.size();
    }

    boolean isEmpty() {
        return segments.isEmpty();
    }

    /** @return the oldest segment, or null */
    Segment oldest() {
        return segments.peekFirst();
    }

    /** Under the lock. @return true when a segment with this base is held (recovered or opened by this process) */
    boolean holds(long base) {
        for (Segment s : segments) if (s.base == base) return true;
        return false;
    }

    /** Under the lock. */
    @Override
    public Iterator<Segment> iterator() {
        return segments.iterator();
    }

    /**
     * Under the lock: deletes, oldest first, every segment that is sealed (never {@code current}) and passed
     * by every follower; stops at the first one that is not, or whose file cannot be
     * deleted (retried by the next call).
     *
     * @return true when a segment was deleted (a position moved: the caller saves the positions)
     */
    boolean deletePassed(Segment current, Followers followers) {
        boolean deleted = false;
        while (!segments.isEmpty()) {
            Segment s = segments.peekFirst();
            if (s == current || !s.sealed || !followers.passed(s)) break;
            try {
                Files.deleteIfExists(s.file);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Cannot delete the passed journal segment " + s.file + "; retried later", e);
                break;
            }
            segments.removeFirst();
            bytes -= s.bytes;
            deleted = true;
        }
        return deleted;
    }

    /**
     * Under the lock.
     *
     * @return {@code pos} moved past a segment header when it stands at a segment's base (the end of the
     *         previous segment's last record): the header holds no record, so it is no backlog
     */
    long recordPosition(long pos) {
        for (Segment s : segments) {
            if (s.base == pos) return pos + SegmentFile.HEADER_BYTES;
            if (s.base > pos) break;
        }
        return pos;
    }

    /**
     * Under the lock.
     *
     * @param current the open segment, or null when the journal is failed (every segment then reads as sealed)
     * @param synced  the end of what is durable: no reader goes past it in the open segment
     * @return the first segment with something at or after {@code cursor} to read (a sealed one with its
     *         end, the open one up to what is durable), the open one when the cursor is at the end, or
     *         null when the journal has no segment
     */
    Readable readableAt(long cursor, Segment current, long synced) {
        for (Segment s : segments) {
            boolean open = s == current;
            long limit = open ? Math.max(s.base + SegmentFile.HEADER_BYTES, Math.min(synced, s.end())) : s.end();
            if (open || cursor < limit) return new Readable(s.base, s.file, limit, !open);
        }
        return null;
    }
}
