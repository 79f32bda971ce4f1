package org.phong.zenflow.logging.degradation;

/**
 * One immutable state of the machine: the conditions that hold and the level they give.
 *
 * @param level              the most severe condition that holds
 * @param databaseFailing    a durable sink is failing
 * @param journalUnavailable the journal is failed or full (false when the pipeline has no journal)
 * @param memoryPressure     the heap is above the high watermark (until below the low one)
 * @param heapFraction       heap used / max at the last evaluation
 * @param reason             the conditions in words ("" at NORMAL)
 * @param sinceMs            when this level began (scheduler clock)
 */
public record DegradationState(DegradationLevel level, boolean databaseFailing, boolean journalUnavailable,
                               boolean memoryPressure, double heapFraction, String reason, long sinceMs) {

    /** @return the state at startup */
    public static DegradationState initial(long nowMs) {
        return new DegradationState(DegradationLevel.NORMAL, false, false, false, 0, "", nowMs);
    }
}
