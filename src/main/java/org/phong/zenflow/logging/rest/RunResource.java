package org.phong.zenflow.logging.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.phong.zenflow.logging.config.BoundSettings;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.router.RouteResult;
import static org.phong.zenflow.logging.codec.JsonSupport.JSON;
import static org.phong.zenflow.logging.codec.JsonSupport.addNullable;
import static org.phong.zenflow.logging.rest.QueryParams.longParam;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonObject;
import jakarta.annotation.security.RolesAllowed;
import org.phong.zenflow.logging.security.Roles;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogFilter;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.cdi.LoggingModule;
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.sink.postgres.PostgresLogReader;
import org.phong.zenflow.logging.sink.postgres.RunHistory;
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
 *   <li>{@code GET /api/v1/runs/{runId}/logs?afterSeq=&limit=&minLevel=&nodeKey=&q=&from=&to=}: entries stored in
 *       PostgreSQL, ordered by seq; pass {@code nextAfterSeq} back as {@code afterSeq} for the next page; with
 *       {@code waitMs} the long-poll; with {@code format=ndjson|text} (or that Accept) the whole run, streamed</li>
 * </ul>
 */
@Path("/runs/{runId}")
@ApplicationScoped
@Tag(name = ApiDocs.TAG_RUNS, description = "Run lifecycle and a run's stored history")
public class RunResource {
    @Inject
    LoggingModule module;

    @Inject
    LoggingSettings settings;

    @Inject
    StreamSettings streamSettings;

    @Inject
    BoundSettings bounds;

    @Inject
    org.phong.zenflow.logging.security.RequestBounds requestBounds;

    /**
     * @param runId the run
     * @param body  {@code {"workflowId": "uuid"}}
     * @return 202
     */
    @POST
    @Path("/start")
    @RolesAllowed(Roles.WRITER)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "startRun", summary = "Start a run",
            description = "The same as firing `WorkflowRunStarted`: opens the run's buffer and starts its seq at 1. "
                    + "Travels in order with the run's entries. Optional: entries of a run never started are accepted too "
                    + "(their seq continues from the highest one stored).")
    @RequestBody(required = true, description = "the workflow the run belongs to",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "RunStart"),
                    examples = @ExampleObject(name = "start", value = ApiDocs.RUN_START)))
    @APIResponse(responseCode = "202", description = "Queued in order with the run's entries",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "RunStarted"),
                    examples = @ExampleObject(name = "started", value = ApiDocs.RUN_STARTED)))
    @APIResponse(responseCode = "400", description = "runId is no UUID, or the body is no JSON object with a UUID workflowId",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = {@ExampleObject(name = "badRunId", value = ApiDocs.BAD_RUN_ID), @ExampleObject(name = "noWorkflowId", value = ApiDocs.BAD_WORKFLOW_ID), @ExampleObject(name = "notAnObject", value = ApiDocs.BAD_BODY)}))
    public Response start(@Parameter(name = "runId", in = ParameterIn.PATH, required = true, description = ApiDocs.RUN_ID_DESCRIPTION,
                    example = ApiDocs.RUN_ID) @PathParam("runId") String runId, java.io.InputStream body) {
        UUID run = LogEntryJson.parseUuid("runId", runId);
        JsonObject event = eventObject(body);
        if (event == null) return tooLarge();
        UUID workflow = LogEntryJson.uuid(event, "workflowId");
        LogRouter router = module.router();
        // A start opens per-run state like a first entry does: same admission, same cap on active runs.
        Response refused = RunAdmission.refuseNewRuns(router, bounds, List.of(run), 1, retryAfter());
        if (refused != null) return refused;
        if (router.offerRunStarted(new WorkflowRunStarted(workflow, run)).result() != RouteResult.ACCEPTED) {
            // only in cluster mode: the ingest producer did not take it (buffer full, brokers unknown)
            return ingestRefused("start");
        }
        return accepted(run, "workflowId", workflow.toString());
    }

    /**
     * @param runId the run
     * @param body  {@code {"outcome": "SUCCEEDED|FAILED|CANCELLED|TIMED_OUT"}}
     * @return 202
     */
    @POST
    @Path("/end")
    @RolesAllowed(Roles.WRITER)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "endRun", summary = "End a run",
            description = "The same as firing `WorkflowRunCompleted`: every entry posted for the run before this call is "
                    + "flushed to the sinks, then the run's buffer is released.")
    @RequestBody(required = true, description = "how the run ended",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "RunEnd"),
                    examples = @ExampleObject(name = "succeeded", value = ApiDocs.RUN_END)))
    @APIResponse(responseCode = "202", description = "Queued in order with the run's entries",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "RunEnded"),
                    examples = @ExampleObject(name = "ended", value = ApiDocs.RUN_ENDED)))
    @APIResponse(responseCode = "400", description = "runId is no UUID, or outcome is missing or not one of SUCCEEDED, FAILED, CANCELLED, TIMED_OUT",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = {@ExampleObject(name = "badOutcome", value = ApiDocs.BAD_OUTCOME), @ExampleObject(name = "badRunId", value = ApiDocs.BAD_RUN_ID), @ExampleObject(name = "notAnObject", value = ApiDocs.BAD_BODY)}))
    public Response end(@Parameter(name = "runId", in = ParameterIn.PATH, required = true, description = ApiDocs.RUN_ID_DESCRIPTION,
                    example = ApiDocs.RUN_ID) @PathParam("runId") String runId, java.io.InputStream body) {
        UUID run = LogEntryJson.parseUuid("runId", runId);
        JsonObject event = eventObject(body);
        if (event == null) return tooLarge();
        RunOutcome outcome = RunOutcome.parse("outcome", LogEntryJson.text(event, "outcome"));
        LogRouter router = module.router();
        java.util.concurrent.CompletableFuture<Long> ended = router.runCompleted(new WorkflowRunCompleted(run, outcome));
        if (router.forwards() && ended.isCompletedExceptionally()) {
            // cluster mode: a refusal fails the future at once (nothing was produced)
            return ingestRefused("end");
        }
        return accepted(run, "outcome", outcome.name());
    }

    /**
     * One URL, three answers, told apart by {@code format} or else {@code Accept} (see
     * {@link LogDownload#negotiate}): JSON (default) is one page from PostgreSQL, or with
     * {@code waitMs} the long-poll of the live tail; NDJSON and text are the whole run after
     * {@code afterSeq}, streamed. Every answer takes the same filters.
     *
     * @return 200 {@code {"runId", "entries": [...], "nextAfterSeq"}} (JSON), or the streamed download
     */
    @GET
    @Path("/logs")
    @RolesAllowed(Roles.READER)
    @Produces({MediaType.APPLICATION_JSON, LogDownload.NDJSON, MediaType.TEXT_PLAIN})
    @Operation(operationId = "runHistory", summary = "Read, search or download a run's entries",
            description = "Entries of the run ordered by seq, after `afterSeq`, that pass the filters (`minLevel`, `nodeKey`, "
                    + "`q`: case-insensitive text in the message or error code, `from`/`to`: time range). The answer is picked "
                    + "by `format`, else by `Accept`: JSON (default, also for `*/*`) is one page from PostgreSQL; page on by "
                    + "passing `nextAfterSeq` back as `afterSeq`; an empty page means nothing more is stored yet. With `waitMs` "
                    + "the JSON answer is a long-poll of the live tail instead (ring + PostgreSQL, waiting until an entry after "
                    + "`afterSeq` passes the filters or `waitMs` elapses). `format=ndjson` (`Accept: application/x-ndjson`) and "
                    + "`format=text` (`Accept: text/plain`) stream every stored entry of the run after `afterSeq` as a download, "
                    + "in constant memory; `limit` and `waitMs` do not apply to them.")
    @APIResponse(responseCode = "200", description = "One page of entries, or the streamed download",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "HistoryPage"),
                    examples = @ExampleObject(name = "page", value = ApiDocs.HISTORY)),
                    @Content(mediaType = LogDownload.NDJSON, examples = @ExampleObject(name = "ndjson", value = ApiDocs.DOWNLOAD_NDJSON)),
                    @Content(mediaType = MediaType.TEXT_PLAIN, examples = @ExampleObject(name = "text", value = ApiDocs.DOWNLOAD_TEXT))})
    @APIResponse(responseCode = "400", description = "A parameter is out of range or malformed; `field` names it",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = {@ExampleObject(name = "badLimit", value = ApiDocs.BAD_LIMIT), @ExampleObject(name = "badRunId", value = ApiDocs.BAD_RUN_ID)}))
    @APIResponse(responseCode = "500", description = "PostgreSQL could not be read; retry later",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "databaseDown", value = ApiDocs.DATABASE_DOWN)))
    public CompletionStage<Response> history(@Parameter(name = "runId", in = ParameterIn.PATH, required = true, description = ApiDocs.RUN_ID_DESCRIPTION,
                    example = ApiDocs.RUN_ID) @PathParam("runId") String runId,
                            @Parameter(description = "return entries with seq above this (default 0)",
                                    schema = @Schema(type = SchemaType.INTEGER, minimum = "0", defaultValue = "0"), example = "100")
                            @QueryParam("afterSeq") String afterSeq,
                            @Parameter(description = "JSON page only: instead of afterSeq, the last `limit` entries with seq below this "
                                    + "(ascending; `nextBeforeSeq` continues backwards), for scrolling up and 'previous error'",
                                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1"), example = "5000")
                            @QueryParam("beforeSeq") String beforeSeq,
                            @Parameter(description = "JSON only: most entries in the page, 1 .. `zenflow.logging.http.max-page-size` (default 100)",
                                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", defaultValue = "100"), example = "500")
                            @QueryParam("limit") String limit,
                            @Parameter(description = "only entries of this level or more severe (case-insensitive)",
                                    schema = @Schema(type = SchemaType.STRING, enumeration = {"DEBUG", "INFO", "WARN", "ERROR"}),
                                    example = "WARN")
                            @QueryParam("minLevel") String minLevel,
                            @Parameter(description = "only entries of this node", example = "fetch-orders")
                            @QueryParam("nodeKey") String nodeKey,
                            @Parameter(description = "only entries whose message or error code contains this text, ignoring case (at most 200 characters)",
                                    example = "connection reset")
                            @QueryParam("q") String q,
                            @Parameter(description = "only entries at or after this instant (ISO-8601)", example = "2026-11-28T18:00:00Z")
                            @QueryParam("from") String from,
                            @Parameter(description = "only entries before this instant (ISO-8601)", example = "2026-11-28T19:00:00Z")
                            @QueryParam("to") String to,
                            @Parameter(description = "JSON only, long-poll: wait up to this many ms for entries after `afterSeq` (0 or absent: answer at once)",
                                    schema = @Schema(type = SchemaType.INTEGER, minimum = "0"), example = "25000")
                            @QueryParam("waitMs") String waitMs,
                            @Parameter(description = "`json` (default), `ndjson` or `text`; overrides `Accept`",
                                    schema = @Schema(type = SchemaType.STRING, enumeration = {"json", "ndjson", "text"}), example = "ndjson")
                            @QueryParam("format") String format,
                            @Context HttpHeaders headers) throws SQLException {
        UUID run = LogEntryJson.parseUuid("runId", runId);
        long after = longParam("afterSeq", afterSeq, 0, 0, Long.MAX_VALUE);
        LogFilter filter = LogFilter.parse(minLevel, nodeKey, q, from, to);
        LogDownload.Format answer = LogDownload.negotiate(format, headers.getAcceptableMediaTypes());
        boolean poll = waitMs != null && !waitMs.isBlank();
        boolean backwards = beforeSeq != null && !beforeSeq.isBlank();
        if (backwards && (poll || answer != LogDownload.Format.JSON || (afterSeq != null && !afterSeq.isBlank()))) {
            throw new InvalidLogEntryException("beforeSeq", "pages a JSON answer backwards; it cannot be combined with afterSeq, waitMs or a download");
        }
        if (answer != LogDownload.Format.JSON) {
            // The download is the whole run: a page size or a wait has no meaning for it.
            if (poll) throw new InvalidLogEntryException("waitMs", "applies to the JSON answer only, not to format " + answer.name().toLowerCase(java.util.Locale.ROOT));
            if (limit != null && !limit.isBlank()) throw new InvalidLogEntryException("limit", "applies to the JSON answer only; a download is the whole run");
            return CompletableFuture.completedFuture(LogDownload.stream(module.reader(), run, after, filter,
                    streamSettings.historyPageSize(), answer));
        }
        int pageSize = QueryParams.pageSize(limit, settings.httpMaxPageSize());
        if (poll) {
            // Long-poll (live tail without WebSocket): ring + database, waits for new entries; see LongPollSupport.
            long wait = longParam("waitMs", waitMs, 0, 0, streamSettings.longPollMaxWaitMs());
            // A waiting poll holds a subscription and a timer: at most max-long-polls at once.
            org.phong.zenflow.logging.security.ConcurrencyLimit polls = requestBounds.longPolls();
            if (wait > 0 && polls.tryAcquire(null) != null) {
                return CompletableFuture.completedFuture(RunAdmission.tooMany("too many long-polls waiting (" + polls.max() + ", "
                        + BoundSettings.MAX_LONG_POLLS + "); retry after " + retryAfter() + " s or use the WebSocket", retryAfter(), "waitMs"));
            }
            CompletionStage<Response> polled;
            try {
                polled = LongPollSupport.answer(module.stream(), run, after, pageSize, filter, wait);
            } catch (RuntimeException e) {
                if (wait > 0) polls.release(null);
                throw e;
            }
            if (wait > 0) polled.whenComplete((r, ex) -> polls.release(null));
            return polled;
        }
        long before = backwards ? longParam("beforeSeq", beforeSeq, 1, 1, Long.MAX_VALUE) : 0;
        // Through RunHistory: entries the database refused appear in their place, so paging meets no unexplained gap.
        List<RunHistory.Item> items = backwards ? RunHistory.pageBefore(module.reader(), run, before, pageSize, filter)
                : RunHistory.page(module.reader(), run, after, pageSize, filter);
        JsonArrayBuilder arr = JSON.createArrayBuilder();
        long next = backwards ? before - 1 : after;
        for (RunHistory.Item it : items) {
            arr.add(it.entry() != null ? LogEntryJson.toJson(it.entry()) : rejectedJson(it.rejected()));
            next = it.seq();
        }
        var page = JSON.createObjectBuilder().add("runId", run.toString()).add("entries", arr).add("nextAfterSeq", next);
        if (backwards) page.add("nextBeforeSeq", items.isEmpty() ? before : items.get(0).seq());
        return CompletableFuture.completedFuture(Response.ok(page.build().toString(), MediaType.APPLICATION_JSON).build());
    }

    /**
     * @return 200 {@code {"runId","nodes":[{"nodeKey","entries","warnings","errors","firstSeq","lastSeq"}]}}
     */
    @GET
    @Path("/nodes")
    @RolesAllowed(Roles.READER)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "runNodes", summary = "A run's nodes with their entry, warning and error counts",
            description = "One row per node (step) with stored entries, in the order of each node's first entry; counts cover "
                    + "what PostgreSQL holds (entries still in flight to it follow within the sink's batching delay).")
    @APIResponse(responseCode = "200", description = "The nodes",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "NodeSummaries"),
                    examples = @ExampleObject(name = "nodes", value = ApiDocs.RUN_NODES)))
    @APIResponse(responseCode = "400", description = "runId is not a UUID",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "badRunId", value = ApiDocs.BAD_RUN_ID)))
    @APIResponse(responseCode = "500", description = "PostgreSQL could not be read; retry later",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "databaseDown", value = ApiDocs.DATABASE_DOWN)))
    public Response nodes(@Parameter(name = "runId", in = ParameterIn.PATH, required = true, description = ApiDocs.RUN_ID_DESCRIPTION,
            example = ApiDocs.RUN_ID) @PathParam("runId") String runId) throws SQLException {
        UUID run = LogEntryJson.parseUuid("runId", runId);
        JsonArrayBuilder arr = JSON.createArrayBuilder();
        for (var n : module.reader().nodes(run)) {
            arr.add(JSON.createObjectBuilder().add("nodeKey", n.nodeKey()).add("entries", n.entries()).add("warnings", n.warnings())
                    .add("errors", n.errors()).add("firstSeq", n.firstSeq()).add("lastSeq", n.lastSeq()));
        }
        return Response.ok(JSON.createObjectBuilder().add("runId", run.toString()).add("nodes", arr).build().toString(),
                MediaType.APPLICATION_JSON).build();
    }

    /**
     * An entry the database refused, in its place: {@code {"seq","rejected":true,"nodeKey","ts","sqlstate","reason"}}
     * (its content stays in {@code logs_rejected}).
     */
    private static JsonObject rejectedJson(PostgresLogReader.Rejected r) {
        JsonObjectBuilder o = JSON.createObjectBuilder().add("seq", r.seq()).add("rejected", true)
                .add("nodeKey", r.nodeKey()).add("ts", r.ts().toString());
        return addNullable(o, "sqlstate", r.sqlState()).add("reason", r.error()).build();
    }

    /** @return the body, a JSON object in UTF-8 (400 otherwise), or null when it is larger than max-event-body-bytes */
    private JsonObject eventObject(java.io.InputStream in) {
        String text;
        try {
            byte[] bytes = BodyReader.read(in, bounds.maxEventBodyBytes());
            text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (BodyReader.TooLarge e) {
            return null;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidLogEntryException("body", "is not valid UTF-8");
        } catch (java.io.IOException e) {
            throw new InvalidLogEntryException("body", "could not be read");
        }
        return LogEntryJson.bodyObject(text);
    }

    /** @return 202 {@code {"runId", name: value}}: the run event is queued in order with the run's entries */
    private static Response accepted(UUID run, String name, String value) {
        return Response.accepted(JSON.createObjectBuilder().add("runId", run.toString())
                .add(name, value).build().toString()).build();
    }

    /** @return 429 for a run event (start, end) the ingest producer did not take (cluster mode only) */
    private Response ingestRefused(String event) {
        return RunAdmission.tooMany("the ingest topic did not take the " + event + " (Kafka producer buffer full or brokers unreachable); retry after "
                + retryAfter() + " s", retryAfter(), null);
    }

    private Response tooLarge() {
        return ApiErrors.of(Response.Status.REQUEST_ENTITY_TOO_LARGE, "body is larger than " + bounds.maxEventBodyBytes()
                + " bytes (" + BoundSettings.MAX_EVENT_BODY_BYTES + ")", null, "body");
    }

    private int retryAfter() {
        return settings.httpRetryAfterSeconds();
    }
}
