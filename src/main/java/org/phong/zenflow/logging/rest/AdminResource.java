package org.phong.zenflow.logging.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import static org.phong.zenflow.logging.codec.JsonSupport.JSON;
import static org.phong.zenflow.logging.codec.JsonSupport.addNullable;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.annotation.security.RolesAllowed;
import org.phong.zenflow.logging.security.DefaultCredentialGuard;
import org.phong.zenflow.logging.security.Roles;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.lang.management.ManagementFactory;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.cdi.GuardedPostgresWriter;
import org.phong.zenflow.logging.cdi.LoggingModule;
import org.phong.zenflow.logging.cdi.SchemaState;
import org.phong.zenflow.logging.cluster.ClusterNode;
import org.phong.zenflow.logging.collector.SinkStatus;
import org.phong.zenflow.logging.router.AdmissionControl;
import org.phong.zenflow.logging.stats.PipelineObserver;
import org.phong.zenflow.logging.sink.postgres.RejectionStats;

/**
 * {@code GET /api/v1/admin/status}: one JSON snapshot of the pipeline for operators and tests:
 * admission (in flight, capacity, drops by reason and level, rejections), router queue, active runs,
 * buffered entries, each sink's backlog and failures, schema state, JVM thread count.
 */
@Path("/admin/status")
@ApplicationScoped
@Tag(name = ApiDocs.TAG_ADMIN, description = "Operators' views and tools")
@RolesAllowed(Roles.ADMIN)
public class AdminResource {
    @Inject
    LoggingModule module;

    @Inject
    SchemaState schema;

    @Inject
    DefaultCredentialGuard credentialGuard;

    @Inject
    GuardedPostgresWriter postgresWriter;

    /** @return the snapshot */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "pipelineStatus", summary = "Snapshot of the pipeline",
            description = "Admission (in flight, capacity, drops by reason and level, rejections), router queue, active runs, "
                    + "buffered entries and their estimated heap bytes, each sink's backlog and failures, schema state, JVM threads. "
                    + "In cluster mode (mode = cluster) the node's instead: readiness problems, owned ingest partitions, and the "
                    + "counters of its ingest producer, partition owner and output publisher.")
    @APIResponse(responseCode = "200", description = "The snapshot",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Status"),
                    examples = @ExampleObject(name = "status", value = ApiDocs.STATUS)))
    @APIResponse(responseCode = "403", description = "The user is not in the admin role",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "forbidden", value = ApiDocs.FORBIDDEN)))
    @APIResponse(responseCode = "500", description = "The pipeline is not running (a failed start, or the application is stopping)",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "notRunning", value = ApiDocs.NOT_RUNNING)))
    public String status() {
        ClusterNode node = module.clusterOrNull();
        if (node != null) return clusterStatus(node);
        LoggingPipeline p = module.running();
        AdmissionControl a = p.admission();
        WorkflowBufferManager.MemoryEstimate memory = p.buffers().estimateMemory();
        JsonObjectBuilder dropped = JSON.createObjectBuilder();
        for (PipelineObserver.DropReason r : PipelineObserver.DropReason.values()) {
            JsonObjectBuilder byLevel = JSON.createObjectBuilder();
            for (LogLevel l : LogLevel.values()) byLevel.add(l.name(), a.dropped(r, l));
            dropped.add(r.name(), byLevel);
        }
        JsonArrayBuilder sinks = JSON.createArrayBuilder();
        for (SinkStatus s : p.sinkStatus()) {
            JsonObjectBuilder o = JSON.createObjectBuilder().add("name", s.name()).add("durable", s.durable())
                    .add("healthy", s.healthy()).add("backlog", s.backlog()).add("written", s.written())
                    .add("failures", s.failures()).add("dropped", s.dropped())
                    .add("consecutiveFailures", s.consecutiveFailures());
            sinks.add(addNullable(o, "lastError", s.lastError()));
        }
        return JSON.createObjectBuilder()
                .add("mode", "single")
                .add("schemaReady", schema.isReady())
                // the details anonymous /health leaves out (exception text, paths): admins only
                .add("schemaError", schema.lastError() == null ? "" : String.valueOf(schema.lastError()))
                .add("journalProblem", p.journalStats().problem() == null ? "" : p.journalStats().problem())
                .add("strategy", a.strategy().name())
                .add("inFlight", a.inFlight())
                .add("capacity", a.capacity())
                .add("rejected", a.rejected())
                .add("droppedTotal", a.droppedTotal())
                .add("dropped", dropped)
                .add("routed", p.router().routedTotal())
                .add("queueDepth", p.router().queueDepth())
                .add("workersAlive", p.router().workersAlive())
                .add("activeRuns", p.buffers().activeRuns())
                .add("bufferedEntries", p.buffers().bufferedEntries())
                .add("releasedRuns", p.buffers().releasedRuns())
                .add("lateStartConflicts", p.buffers().lateStartConflicts())
                .add("bufferedBytesEstimate", memory.totalBytes())
                .add("largestRunBytesEstimate", memory.largestRunBytes())
                .add("sinks", sinks)
                .add("journalBacklog", backlog(p.outlook()))
                .add("journalRecovery", recovery(p.recoveryReport()))
                .add("rejections", rejections(postgresWriter.rejections()))
                .add("jvmThreads", ManagementFactory.getThreadMXBean().getThreadCount())
                .add("security", security())
                .build().toString();
    }

    /**
     * Cluster mode: this node has no local pipeline (no buffers, collector or journal: Kafka is the journal), so
     * the snapshot is the node's: its readiness verdict in operator words, the partitions it owns, and the
     * counters of its ingest producer, partition owner loop and output publisher, each object the component's
     * own stats record (so a counter added there appears here without a second list to keep).
     */
    private String clusterStatus(ClusterNode node) {
        ClusterNode.Status s = node.status();
        return JSON.createObjectBuilder()
                .add("mode", "cluster")
                .add("schemaReady", schema.isReady())
                .add("schemaError", schema.lastError() == null ? "" : String.valueOf(schema.lastError()))
                .add("cluster", JSON.createObjectBuilder()
                        .add("node", s.node())
                        .add("ready", s.problems().isEmpty())
                        .add("problems", JSON.createArrayBuilder(s.problems()))
                        .add("producerState", s.producerState())
                        .add("ownedPartitions", JSON.createArrayBuilder(new java.util.TreeSet<>(node.ownedPartitions())))
                        .add("producer", recordObject(s.producer()))
                        .add("owner", recordObject(s.loop()))
                        .add("output", recordObject(s.output())))
                .add("jvmThreads", ManagementFactory.getThreadMXBean().getThreadCount())
                .add("security", security())
                .build().toString();
    }

    private JsonObjectBuilder security() {
        return JSON.createObjectBuilder().add("profile", credentialGuard.profile().name())
                .add("defaultCredentialsAccepted", JSON.createArrayBuilder(credentialGuard.acceptedDefaults()));
    }

    /** A stats record as a JSON object: its numbers, flags and texts by component name (null text as null). */
    static JsonObjectBuilder recordObject(Record r) {
        JsonObjectBuilder o = JSON.createObjectBuilder();
        for (java.lang.reflect.RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("stats record " + r.getClass().getName() + "." + c.getName(), e);
            }
            if (v == null) o.addNull(c.getName());
            else if (v instanceof Boolean b) o.add(c.getName(), b);
            else if (v instanceof Long || v instanceof Integer) o.add(c.getName(), ((Number) v).longValue());
            else if (v instanceof Number n) o.add(c.getName(), n.doubleValue());
            else o.add(c.getName(), v.toString());
        }
        return o;
    }

    private static JsonObjectBuilder backlog(org.phong.zenflow.logging.BacklogOutlook o) {
        return JSON.createObjectBuilder().add("entries", o.entries()).add("bytes", o.bytes())
                .add("oldestAgeMs", o.oldestAgeMs()).add("drainEntriesPerSecond", Math.round(o.drainPerSec()))
                .add("fillPercent", Math.round(o.fill() * 100)).add("usedBytes", o.usedBytes())
                .add("budgetBytes", o.budgetBytes()).add("secondsUntilFull", o.secondsUntilFull())
                .add("overflowEntries", o.overflowEntries());
    }

    /** What startup recovery found: damaged ranges, the entries they took (run and seq range) and the copies kept aside. */
    private static JsonObjectBuilder recovery(org.phong.zenflow.logging.journal.RecoveryReport r) {
        return JSON.createObjectBuilder().add("segments", r.segments()).add("records", r.records())
                .add("damagedBytes", r.truncatedBytes())
                .add("damage", JSON.createArrayBuilder(r.cuts()))
                .add("lost", JSON.createArrayBuilder(r.lost()))
                .add("asideFiles", JSON.createArrayBuilder(r.asideFiles()));
    }

    /** The PostgreSQL sink's dead-letter path: counts, and for operators the database's last words. */
    private static JsonObjectBuilder rejections(RejectionStats r) {
        JsonObjectBuilder o = JSON.createObjectBuilder().add("rejected", r.rejected()).add("isolatedBatches", r.isolatedBatches());
        if (r.lastRejectedAt() == null) {
            o.addNull("lastRejectedAt").addNull("lastSqlState").addNull("lastError");
        } else {
            o.add("lastRejectedAt", r.lastRejectedAt().toString());
            addNullable(o, "lastSqlState", r.lastSqlState()).add("lastError", r.lastError());
        }
        return o;
    }
}
