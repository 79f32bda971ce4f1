package org.phong.zenflow.logging.stats;

import org.phong.zenflow.logging.api.LogLevel;

/**
 * Hears what the pipeline does, for metrics. Every method has an empty default, so an
 * implementation overrides only what it needs and {@link #NONE} costs a virtual call.
 * Implementations must be cheap and must not throw (see the package invariants).
 */
public interface PipelineObserver {

    /** Observes nothing; the default of a pipeline built without an observer. */
    PipelineObserver NONE = new PipelineObserver() {
    };

    /** Why an entry was dropped; the metric label. */
    enum DropReason {
        /** DROP_DEBUG_FIRST above the threshold. */
        DEBUG_FIRST,
        /** SAMPLE_HIGH_VOLUME left it out of the sample. */
        SAMPLED,
        /** SHED_LOAD_BY_WORKFLOW: its workflow held more than its fair share. */
        WORKFLOW_SHED,
        /** CIRCUIT_BREAK_SOURCES: its workflow's circuit is open. */
        SOURCE_CIRCUIT_OPEN,
        /** The capacity is used up: every strategy drops DEBUG/INFO there. */
        CAPACITY
    }

    /** Why {@code route()} refused an entry (the caller still owns it). */
    enum RejectReason {
        /** Even the WARN/ERROR reserve is used up. */
        RESERVE_FULL,
        /** The write-ahead journal's disk budget is (nearly) used up: nothing more is accepted until the sinks catch up. */
        JOURNAL_FULL,
        /** The router is shut down. */
        SHUTTING_DOWN,
        /** Cluster mode: the ingest producer did not take the entry (its buffer full, the brokers unknown). */
        INGEST_REFUSED
    }

    /**
     * @return 1 in how many {@code route()} calls is timed and followed to the durable sinks; a power
     *         of two, or 0 for none. Read once when the pipeline is built.
     */
    default int sampleEvery() {
        return 0;
    }

    /** An entry was admitted by {@code route()}. @param level its level */
    default void accepted(LogLevel level) {
    }

    /** The backpressure strategy shed an entry. @param reason why @param level its level */
    default void dropped(DropReason reason, LogLevel level) {
    }

    /** {@code route()} refused an entry. @param reason why @param level its level */
    default void rejected(RejectReason reason, LogLevel level) {
    }

    /** A sampled {@code route()} call took this long, admission and enqueue included. @param nanos its duration */
    default void routeSampled(long nanos) {
    }

    /**
     * A run's batch left its buffer for the collector.
     *
     * @param entries  its size
     * @param waitedMs how long its oldest entry waited in the buffer (0 for an ERROR flushed at once)
     */
    default void batchFlushed(int entries, long waitedMs) {
    }

    /** A sink joined the collector (called once per sink, before any entry). @param sink its name @param durable durable or best-effort */
    default void sinkAttached(String sink, boolean durable) {
    }

    /**
     * One sink call succeeded.
     *
     * @param sink    the sink
     * @param entries entries it took
     * @param nanos   how long the call took
     * @param retry   true when the call repeated a batch that had failed before
     */
    default void sinkWrote(String sink, int entries, long nanos, boolean retry) {
    }

    /**
     * One sink call failed (a durable sink keeps the batch and retries it).
     *
     * @param sink    the sink
     * @param entries entries of the failed call
     * @param nanos   how long the call took until it failed
     * @param retry   true when the call repeated a batch that had failed before
     */
    default void sinkFailed(String sink, int entries, long nanos, boolean retry) {
    }

    /** A best-effort sink will never get these entries (its queue was full, or its call failed). @param sink the sink @param entries how many */
    default void sinkDropped(String sink, int entries) {
    }

    /** A sampled entry reached every durable sink. @param nanos time since its {@code route()} call */
    default void routedToDurable(long nanos) {
    }
}
