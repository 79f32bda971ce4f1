package org.phong.zenflow.logging.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
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
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.config.LoggingSettings;
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
public class LogIngestResource {
    /** Media type of newline-delimited JSON: one entry object per line. */
    public static final String NDJSON = "application/x-ndjson";

    @Inject
    LoggingModule module;

    @Inject
    LoggingSettings settings;

    @Inject
    JournalSettings journalSettings;

    /**
     * @param contentType JSON array or NDJSON
     * @param body        the entries
     * @return 202 {"accepted","dropped","rejected"}, or 400 / 413 / 429
     */
    @POST
    @Consumes({MediaType.APPLICATION_JSON, NDJSON})
    @Produces(MediaType.APPLICATION_JSON)
    public Response ingest(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @QueryParam("wait") String wait,
                           InputStream body) {
        if (wait != null && !wait.equals("durable") && !wait.equals("persisted")) {
            return ApiErrors.badRequest("wait must be durable or persisted, not '" + wait + "'", null, "wait");
        }
        String text;
        try {
            text = utf8(BodyReader.read(body, settings.httpMaxBodyBytes()));
        } catch (BodyReader.TooLarge e) {
            return ApiErrors.of(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "body is larger than " + settings.httpMaxBodyBytes() + " bytes (" + LoggingSettings.HTTP_MAX_BODY_BYTES + ")", null, null);
        } catch (CharacterCodingException e) {
            return ApiErrors.badRequest("body is not valid UTF-8", null, null);
        } catch (IOException e) {
            return ApiErrors.badRequest("body could not be read: " + e.getMessage(), null, null);
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
                entries.add(LogEntryJson.fromJson(objects.get(i)));
            } catch (InvalidLogEntryException e) {
                return ApiErrors.badRequest("entry " + i + ": " + e.getMessage(), i, e.field());
            }
        }
        LogRouter router = module.running().router();
        if (!router.hasRoomFor(entries.size())) {
            Response r = ApiErrors.of(Response.Status.TOO_MANY_REQUESTS,
                    "the log pipeline is under backpressure; retry after " + settings.httpRetryAfterSeconds() + " s", null, null);
            return Response.fromResponse(r).header(HttpHeaders.RETRY_AFTER, settings.httpRetryAfterSeconds()).build();
        }
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
            return "not confirmed within " + journalSettings.waitTimeoutMs() + " ms (" + JournalSettings.WAIT_TIMEOUT_MS + ")";
        } catch (ExecutionException e) {
            return String.valueOf(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
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
        } catch (JsonException | IllegalStateException e) { // JsonParsingException is a JsonException
            return ApiErrors.badRequest("body is not valid JSON: " + e.getMessage(), null, null);
        }
        if (root.getValueType() == JsonValue.ValueType.OBJECT) {
            out.add(root.asJsonObject());
            return null;
        }
        if (root.getValueType() != JsonValue.ValueType.ARRAY) {
            return ApiErrors.badRequest("body must be a JSON array of entry objects", null, null);
        }
        JsonArray array = root.asJsonArray();
        for (int i = 0; i < array.size(); i++) {
            JsonValue v = array.get(i);
            if (v.getValueType() != JsonValue.ValueType.OBJECT) {
                return ApiErrors.badRequest("entry " + i + " must be a JSON object", i, null);
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
            } catch (JsonException | IllegalStateException | ClassCastException e) {
                return ApiErrors.badRequest("entry " + index + " is not a JSON object: " + e.getMessage(), index, null);
            }
            index++;
        }
        return null;
    }
}
