package org.phong.zenflow.logging.api;

/** How a workflow run ended, as the engine reports it with {@link WorkflowRunCompleted}. */
public enum RunOutcome {
    /** Every node finished. */
    SUCCEEDED,
    /** A node failed and the run stopped. */
    FAILED,
    /** Someone stopped the run. */
    CANCELLED,
    /** The run exceeded its time budget. */
    TIMED_OUT;

    /**
     * @param field the name of the field being parsed, for the error
     * @param text  the outcome name, case-insensitive
     * @return the outcome
     * @throws InvalidLogEntryException naming {@code field} when the text is no outcome
     */
    public static RunOutcome parse(String field, String text) {
        return EnumNames.parse(RunOutcome.class, field, text);
    }
}
