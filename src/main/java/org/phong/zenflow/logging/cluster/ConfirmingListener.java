package org.phong.zenflow.logging.cluster;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * A {@link SequencedListener} that tells when each write's entries are all where it sends them: the owner
 * loop keeps the output outbox ({@link OutputOutbox}) for such a listener, and only for it (a listener that
 * never confirms would leave every row in the table). {@link OutputPublisher} is the one cluster mode
 * plugs in.
 *
 * <p>A write is named by its ingest partition and first offset (the outbox's key). The loop calls {@link
 * #accept(TopicPartition, long, List)} on its thread after the commit; the implementation confirms the write
 * when every entry was acknowledged, from whatever thread hears that, and never confirms a write one of
 * whose entries failed. The loop reads the confirmations ({@link #confirmed}) to delete their rows with the
 * partition's next write, then {@link #forget}s them. {@link #holds} is what a republish skips: a write that
 * is still on its way, or confirmed and not yet deleted, needs no second copy.
 *
 * <p>Implementations are thread-safe.
 */
public interface ConfirmingListener extends SequencedListener {
    /**
     * Sends a committed write's entries and tracks them as one write.
     *
     * @param source      the ingest partition the write consumed
     * @param firstOffset its first offset
     * @param sequenced   its entries, never empty
     */
    void accept(TopicPartition source, long firstOffset, List<LogEntry> sequenced);

    /**
     * Sends an outbox row's entries again, read back from PostgreSQL, and tracks them as the write they
     * came from; counts them as republished.
     *
     * @param source      the ingest partition
     * @param firstOffset the write's first offset
     * @param entries     what {@code logs} still holds of the write (may be empty)
     * @param expired     how many of the write's entries {@code logs} no longer holds (retention)
     */
    void republish(TopicPartition source, long firstOffset, List<LogEntry> entries, long expired);

    /** @return whether the write is in flight or confirmed and not yet forgotten */
    boolean holds(TopicPartition source, long firstOffset);

    /** @return the first offsets of the partition's confirmed writes not yet forgotten (a copy) */
    Set<Long> confirmed(TopicPartition source);

    /** @return every partition's confirmed writes not yet forgotten (a copy; partitions without any left out) */
    Map<TopicPartition, Set<Long>> confirmed();

    /** Their rows are deleted: stop reporting these writes. */
    void forget(TopicPartition source, Set<Long> firstOffsets);
}
