package org.phong.zenflow.logging.journal;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The in-memory bookkeeping of one segment file: how many records it holds and, per durable sink,
 * how many of them that sink has acknowledged. A sink has <em>passed</em> a segment when the segment
 * is sealed (takes no more records) and the sink acknowledged every record in it; a segment passed
 * by every durable sink is deleted.
 *
 * <p>Counting instead of tracking positions works because every record is acknowledged exactly
 * once per durable sink (the collector acknowledges each batch once per sink), whatever the order.
 */
final class Segment {
    final long base;
    final Path file;
    /** Records appended; written under the journal's lock, read anywhere. */
    volatile long records;
    /** File size including the header (bytes appended, whether or not yet written out). */
    volatile long bytes;
    volatile boolean sealed;
    final long createdMs;
    final AtomicLongArray acked;

    Segment(long base, Path file, int sinks, long createdMs) {
        this.base = base;
        this.file = file;
        this.acked = new AtomicLongArray(sinks);
        this.createdMs = createdMs;
    }

    boolean ackedByAll() {
        long n = records;
        for (int i = 0; i < acked.length(); i++) if (acked.get(i) < n) return false;
        return true;
    }

    boolean passedBy(int sink) {
        return sealed && acked.get(sink) >= records;
    }

    boolean passedByAll() {
        return sealed && ackedByAll();
    }

    long end() {
        return base + bytes;
    }

    /** File offset past the last entry record when recovery found padding after it, else -1. */
    volatile long lastEntryEnd = -1;

    /** @return the position a follower has to reach to have every entry of this segment */
    long passEnd() {
        long l = lastEntryEnd;
        return l >= 0 ? base + l : end();
    }
}
