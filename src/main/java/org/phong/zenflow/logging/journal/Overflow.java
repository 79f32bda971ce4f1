package org.phong.zenflow.logging.journal;

import java.util.ArrayList;
import java.util.List;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * Entries the router accepted that the journal could not hold: appended while it was failed or full,
 * or appended but lost from its write buffer when a write failed. They live in memory only (a crash
 * loses them; they were never confirmed durable) and admission counts them, so they are bounded by
 * the router's capacity. The durable followers take them in order once they have read everything the
 * journal holds; while any are waiting, new entries join them instead of the journal, so every run
 * reaches the followers in seq order: journal first, then the overflow, then the journal again.
 *
 * <p>Each durable follower has its own count of entries taken; an entry leaves when every one has it.
 */
final class Overflow {
    private final List<LogEntry> entries = new ArrayList<>();
    /** Global index of entries.get(0). */
    private long base;
    private final long[] taken;

    Overflow(int followers) {
        this.taken = new long[followers];
    }

    synchronized void add(LogEntry e) {
        entries.add(e);
    }

    synchronized void addAll(List<LogEntry> es) {
        entries.addAll(es);
    }

    /** @return true while some entry waits for a durable follower (new entries must join them) */
    synchronized boolean holding() {
        return !entries.isEmpty();
    }

    /** @return entries waiting */
    synchronized int size() {
        return entries.size();
    }

    /** @return up to {@code max} entries follower {@code f} has not taken, in order (a copy) */
    synchronized List<LogEntry> peek(int f, int max) {
        int from = (int) (taken[f] - base);
        int to = Math.min(entries.size(), from + max);
        return from >= to ? List.of() : new ArrayList<>(entries.subList(from, to));
    }

    /** Follower {@code f} has the next {@code n} entries; entries every follower has leave. */
    synchronized void took(int f, int n) {
        taken[f] += n;
        long min = Long.MAX_VALUE;
        for (long t : taken) min = Math.min(min, t);
        int drop = (int) (min - base);
        if (drop > 0) {
            entries.subList(0, drop).clear();
            base = min;
        }
    }
}
