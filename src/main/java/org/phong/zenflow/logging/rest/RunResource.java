package org.phong.zenflow.logging.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.StringReader;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.cdi.LoggingModule;
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.config.StreamSettings;
import org.phong.zenflow.logging.stream.web.LongPollSupport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Run lifecycle over HTTP (the same as the CDI events) and a run's stored history.
 *
 * <ul>
 *   <li>{@code POST /api/v1/runs/{runId}/start} {@code {"workflowId"}}</li>
 *   <li>{@code POST /api/v1/runs/{runId}/end} {@code {"outcome"}}</li>
 *   <li>{@code GET /api/v1/runs/{runId}/logs?afterSeq=&limit=&minLevel=&nodeKey=}: entries stored in
 *       PostgreSQL, ordered by seq; pass {@code nextAfterSeq} back as {@code afterSeq} for the next page</li>
 * </ul>
 */
@Path("/runs/{runId}")
@ApplicationScoped
public class RunResource {
    private static final int DEFAULT_PAGE = 100;

    @Inject
    LoggingModule module;

    @Inject
    LoggingSettings settings;

    @Inject
    StreamSettings streamSettings;

    /**
     * @param runId the run
     * @param body  {@code {"workflowId": "uuid"}}
     * @return 202
     */
    @POST
    @Path("/start")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response start(@PathParam("runId") String runId, String body) {
        UUID run = LogEntryJson.parseUuid("runId", runId);
        UUID workflow = LogEntryJson.uuid(object(body), "workflowId");
        module.running().router().runStarted(new WorkflowRunStarted(workflow, run));
        return Response.accepted(JSON.createObjectBuilder().add("runId", run.toString())
                .add("workflowId", workflow.toString()).build().toString()).build();
    }

    /**
     * @param runId the run
     * @param body  {@code {"outcome": "SUCCEEDED|FAILED|CANCELLED|TIMED_OUT"}}
     * @return 202
     */
    @POST
    @Path("/end")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response end(@PathParam("runId") String runId, String body) {
        UUID run = LogEntryJson.parseUuid("runId", runId);
        RunOutcome outcome = RunOutcome.parse("outcome", LogEntryJson.text(object(body), "outcome"));
        module.running().router().runCompleted(new WorkflowRunCompleted(run, outcome));
        return Response.accepted(JSON.createObjectBuilder().add("runId", run.toString())
                .add("outcome", outcome.name()).build().toString()).build();
    }

    /**
     * With {@code waitMs} it long-polls the live tail instead (ring + database, waiting up to waitMs
     * for entries after afterSeq; the answer also has {@code "ended"}).
     *
     * @return 200 {@code {"runId", "entries": [...], "nextAfterSeq"}}; an unknown run has no entries
     */
    @GET
    @Path("/logs")
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> history(@PathParam("runId") String runId,
                            @QueryParam("afterSeq") String afterSeq,
                            @QueryParam("limit") String limit,
                            @QueryParam("minLevel") String minLevel,
                            @QueryParam("nodeKey") String nodeKey,
                            @QueryParam("waitMs") String waitMs) throws SQLException {
        UUID run = LogEntryJson.parseUuid("runId", runId);
        long after = longParam("afterSeq", afterSeq, 0, 0, Long.MAX_VALUE);
        int max = settings.httpMaxPageSize();
        int pageSize = (int) longParam("limit", limit, Math.min(DEFAULT_PAGE, max), 1, max);
        LogLevel level = minLevel == null || minLevel.isBlank() ? null : LogLevel.parse("minLevel", minLevel);
        String node = nodeKey == null || nodeKey.isBlank() ? null : nodeKey;
        if (waitMs != null && !waitMs.isBlank()) {
            // Long-poll (live tail without WebSocket): ring + database, waits for new entries; see LongPollSupport.
            long wait = longParam("waitMs", waitMs, 0, 0, streamSettings.longPollMaxWaitMs());
            if (node != null) throw new InvalidLogEntryException("nodeKey", "cannot be combined with waitMs");
            return LongPollSupport.answer(module.stream(), run, after, pageSize, level, wait);
        }
        List<LogEntry> entries = module.reader().readAfter(run, after, pageSize, level, node);
        JsonArrayBuilder arr = JSON.createArrayBuilder();
        long next = after;
        for (LogEntry e : entries) {
            arr.add(LogEntryJson.toJson(e));
            next = e.seq();
        }
        return CompletableFuture.completedFuture(Response.ok(JSON.createObjectBuilder().add("runId", run.toString())
                .add("entries", arr).add("nextAfterSeq", next).build().toString()).build());
    }

    private static long longParam(String name, String raw, long dflt, long min, long max) {
        if (raw == null || raw.isBlank()) return dflt;
        try {
            long v = Long.parseLong(raw.trim());
            if (v >= min && v <= max) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidLogEntryException(name, "must be a whole number from " + min + " to " + max + ", not '" + raw + "'");
    }

    private static JsonObject object(String body) {
        if (body == null || body.isBlank()) throw new InvalidLogEntryException("body", "must be a JSON object");
        try (JsonReader r = JSON.createReader(new StringReader(body))) {
            return r.readObject();
        } catch (JsonException | IllegalStateException | ClassCastException e) {
            throw new InvalidLogEntryException("body", "must be a JSON object");
        }
    }
}
