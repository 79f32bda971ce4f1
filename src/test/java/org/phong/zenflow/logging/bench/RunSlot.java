package org.phong.zenflow.logging.bench;

import java.util.UUID;

/**
 * One of the runs a load producer keeps open at once ({@link LoadGenerator} into the pipeline,
 * {@link Log4jJdbcPeer} into Log4j): which run of the {@link Workload} it holds, how many entries
 * that run is to have and how many it has emitted. A producer writes round-robin over its slots and
 * takes the workload's next run into a slot whose run is complete; each producer's own slot adds
 * what it reports for a run.
 */
class RunSlot {
    long runIndex;
    UUID workflowId;
    UUID runId;
    long length;
    long emitted;

    /** Takes run {@code runIndex} of the workload into this slot, nothing of it emitted yet. */
    final void take(Workload workload, long runIndex, int meanEntriesPerRun) {
        this.runIndex = runIndex;
        workflowId = workload.workflowId(runIndex);
        runId = workload.runId(runIndex);
        length = workload.runLength(runIndex, meanEntriesPerRun);
        emitted = 0;
    }
}
