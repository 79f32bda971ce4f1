package org.phong.zenflow.logging.buffer;

import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.RunOutcome;

/**
 * An optional observer of the buffers, for consumers that cannot wait for the batched sinks (the
 * live tail). Every call is made under the run's buffer monitor, on the thread that changed the run
 * (its router worker, or the shared scheduler for idle release), so for one run the calls arrive in
 * seq order and never concurrently. Implementations must not block, do I/O or throw: they hold up
 * the router worker (hand the work to a queue and return).
 */
public interface BufferListener {

    /** Ignores everything: the pipeline without a live tail. */
    BufferListener NONE = new BufferListener() {
    };

    /** @param workflowId its workflow @param runId a run opened by a start event */
    default void runStarted(UUID workflowId, UUID runId) {
    }

    /** @param entry an entry that has just been given its seq (and is in the run's ring when the run is watched) */
    default void sequenced(LogEntry entry) {
    }

    /**
     * Asked once when the run's buffer is made: a run someone already watches keeps a ring of its latest
     * entries from its first entry on (otherwise from the first {@code snapshot} a live tail takes).
     *
     * @param runId the run
     * @return true when a live tail is open on it
     */
    default boolean watches(UUID runId) {
        return false;
    }

    /**
     * The run's buffer was released.
     *
     * @param runId   the run
     * @param lastSeq its last seq; every entry up to it has been handed downstream
     * @param outcome how it ended, or null when it was released for being idle
     */
    default void runReleased(UUID runId, long lastSeq, RunOutcome outcome) {
    }
}
