package org.phong.zenflow.logging.api;

import java.util.Objects;
import java.util.UUID;

/**
 * CDI event the engine fires when a run starts ({@code Event<WorkflowRunStarted>.fire(...)}).
 * The module opens the run's buffer and starts its sequence at 1.
 *
 * @param workflowId the workflow the run belongs to
 * @param runId      the run
 */
public record WorkflowRunStarted(UUID workflowId, UUID runId) {
    /**
     * Validates that both ids are present.
     *
     * @param workflowId the workflow the run belongs to
     * @param runId      the run
     * @throws InvalidLogEntryException naming the missing field
     */
    public WorkflowRunStarted {
        if (workflowId == null) throw new InvalidLogEntryException("workflowId", "is required");
        if (runId == null) throw new InvalidLogEntryException("runId", "is required");
    }
}
