package org.phong.zenflow.logging.journal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The journal's followers ({@link JournalFollower}: sinks that read the journal themselves through a
 * {@link JournalTail}): their names, their shares, which of them are durable (the database: never skips,
 * takes the {@link Overflow}), and their exact positions.
 *
 * <p>A follower's position is the end of the last record it acknowledged, or a segment base. Invariants:
 * it only grows ({@link #advance} keeps a maximum, whatever thread acknowledges); it is set directly only
 * by recovery, before any tail exists ({@link #seed}); every segment whose entries end at or before it
 * ({@link Segment#passEnd}) is passed by that follower.
 *
 * <p>Locking: none needed. Names, shares and the overflow mapping are fixed at construction; positions
 * are an {@link AtomicLongArray}, read and advanced from any thread, under the journal's lock or not.
 */
final class Followers {
    /** Sorted, so a follower's index is stable for a given configuration. */
    private final List<String> names;
    private final long[] maxBytes;
    /** Per follower: its index in the {@link Overflow} when it is a durable follower, else -1. */
    private final int[] overflowIndex;
    private final AtomicLongArray positions;
    /** Null without durable followers. */
    private final Overflow overflow;

    /**
     * @param shares  follower name = most journal bytes its backlog may hold
     * @param durable names among them that are durable followers
     * @throws IllegalArgumentException when a durable follower is not a follower
     */
    Followers(Map<String, Long> shares, Set<String> durable) {
        this.names = List.copyOf(new TreeMap<>(shares).keySet());
        this.maxBytes = new long[names.size()];
        for (int i = 0; i < names.size(); i++) maxBytes[i] = shares.get(names.get(i));
        this.positions = new AtomicLongArray(names.size());
        this.overflowIndex = new int[names.size()];
        int durableCount = 0;
        for (int i = 0; i < names.size(); i++) {
            overflowIndex[i] = durable.contains(names.get(i)) ? durableCount++ : -1;
        }
        if (!shares.keySet().containsAll(durable)) {
            throw new IllegalArgumentException("durable followers must be followers: " + durable);
        }
        this.overflow = durableCount == 0 ? null : new Overflow(durableCount);
    }

    List<String> names() {
        return names;
    }

    int size() {
        return names.size();
    }

    String name(int i) {
        return names.get(i);
    }

    /** @return the follower's index, or -1 */
    int indexOf(String name) {
        return names.indexOf(name);
    }

    long maxBytes(int i) {
        return maxBytes[i];
    }

    /** @return true for a durable follower (it takes the overflow) */
    boolean durable(int i) {
        return overflowIndex[i] >= 0;
    }

    /** @return the follower's index in the overflow, or -1 when it is not durable */
    int overflowIndex(int i) {
        return overflowIndex[i];
    }

    /** @return the entries the journal could not hold, or null without durable followers */
    Overflow overflow() {
        return overflow;
    }

    long position(int i) {
        return positions.get(i);
    }

    /** Moves the follower's position to {@code position} unless it is past it already (positions only grow). */
    void advance(int i, long position) {
        positions.accumulateAndGet(i, position, Math::max);
    }

    /** Recovery only, before any tail reads: where the follower starts. */
    void seed(int i, long position) {
        positions.set(i, position);
    }

    /** @return true when every follower has acknowledged every entry of {@code s} */
    boolean passed(Segment s) {
        long end = s.passEnd();
        for (int i = 0; i < names.size(); i++) if (positions.get(i) < end) return false;
        return true;
    }

    /** @return true when some durable follower has not stored every entry of {@code s} yet */
    boolean durableBehind(Segment s) {
        long end = s.passEnd();
        for (int i = 0; i < names.size(); i++) if (overflowIndex[i] >= 0 && positions.get(i) < end) return true;
        return false;
    }

    /** @return each follower's position now, by name (what the positions file keeps) */
    Map<String, Long> positions() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) out.put(names.get(i), positions.get(i));
        return out;
    }
}
