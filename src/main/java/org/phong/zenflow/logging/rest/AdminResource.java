package org.phong.zenflow.logging.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

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
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.cdi.LoggingModule;
import org.phong.zenflow.logging.cdi.SchemaState;
import org.phong.zenflow.logging.collector.SinkStatus;
import org.phong.zenflow.logging.router.AdmissionControl;

/**
 * {@code GET /api/v1/admin/status}: one JSON snapshot of the pipeline for operators and tests:
 * admission (in flight, capacity, drops by reason and level, rejections), router queue, active runs,
 * buffered entries, each sink's backlog and failures, schema state, JVM thread count.
 */
@Path("/admin/status")
@ApplicationScoped
@RolesAllowed(Roles.ADMIN)
public class AdminResource {
    @Inject
    LoggingModule module;

    @Inject
    SchemaState schema;

    @Inject
    DefaultCredentialGuard credentialGuard;

    /** @return the snapshot */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String status() {
        LoggingPipeline p = module.running();
        AdmissionControl a = p.admission();
        WorkflowBufferManager.MemoryEstimate memory = p.buffers().estimateMemory();
        JsonObjectBuilder dropped = JSON.createObjectBuilder();
        for (AdmissionControl.DropReason r : AdmissionControl.DropReason.values()) {
            JsonObjectBuilder byLevel = JSON.createObjectBuilder();
            for (LogLevel l : LogLevel.values()) byLevel.add(l.name(), a.dropped(r, l));
            dropped.add(r.name(), byLevel);
        }
        JsonArrayBuilder sinks = JSON.createArrayBuilder();
        for (SinkStatus s : p.collector().status()) {
            JsonObjectBuilder o = JSON.createObjectBuilder().add("name", s.name()).add("durable", s.durable())
                    .add("healthy", s.healthy()).add("backlog", s.backlog()).add("written", s.written())
                    .add("failures", s.failures()).add("dropped", s.dropped())
                    .add("consecutiveFailures", s.consecutiveFailures());
            if (s.lastError() == null) o.addNull("lastError");
            else o.add("lastError", s.lastError());
            sinks.add(o);
        }
        return JSON.createObjectBuilder()
                .add("schemaReady", schema.isReady())
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
                .add("bufferedBytesEstimate", memory.totalBytes())
                .add("largestRunBytesEstimate", memory.largestRunBytes())
                .add("sinks", sinks)
                .add("jvmThreads", ManagementFactory.getThreadMXBean().getThreadCount())
                .add("security", JSON.createObjectBuilder().add("profile", credentialGuard.profile().name())
                        .add("defaultCredentialsAccepted", JSON.createArrayBuilder(credentialGuard.acceptedDefaults())))
                .build().toString();
    }
}
