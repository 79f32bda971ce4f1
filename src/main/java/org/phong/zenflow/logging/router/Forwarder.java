package org.phong.zenflow.logging.router;

import java.util.concurrent.CompletionStage;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;

/**
 * Where a forwarding {@link LogRouter} (cluster mode) hands what it is given instead of sequencing it
 * here: the ingest topic, through {@code cluster.ClusterNode}. Implementations take the item without
 * waiting on I/O (beyond a bound of a few milliseconds) or refuse it; they never queue what they refuse.
 *
 * <p>Each method returns a stage that completes when the destination has the item durably (Kafka's
 * {@code acks=all}), or exceptionally when it gave up on it after taking it.
 */
public interface Forwarder {
    /**
     * @param redacted a validated entry, already redacted
     * @return completes when the entry is acknowledged
     * @throws Refused when it was not taken (nothing queued; the caller may retry it)
     */
    CompletionStage<?> entry(LogEntry redacted) throws Refused;

    /**
     * @param event a run's start
     * @return completes when acknowledged
     * @throws Refused when not taken
     */
    CompletionStage<?> started(WorkflowRunStarted event) throws Refused;

    /**
     * @param event a run's end
     * @return completes when acknowledged
     * @throws Refused when not taken
     */
    CompletionStage<?> ended(WorkflowRunCompleted event) throws Refused;

    /** The destination did not take an item (its buffer full, its brokers unknown, closed): nothing was queued. */
    final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        /**
         * @param message what was refused and why
         * @param cause   the destination's reason
         */
        public Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
