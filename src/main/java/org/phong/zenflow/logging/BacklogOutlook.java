package org.phong.zenflow.logging;

/**
 * What the durable sinks owe and how long the journal can keep absorbing it: readiness data, the admin
 * status and metrics read this one snapshot.
 *
 * @param entries          entries journaled and not yet stored by the slowest durable sink (estimated from bytes)
 * @param bytes            journal bytes from the slowest durable sink's position to the end
 * @param oldestAgeMs      age of the oldest entry being written (by its timestamp); 0 when none waits
 * @param drainPerSec      entries per second the durable sinks store (smoothed)
 * @param fill             the journal's used fraction of its budget, 0..1
 * @param usedBytes        bytes in the journal
 * @param budgetBytes      the most it may hold now (max-bytes, or less when the disk has less room)
 * @param freeBytes        usable space on its file system (Long.MAX_VALUE before the first sample)
 * @param secondsUntilFull at the current fill rate, seconds until admission refuses entries; -1 when not filling
 * @param overflowEntries  accepted entries waiting in memory because the journal could not hold them
 */
public record BacklogOutlook(long entries, long bytes, long oldestAgeMs, double drainPerSec, double fill, long usedBytes,
                             long budgetBytes, long freeBytes, long secondsUntilFull, long overflowEntries) {

    /** Without a journal (or without durable followers). */
    public static final BacklogOutlook NONE = new BacklogOutlook(0, 0, 0, 0, 0, 0, 0, Long.MAX_VALUE, -1, 0);

    /** @return true when the fill has reached the point where admission sheds (readiness goes DOWN) */
    public boolean nearFull() {
        return fill >= JournalPressure.SHED_FROM;
    }
}
