package org.phong.zenflow.logging.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The exactly-once verdict of the ITs, entry by entry by a unique id: what was sent (split into the
 * ids that MUST arrive and the ids that MAY arrive, e.g. entries whose request died with the server)
 * against every id read back from the table or topic, read to its end. It reports the three ways of
 * being wrong separately: an id that must arrive and did not (loss), an id read more than once
 * (duplicate), an id nobody sent (foreign). Counting rows can hide a loss behind a duplicate; this
 * cannot, which ExactlyOnceTest shows with a planted duplicate and a planted loss.
 *
 * <p>Ids are strings so that every store fits: a unique message, {@code runId:seq}, ...
 */
public final class ExactlyOnce {
    /** How many ids of each kind a failure message lists. */
    private static final int SHOWN = 5;

    private final Set<String> required = new LinkedHashSet<>();
    private final Set<String> allowed = new LinkedHashSet<>();
    private final Map<String, Integer> seen = new HashMap<>();
    private long read;

    /** @param ids ids that must be read back exactly once */
    public ExactlyOnce mustArrive(Collection<String> ids) {
        required.addAll(ids);
        return this;
    }

    /** @param ids ids that may be read back at most once (sent but not confirmed) */
    public ExactlyOnce mayArrive(Collection<String> ids) {
        allowed.addAll(ids);
        return this;
    }

    /** Records one id read back from the store. */
    public ExactlyOnce read(String id) {
        seen.merge(id, 1, Integer::sum);
        read++;
        return this;
    }

    /** Records ids read back from the store, each occurrence once. */
    public ExactlyOnce readAll(Collection<String> ids) {
        for (String id : ids) read(id);
        return this;
    }

    /** Records an id read back {@code times} times (a {@code GROUP BY ... count(*)} row). */
    public ExactlyOnce read(String id, int times) {
        seen.merge(id, times, Integer::sum);
        read += times;
        return this;
    }

    /** The verdict. */
    public record Verdict(List<String> lost, List<String> duplicated, List<String> foreign, long lostCount,
                          long duplicateCount, long foreignCount, long optionalArrived, long optionalMissing, long read) {
        /** @return true when nothing was lost, duplicated or foreign */
        public boolean exact() {
            return lostCount == 0 && duplicateCount == 0 && foreignCount == 0;
        }

        /** @throws AssertionError naming the first ids of each failure */
        public void assertExact(String what) {
            if (exact()) return;
            throw new AssertionError(what + ": " + lostCount + " lost " + lost + ", " + duplicateCount + " read more than once "
                    + duplicated + ", " + foreignCount + " never sent " + foreign + " (" + read + " read)");
        }
    }

    /** @return the verdict over everything recorded so far */
    public Verdict verdict() {
        List<String> lost = new ArrayList<>();
        long lostCount = 0;
        for (String id : required) {
            if (!seen.containsKey(id)) {
                lostCount++;
                if (lost.size() < SHOWN) lost.add(id);
            }
        }
        List<String> dup = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        long dupCount = 0;
        long foreignCount = 0;
        long optionalArrived = 0;
        for (Map.Entry<String, Integer> e : seen.entrySet()) {
            boolean known = required.contains(e.getKey()) || allowed.contains(e.getKey());
            if (!known) {
                foreignCount++;
                if (foreign.size() < SHOWN) foreign.add(e.getKey());
            } else if (e.getValue() > 1) {
                dupCount += e.getValue() - 1;
                if (dup.size() < SHOWN) dup.add(e.getKey() + " x" + e.getValue());
            }
            if (known && !required.contains(e.getKey())) optionalArrived++;
        }
        long optionalMissing = allowed.stream().filter(id -> !required.contains(id) && !seen.containsKey(id)).count();
        return new Verdict(List.copyOf(lost), List.copyOf(dup), List.copyOf(foreign), lostCount, dupCount, foreignCount,
                optionalArrived, optionalMissing, read);
    }
}
