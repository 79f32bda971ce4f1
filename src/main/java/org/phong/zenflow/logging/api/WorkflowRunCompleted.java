package org.phong.zenflow.logging.api;

import java.util.UUID;

/**
 * CDI event the engine fires when a run ends. Every entry routed for the run before this event
 * is flushed to the sinks, then the run's buffer is released.
 *
 * @param runId   the run
 * @param outcome how it ended
 */
public record WorkflowRunCompleted(UUID runId, RunOutcome outcome) {
    /**
     * Validates that both fields are present.
     *
     * @param runId   the run
     * @param outcome how it ended
     * @throws InvalidLogEntryException naming the missing field
     */
    public WorkflowRunCompleted {
        if (runId == null) throw new InvalidLogEntryException("runId", "is required");
        if (outcome == null) throw new InvalidLogEntryException("outcome", "is required");
    }
}
