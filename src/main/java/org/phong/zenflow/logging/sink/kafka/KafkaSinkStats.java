package org.phong.zenflow.logging.sink.kafka;

/**
 * A snapshot of the Kafka sink, for metrics, health and the admin status.
 *
 * @param sent             entries Kafka acknowledged since start
 * @param failedSends      sends that failed (each is sent again, in order, unless counted in {@code rejected})
 * @param resent           entries sent again after a failure
 * @param inFlight         entries handed to the producer, not yet acknowledged or failed
 * @param backlog          entries held: queued + in flight + failed, i.e. appended minus acknowledged position
 * @param dropped          entries never given to Kafka because the backlog was full (loss for Kafka only)
 * @param rejected         entries Kafka can never take (larger than {@code max.request.size}; loss for Kafka only)
 * @param ackedPosition    every position up to this is in Kafka
 * @param appendedPosition the last position taken from the pipeline
 * @param oldestUnackedMs  age of the first unacknowledged entry (0 when none)
 * @param topicReady       the topic exists and every partition has a leader (checked before the first send)
 * @param healthy          the sink delivers: no failure pending and the oldest unacknowledged entry is young enough
 * @param lastError        the last failure, or null
 * @param journaled        the sink reads its entries from the write-ahead journal (journal mode)
 * @param journalBacklogBytes journal mode: journal bytes from the sink's acknowledged position to the end, else 0
 * @param journalSkipped   journal mode: entries skipped because the backlog exceeded the sink's journal share
 *                         (included in {@code dropped})
 */
public record KafkaSinkStats(long sent, long failedSends, long resent, long inFlight, long backlog, long dropped,
                             long rejected, long ackedPosition, long appendedPosition, long oldestUnackedMs,
                             boolean topicReady, boolean healthy, String lastError,
                             boolean journaled, long journalBacklogBytes, long journalSkipped) {

    /** @return entries that will never reach Kafka */
    public long lost() {
        return dropped + rejected;
    }
}
