package org.phong.zenflow.logging.journal;

import java.util.List;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * The hot path of the followers: the last records appended, as the entries themselves with their
 * journal positions, so a follower that keeps up reads them from memory instead of decoding the file.
 * A follower that fell behind (an outage, a slow database, a restart) reads the file until its cursor
 * is inside the window again. Bounded by a number of entries; the entries are the objects the router
 * already built, so the window costs one reference and two longs each.
 *
 * <p>Invariants: records are added in journal order (under the journal's lock), so starts and ends
 * ascend; a read hands out only a run of records that is contiguous with the cursor (the first record
 * starts at the cursor, or the record before it ends there: a segment header lies between), and only
 * records that end at or before the limit the caller may read to.
 */
final class RecentWindow {
    private final long[] starts;
    private final long[] ends;
    private final LogEntry[] entries;
    private int head;   // index of the oldest
    private int count;

    RecentWindow(int capacity) {
        this.starts = new long[capacity];
        this.ends = new long[capacity];
        this.entries = new LogEntry[capacity];
    }

    synchronized void add(long start, long end, LogEntry e) {
        int cap = entries.length;
        int slot;
        if (count < cap) {
            slot = (head + count) % cap;
            count++;
        } else {
            slot = head;
            head = (head + 1) % cap;
        }
        starts[slot] = start;
        ends[slot] = end;
        entries[slot] = e;
    }

    synchronized void clear() {
        java.util.Arrays.fill(entries, null);
        head = 0;
        count = 0;
    }

    private int at(int k) {
        return (head + k) % entries.length;
    }

    /**
     * @param cursor where the follower reads next
     * @param limit  the end of what it may read
     * @param max    most entries to hand out
     * @param out    receives the entries
     * @param outEnds receives each entry's end position (same index as in {@code out}, from 0)
     * @return entries handed out (at least 1), or -1 when the window cannot serve the cursor now (read the file)
     */
    synchronized int read(long cursor, long limit, int max, List<LogEntry> out, long[] outEnds) {
        if (count == 0) return -1;
        int lo = 0;
        int hi = count;      // first k with starts[k] >= cursor
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[at(mid)] < cursor) lo = mid + 1;
            else hi = mid;
        }
        if (lo == count) return -1;
        if (starts[at(lo)] != cursor && (lo == 0 || ends[at(lo - 1)] != cursor)) return -1;
        int n = 0;
        for (int k = lo; k < count && n < max; k++) {
            int i = at(k);
            if (ends[i] > limit) break;
            out.add(entries[i]);
            outEnds[n++] = ends[i];
        }
        return n == 0 ? -1 : n;
    }
}
