package org.phong.zenflow.logging.cluster;

/**
 * The ingest producer did not take a record: its buffer stayed full, or the topic's metadata stayed
 * unknown, for {@code max.block.ms}; the record is larger than the producer allows; or the producer is
 * closed. Nothing was sent: the caller refuses the entry (as admission control refuses it today) or
 * retries it; retrying keeps the run's order because the refused record was never queued.
 */
public final class IngestRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was refused
     * @param cause   the producer's reason
     */
    public IngestRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
