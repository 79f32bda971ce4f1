package org.phong.zenflow.logging.config;

/**
 * What the router does with DEBUG and INFO entries once the entries in flight pass
 * {@code threshold x queue-capacity}. WARN and ERROR are never dropped by any strategy: they may
 * use {@code reserve-capacity} beyond the capacity, and past that they are rejected (the caller is
 * told), never silently lost. At full capacity every strategy drops DEBUG and INFO.
 */
public enum BackpressureStrategy {
    /** Drop DEBUG above the threshold; INFO only at capacity. */
    DROP_DEBUG_FIRST,
    /** Keep a fraction of DEBUG/INFO that falls linearly from 1 at the threshold to 0 at capacity. */
    SAMPLE_HIGH_VOLUME,
    /** Drop DEBUG/INFO of workflows holding more than their fair share of the entries in flight. */
    SHED_LOAD_BY_WORKFLOW,
    /** Like SHED_LOAD_BY_WORKFLOW, but a workflow over its share stays cut off for {@code source-cooldown-ms}. */
    CIRCUIT_BREAK_SOURCES
}
