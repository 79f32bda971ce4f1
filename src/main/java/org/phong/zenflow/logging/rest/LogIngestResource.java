package org.phong.zenflow.logging.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.phong.zenflow.logging.config.BoundSettings;
import org.phong.zenflow.logging.security.ConcurrencyLimit;
import org.phong.zenflow.logging.security.RequestBounds;
import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.annotation.security.RolesAllowed;
import org.phong.zenflow.logging.security.Roles;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.phong.zenflow.logging.Durability;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.cdi.LoggingModule;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.config.SecuritySettings;
import org.phong.zenflow.logging.security.InputLimits;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.router.RouteResult;

/**
 * {@code POST /api/v1/logs}: ingestion for engines in other processes. All or nothing: the whole
 * body is parsed and validated before the first entry is routed, so a bad entry anywhere means
 * nothing of the request is accepted (400 naming the entry's index and field). Under backpressure
 * the request is refused whole with 429 and {@code Retry-After}.
 */
@Path("/logs")
@ApplicationScoped
@Tag(name = ApiDocs.TAG_INGEST, description = "Log entries from engines in other processes")
@RolesAllowed(Roles.WRITER)
public class LogIngestResource {
    /** Media type of newline-delimited JSON: one entry object per line. */
    public static final String NDJSON = "application/x-ndjson";

    @Inject
    BoundSettings bounds;

    @Inject
    RequestBounds requestBounds;

    @Inject
    LoggingModule module;

    @Inject
    LoggingSettings settings;

    @Inject
    SecuritySettings securitySettings;

    @Inject
    JournalSettings journalSettings;

    private volatile InputLimits limits;

    /**
     * @param contentType JSON array or NDJSON
     * @param body        the entries
     * @return 202 {"accepted","dropped","rejected"}, or 400 / 413 / 429
     */
    @POST
    @Consumes({MediaType.APPLICATION_JSON, NDJSON})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "ingestLogs", summary = "Ingest log entries",
            description = "All or nothing: the whole body is parsed and validated before the first entry is routed. "
                    + "Each run's entries are numbered (seq) in the order they arrive. Under backpressure DEBUG/INFO "
                    + "may be dropped (counted in `dropped`) and WARN/ERROR past the reserve rejected (`rejected`: retry them); "
                    + "when the request as a whole does not fit below the threshold it is refused with 429.")
    @RequestBody(required = true,
            description = "A JSON array of entries (or a single entry object), or NDJSON: one entry object per line.",
            content = {
                @Content(mediaType = MediaType.APPLICATION_JSON,
                        schema = @Schema(ref = "LogEntriesIn"),
                        examples = @ExampleObject(name = "array", summary = "a JSON array of entries", value = ApiDocs.ENTRIES_IN)),
                // The NDJSON example is in the schema (META-INF/openapi.yaml): an example value here is read as
                // JSON by the OpenAPI generator, which keeps only the first line's object.
                @Content(mediaType = NDJSON, schema = @Schema(ref = "LogEntriesNdjson"))
            })
    @APIResponse(responseCode = "202", description = "Routed: how many entries were accepted, dropped and rejected",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "IngestResult"),
                    examples = @ExampleObject(name = "routed", value = ApiDocs.INGESTED)))
    @APIResponse(responseCode = "400", description = "Not JSON/NDJSON, not UTF-8, or an entry breaks a rule: the error names "
            + "the entry's index and field; nothing of the request was accepted",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = {@ExampleObject(name = "badField", value = ApiDocs.BAD_ENTRY),
                        @ExampleObject(name = "notJson", value = ApiDocs.BAD_JSON)}))
    @APIResponse(responseCode = "413", description = "Body over `zenflow.logging.http.max-body-bytes` or more entries than "
            + "`zenflow.logging.http.max-entries-per-request`; nothing accepted",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "tooLarge", value = ApiDocs.TOO_LARGE)))
    @APIResponse(responseCode = "429", description = "The pipeline is under backpressure; nothing accepted, retry after the delay",
            headers = @Header(name = HttpHeaders.RETRY_AFTER, description = "seconds to wait (`zenflow.logging.http.retry-after-seconds`)",
                    schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "backpressure", value = ApiDocs.BACKPRESSURE)))
    public Response ingest(@Parameter(name = HttpHeaders.CONTENT_TYPE, in = ParameterIn.HEADER,
                                   description = "`application/json` or `application/x-ndjson`", example = MediaType.APPLICATION_JSON)
                           @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                           @Parameter(description = "`durable`: answer once every accepted entry is in the write-ahead journal "
                                   + "(or in PostgreSQL when the journal is off); `persisted`: once it is in PostgreSQL; "
                                   + "absent: answer at once", example = "durable")
                           @QueryParam("wait") String wait,
                           InputStream body) {
        if (wait != null && !wait.equals("durable") && !wait.equals("persisted")) {
            return ApiErrors.badRequest("wait must be durable or persisted, not '" + wait + "'", null, "wait");
        }
        if (module.clusterOrNull() != null && "persisted".equals(wait)) {
            return ApiErrors.badRequest("wait=persisted is not available in cluster mode: the entries are stored by the node that owns "
                    + "their run's ingest partition, and this node does not hear when; use wait=durable (acknowledged by Kafka, acks=all) "
                    + "and read GET /api/v1/runs/{runId}/logs for what is stored", null, "wait");
        }
        String text;
        try {
            text = utf8(BodyReader.read(body, settings.httpMaxBodyBytes()));
        } catch (BodyReader.TooLarge e) {
            return ApiErrors.of(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "body is larger than " + settings.httpMaxBodyBytes() + " bytes (" + LoggingSettings.HTTP_MAX_BODY_BYTES + ")", null, null);
        } catch (CharacterCodingException e) {
            return ApiErrors.badRequest("body is not valid UTF-8", null, "body");
        } catch (IOException e) {
            return ApiErrors.badRequest("body could not be read: " + e.getMessage(), null, "body");
        }
        boolean ndjson = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(NDJSON);
        List<JsonObject> objects = new ArrayList<>();
        Response bad = ndjson ? splitNdjson(text, objects) : splitArray(text, objects);
        if (bad != null) return bad;
        if (objects.size() > settings.httpMaxEntriesPerRequest()) {
            return ApiErrors.of(Response.Status.REQUEST_ENTITY_TOO_LARGE, "more than " + settings.httpMaxEntriesPerRequest()
                    + " entries in one request (" + LoggingSettings.HTTP_MAX_ENTRIES + ")", null, null);
        }
        List<LogEntry> entries = new ArrayList<>(objects.size());
        for (int i = 0; i < objects.size(); i++) {
            try {
                entries.add(limits().parse(objects.get(i)));
            } catch (InvalidLogEntryException e) {
                return ApiErrors.badRequest("entry " + i + ": " + e.getMessage(), i, e.field());
            }
        }
        LogRouter router = module.router();
        Set<UUID> requestRuns = new LinkedHashSet<>();
        for (LogEntry e : entries) requestRuns.add(e.runId());
        // all or nothing: backpressure, the cap on active runs, and room for a durability wait, before routing any entry
        Response refused = RunAdmission.refuseNewRuns(router, bounds, requestRuns, entries.size(), settings.httpRetryAfterSeconds());
        if (refused != null) return refused;
        ConcurrencyLimit waits = requestBounds.durabilityWaits();
        if (wait != null && waits.tryAcquire(null) != null) {
            return RunAdmission.tooMany("too many requests waiting for ?wait= (" + waits.max() + ", " + BoundSettings.MAX_DURABILITY_WAITS
                    + "); retry after " + settings.httpRetryAfterSeconds() + " s", settings.httpRetryAfterSeconds(), "wait");
        }
        try {
            return router.forwards() ? forward(router, entries, wait != null) : route(router, entries, wait);
        } finally {
            if (wait != null) waits.release(null);
        }
    }

    private Response route(LogRouter router, List<LogEntry> entries, String wait) {
        int accepted = 0;
        int dropped = 0;
        int rejected = 0;
        Set<UUID> runs = new LinkedHashSet<>();
        for (LogEntry e : entries) {
            RouteResult r = router.route(e);
            if (r == RouteResult.ACCEPTED) {
                accepted++;
                runs.add(e.runId());
            } else if (r == RouteResult.DROPPED) dropped++;
            else rejected++;
        }
        var answer = JSON.createObjectBuilder().add("accepted", accepted).add("dropped", dropped).add("rejected", rejected);
        if (wait != null) {
            String failure = awaitDurability(wait, runs);
            answer.add(wait, failure == null);
            if (failure != null) answer.add("durabilityError", failure);
        }
        return Response.accepted(answer.build().toString()).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    /**
     * Cluster mode: each entry is produced to the ingest topic in request order. The first refusal ends
     * the request: that entry and every one after it are {@code rejected}, never produced, so a client
     * that retries the rejected tail in order keeps each run's order (a later entry of a run never
     * overtakes an earlier refused one). Nothing accepted at all: 429 with Retry-After, as under
     * backpressure. {@code ?wait=durable}: waits for Kafka's acknowledgement ({@code acks=all}) of every
     * accepted entry, bounded by the journal's wait timeout; a failed or late acknowledgement answers
     * {@code "durable": false} with {@code durabilityError}, as a durability failure does in single-node mode.
     */
    private Response forward(LogRouter router, List<LogEntry> entries, boolean waitDurable) {
        int accepted = 0;
        int rejected = 0;
        List<CompletableFuture<?>> acks = new ArrayList<>();
        for (LogEntry e : entries) {
            if (rejected > 0) {
                rejected++;
                continue;
            }
            LogRouter.Routed r = router.routeTracked(e);
            if (r.result() == RouteResult.ACCEPTED) {
                accepted++;
                acks.add(r.acknowledged().toCompletableFuture());
            } else {
                rejected++;
            }
        }
        if (accepted == 0 && rejected > 0) {
            return RunAdmission.tooMany("the ingest topic did not take the entries (Kafka producer buffer full or brokers unreachable); "
                    + "nothing was accepted; retry after " + settings.httpRetryAfterSeconds() + " s", settings.httpRetryAfterSeconds(), null);
        }
        var answer = JSON.createObjectBuilder().add("accepted", accepted).add("dropped", 0).add("rejected", rejected);
        if (waitDurable) {
            String failure = awaitAcknowledged(acks);
            answer.add("durable", failure == null);
            if (failure != null) answer.add("durabilityError", failure);
        }
        return Response.accepted(answer.build().toString()).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** @return null when Kafka acknowledged every record within the wait timeout, else why not */
    private String awaitAcknowledged(List<CompletableFuture<?>> acks) {
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(journalSettings.waitTimeoutMs(), TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException e) {
            return "not acknowledged by Kafka within " + journalSettings.waitTimeoutMs() + " ms (" + JournalSettings.WAIT_TIMEOUT_MS + ")";
        } catch (ExecutionException e) {
            return "Kafka did not take an entry: " + e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * {@code ?wait=durable}: answers once every accepted entry is durable in the journal (or, without
     * one, in the durable sinks); {@code ?wait=persisted}: once in every durable sink.
     *
     * @return null when confirmed, else why not (the entries stay accepted either way)
     */
    private String awaitDurability(String wait, Set<UUID> runs) {
        Durability d = module.running().durability();
        List<CompletableFuture<Long>> all = new ArrayList<>(runs.size());
        for (UUID run : runs) all.add(wait.equals("durable") ? d.whenRunDurable(run) : d.whenRunPersisted(run));
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(journalSettings.waitTimeoutMs(), TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException e) {
            // give up the waits: their waiters are removed (Durability forgets a cancelled waiter)
            for (CompletableFuture<Long> f : all) f.cancel(false);
            return "not confirmed within " + journalSettings.waitTimeoutMs() + " ms (" + JournalSettings.WAIT_TIMEOUT_MS + ")";
        } catch (ExecutionException e) {
            return String.valueOf(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private InputLimits limits() {
        InputLimits l = limits;
        if (l == null) limits = l = new InputLimits(securitySettings);
        return l;
    }

    private static String utf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
    }

    private static Response splitArray(String text, List<JsonObject> out) {
        JsonValue root;
        try (JsonReader r = JSON.createReader(new StringReader(text))) {
            root = r.readValue();
        } catch (RuntimeException e) {
            // JsonParsingException is a JsonException; Parsson's nesting limit ("Input is too deeply
            // nested 1,000") is a plain RuntimeException: every parser failure is the client's 400.
            return ApiErrors.badRequest("body is not valid JSON: " + e.getMessage(), null, "body");
        }
        if (root.getValueType() == JsonValue.ValueType.OBJECT) {
            out.add(root.asJsonObject());
            return null;
        }
        if (root.getValueType() != JsonValue.ValueType.ARRAY) {
            return ApiErrors.badRequest("body must be a JSON array of entry objects", null, "body");
        }
        JsonArray array = root.asJsonArray();
        for (int i = 0; i < array.size(); i++) {
            JsonValue v = array.get(i);
            if (v.getValueType() != JsonValue.ValueType.OBJECT) {
                return ApiErrors.badRequest("entry " + i + " must be a JSON object", i, "entry");
            }
            out.add(v.asJsonObject());
        }
        return null;
    }

    private static Response splitNdjson(String text, List<JsonObject> out) {
        int index = 0;
        for (String line : text.split("\n", -1)) {
            if (line.isBlank()) continue;
            try (JsonReader r = JSON.createReader(new StringReader(line))) {
                out.add(r.readObject());
            } catch (RuntimeException e) { // as in splitArray: the nesting limit is a plain RuntimeException
                return ApiErrors.badRequest("entry " + index + " is not a JSON object: " + e.getMessage(), index, null);
            }
            index++;
        }
        return null;
    }
}
