package org.phong.zenflow.logging.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.phong.zenflow.logging.RunningPipeline;
import org.phong.zenflow.logging.cluster.ClusterNode;
import org.phong.zenflow.logging.cluster.PartitionOwnerLoop;

/**
 * Readiness {@code zenflow-logging-cluster}: UP with {@code enabled=false} in single-node mode. In cluster
 * mode the data show the ingest producer ({@code producer}: ready, metadata unknown or refused; its
 * counts) and the partition owner loop (running, the partitions it owns, fenced writes, retries,
 * malformed records, the class of its last error: anonymous callers read this, so never the error's
 * text, which can quote a row or a host; the text is in the server log). DOWN when the loop thread died
 * (this node stores nothing any more) or the producer cannot hand records to Kafka
 * ({@link ClusterNode.Status#problems()}), with the reason.
 */
@Readiness
@ApplicationScoped
public class ClusterHealth implements HealthCheck {
    @Inject
    RunningPipeline module;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-cluster");
        ClusterNode node = module.clusterOrNull();
        if (node == null) return b.up().withData("enabled", false).build();
        ClusterNode.Status s = node.status();
        PartitionOwnerLoop.Stats l = s.loop();
        b.withData("enabled", true).withData("node", s.node())
                .withData("producer", s.producerState())
                .withData("producerAcknowledged", s.producer().acknowledged())
                .withData("producerRefused", s.producer().refused())
                .withData("producerFailed", s.producer().failed())
                .withData("ownerLoopRunning", l.running())
                .withData("assignedPartitions", node.ownedPartitions().toString())
                .withData("entriesStored", l.entriesWritten())
                .withData("fencedWrites", l.fenced())
                .withData("databaseRetries", l.retries())
                .withData("malformedRecords", l.malformedSkipped())
                .withData("rejectedEntries", l.rejected())
                .withData("outputFailed", s.output().failed());
        if (l.lastError() != null) b.withData("lastError", errorClass(l.lastError()) + " (the message: " + PipelineHealth.DETAILS + ")");
        var problems = s.problems();
        if (problems.isEmpty()) return b.up().build();
        return b.down().withData("reason", String.join("; ", problems)).build();
    }

    /** @return the class part of an exception's {@code toString()} ("pkg.Type: message" gives "pkg.Type") */
    static String errorClass(String error) {
        int colon = error.indexOf(':');
        String head = colon < 0 ? error : error.substring(0, colon);
        return head.contains(" ") ? "an error" : head;
    }
}
