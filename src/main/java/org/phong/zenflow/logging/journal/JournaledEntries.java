package org.phong.zenflow.logging.journal;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * A batch of one run's entries that remembers, per entry, the journal segment it was appended to
 * ({@link Journal#NOT_JOURNALED} when it was not), so a sink that reads the journal (Kafka) can count
 * the entries it will not find there. The collector passes batches through unchanged.
 */
public final class JournaledEntries extends AbstractList<LogEntry> implements RandomAccess {
    private final List<LogEntry> entries;
    private final long[] segments;

    /**
     * @param entries  the batch
     * @param segments the segment base of each entry (same length), or {@link Journal#NOT_JOURNALED}
     */
    public JournaledEntries(List<LogEntry> entries, long[] segments) {
        if (entries.size() != segments.length) throw new IllegalArgumentException("one segment per entry");
        this.entries = entries;
        this.segments = segments;
    }

    @Override
    public LogEntry get(int index) {
        return entries.get(index);
    }

    @Override
    public int size() {
        return entries.size();
    }

    /** @return the segment base of entry {@code index} */
    public long segmentOf(int index) {
        return segments[index];
    }
}
