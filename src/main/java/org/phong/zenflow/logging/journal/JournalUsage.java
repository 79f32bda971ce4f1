package org.phong.zenflow.logging.journal;

/**
 * How full the journal is, for admission and readiness.
 *
 * @param usedBytes   bytes in its segments
 * @param budgetBytes the most it may hold now: max-bytes, or less when the file system has less room
 * @param maxBytes    the configured max-bytes
 * @param freeBytes   usable space on its file system at the last sample (Long.MAX_VALUE before the first)
 */
public record JournalUsage(long usedBytes, long budgetBytes, long maxBytes, long freeBytes) {

    /** @return used / budget, in [0, 1] (1 when no room is left at all) */
    public double fraction() {
        if (budgetBytes <= 0) return FULL;
        return Math.min(FULL, (double) usedBytes / budgetBytes);
    }

    /** The fraction of a journal with no room left. */
    public static final double FULL = 1;
}
