package org.phong.zenflow.logging.journal;

import java.util.Map;

/**
 * A snapshot of the journal, with plain getters for metrics, health and the status page.
 *
 * @param enabled              the journal is configured on
 * @param available            appends are journaled now (not failed, not full)
 * @param full                 the size cap is reached
 * @param problem              why it is not available, or null
 * @param bytesOnDisk          size of all segment files
 * @param segments             segment files
 * @param appendedPosition     journal position after the last append
 * @param syncedPosition       journal position known durable (forced, or written with fsync=none)
 * @param appendedEntries      entries journaled since start
 * @param unjournaledEntries   entries routed while the journal was unavailable or full (memory only)
 * @param sinkBacklogEntries   per follower: journaled entries it has not acknowledged (estimated from its bytes)
 * @param sinkBacklogBytes     per follower: bytes from its position to the end of the journal
 * @param fsyncs               commits (forces) since start
 * @param lastFsyncMicros      duration of the last force
 * @param maxFsyncMicros       longest force since start
 * @param meanFsyncMicros      mean force duration since start
 * @param truncatedRecords     damaged records cut at startup (one per damaged segment)
 * @param truncatedBytes       bytes cut at startup
 */
public record JournalStats(boolean enabled, boolean available, boolean full, String problem, long bytesOnDisk,
                           int segments, long appendedPosition, long syncedPosition, long appendedEntries,
                           long unjournaledEntries, Map<String, Long> sinkBacklogEntries,
                           Map<String, Long> sinkBacklogBytes, long fsyncs, long lastFsyncMicros,
                           long maxFsyncMicros, long meanFsyncMicros, long truncatedRecords, long truncatedBytes) {

    /** @return the stats of a pipeline built without a journal */
    public static JournalStats disabled() {
        return new JournalStats(false, false, false, "the journal is disabled", 0, 0, 0, 0, 0, 0, Map.of(), Map.of(),
                0, 0, 0, 0, 0, 0);
    }
}
