package org.phong.zenflow.logging;

import org.phong.zenflow.logging.cluster.ClusterNode;
import org.phong.zenflow.logging.stream.StreamHub;

/**
 * What health checks and metrics read: the running pipeline and its live-tail hub, or in cluster mode
 * the running cluster node, or null before the application has started them (and after a failed start).
 * The CDI module implements it; readers depend on this view, not on the module that builds and wires everything (no import cycle, and a check or a
 * gauge cannot start, stop or reconfigure anything).
 */
public interface RunningPipeline {
    /** @return the running pipeline, or null before start and after a failed start */
    LoggingPipeline runningOrNull();

    /** @return the live tail's hub, or null before start (and in cluster mode, which has no live tail yet) */
    StreamHub streamOrNull();

    /**
     * @return in cluster mode the running node (then {@link #runningOrNull()} is null: there is no local
     *         pipeline), else null
     */
    ClusterNode clusterOrNull();
}
