package org.phong.zenflow.logging.api;

import java.util.List;
import java.util.Objects;

/**
 * One batch on its way to a {@link LogSink}, as the collector hands it over ({@link LogSink#process(SinkBatch)}):
 * the entries and what the pipeline knows about them.
 *
 * @param entries     entries of one or more runs, each run's in ascending {@code seq}; the list is not copied and
 *                    must not be kept after the call returns
 * @param unjournaled how many of the entries the write-ahead journal could not hold (unavailable or full:
 *                    degradation level 3); always 0 when the pipeline runs without a journal. A sink that reads
 *                    the journal instead of these entries (Kafka) will not find them there.
 */
public record SinkBatch(List<LogEntry> entries, int unjournaled) {

    /**
     * Validates the count against the entries.
     *
     * @param entries     the batch (not copied)
     * @param unjournaled how many of them the journal could not hold
     * @throws IllegalArgumentException when {@code unjournaled} is negative or more than the entries
     */
    public SinkBatch {
        Objects.requireNonNull(entries, "entries");
        if (unjournaled < 0 || unjournaled > entries.size()) {
            throw new IllegalArgumentException("unjournaled must be within 0.." + entries.size() + ", was " + unjournaled);
        }
    }

    /**
     * @param entries the batch (not copied)
     * @return a batch whose entries are all journaled, or that comes from a pipeline without a journal
     */
    public static SinkBatch of(List<LogEntry> entries) {
        return new SinkBatch(entries, 0);
    }
}
