package org.phong.zenflow.logging.metrics;

import static org.phong.zenflow.logging.metrics.MetricNames.*;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.ToLongFunction;
import org.phong.zenflow.logging.RunningPipeline;
import org.phong.zenflow.logging.cluster.ClusterNode;

/**
 * Cluster mode's metrics ({@link MetricNames#CLUSTER}), read from {@link ClusterNode#snapshot()} (never
 * waits): the node's cumulative totals as counters through the {@link CounterMirror}, the owned
 * partitions as a gauge. Registered only when cluster mode runs. A refused {@code route()} is also
 * counted by the router as {@code zenflow_logging_router_rejected_total{reason="ingest_refused"}}, per level.
 */
@ApplicationScoped
public class ClusterMetrics {
    @Inject
    RunningPipeline module;

    @Inject
    CatalogMetrics metrics;

    /** Registers once the application has started, after LoggingModule's start observer has started the node. */
    void register(@Observes @Priority(CatalogMetrics.AFTER_PIPELINE) @Initialized(ApplicationScoped.class) Object ignored) {
        ClusterNode node = module.clusterOrNull();
        if (node == null) return;
        counter(node, CLUSTER_RECORDS_PRODUCED, s -> s.producer().acknowledged());
        counter(node, CLUSTER_RECORDS_REFUSED, s -> s.producer().refused());
        counter(node, CLUSTER_RECORDS_FAILED, s -> s.producer().failed());
        counter(node, CLUSTER_ENTRIES_STORED, s -> s.loop().entriesWritten());
        counter(node, CLUSTER_FENCED_WRITES, s -> s.loop().fenced());
        counter(node, CLUSTER_MALFORMED_RECORDS, s -> s.loop().malformedSkipped());
        counter(node, CLUSTER_ENTRIES_REJECTED, s -> s.loop().rejected());
        counter(node, CLUSTER_DATABASE_RETRIES, s -> s.loop().retries());
        counter(node, CLUSTER_OUTPUT_PUBLISHED, s -> s.output().acknowledged());
        counter(node, CLUSTER_OUTPUT_FAILED, s -> s.output().failed());
        counter(node, CLUSTER_OUTPUT_REPUBLISHED, s -> s.output().republished());
        counter(node, CLUSTER_OUTPUT_EXPIRED, s -> s.output().expired());
        metrics.gauge(CLUSTER_OWNED_PARTITIONS, node, n -> n.ownedPartitions().size());
    }

    private void counter(ClusterNode node, String name, ToLongFunction<ClusterNode.Status> f) {
        metrics.counter(name, () -> f.applyAsLong(node.snapshot()));
    }
}
