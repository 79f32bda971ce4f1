package org.phong.zenflow.logging.journal;

import java.nio.file.Path;

/**
 * The in-memory bookkeeping of one segment file: where it starts, how many records and bytes it holds,
 * and whether it is sealed (takes no more records). A sealed segment every follower has passed
 * ({@link Followers#passed}) is deleted.
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

    Segment(long base, Path file, long createdMs) {
        this.base = base;
        this.file = file;
        this.createdMs = createdMs;
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
