package org.phong.zenflow.logging.stream.web;

import jakarta.annotation.security.RolesAllowed;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.phong.zenflow.logging.rest.ApiDocs;
import org.phong.zenflow.logging.rest.SimulatorSwitch;
import org.phong.zenflow.logging.security.Roles;

import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.phong.zenflow.logging.config.AdminSettings;
import org.phong.zenflow.logging.config.SecuritySettings;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.cdi.LoggingModule;
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.stream.Outbound;

/**
 * Test and benchmark aids for the live tail, off unless the simulator is enabled (404):
 * <ul>
 *   <li>{@code POST /api/v1/admin/stream/load {"runId","workflowId","entries","ratePerSecond"}}: routes
 *   entries into one run from the server itself, paced (0 = as fast as possible), each stamped with
 *   the wall clock at route time (so a client on the same machine measures route-to-client latency);
 *   answers after every entry has its seq, with the routing throughput.</li>
 *   <li>{@code GET /api/v1/admin/stream/status}: sessions and counters (always on).</li>
 *   <li>{@code POST /api/v1/admin/stream/runs/{runId}/disconnect}: closes every live tail of the run
 *   1001, as a server restart or proxy timeout would (clients are expected to resume).</li>
 * </ul>
 */
@Path("/admin/stream")
@ApplicationScoped
@RolesAllowed(Roles.ADMIN)
@Tag(name = ApiDocs.TAG_ADMIN)
public class StreamAdminResource {
    private static final String[] NODES = {"fetch", "transform", "validate", "store", "notify"};
    /** Level pattern of generated entries: mostly INFO, some DEBUG, a WARN and an ERROR every 20. */
    private static final String LEVELS = "IIDIIIWIIDIIIIIDIIIE";

    @Inject
    AdminSettings admin;

    @Inject
    SecuritySettings security;

    @Inject
    LoggingModule module;

    /** @return 200 {"accepted","dropped","rejected","millis","entriesPerSecond"} */
    @POST
    @Path("/load")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "streamLoad", summary = "Route paced test entries into one run (simulator only)",
            description = "Routes `entries` into the run from inside the server at `ratePerSecond` (0: unpaced), each stamped with "
                    + "the wall clock, and answers once all have their seq. 404 unless zenflow.logging.admin.simulator.enabled.")
    @RequestBody(required = true, description = "runId, optional workflowId, entries (default 1000), ratePerSecond (default 0)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "StreamLoad"),
                    examples = @ExampleObject(name = "load", value = ApiDocs.STREAM_LOAD)))
    @APIResponse(responseCode = "200", description = "Routed; the routing throughput",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "loaded", value = ApiDocs.STREAM_LOADED)))
    @APIResponse(responseCode = "400", description = "A field is missing or out of range; `field` names it",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "badBody", value = ApiDocs.BAD_BODY)))
    @APIResponse(responseCode = "404", description = "The simulator is off",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "off", value = ApiDocs.SIMULATOR_OFF)))
    public Response load(String body) throws Exception {
        SimulatorSwitch.requireOn(admin, security);
        JsonObject o = LogEntryJson.bodyObject(body);
        UUID run = LogEntryJson.uuid(o, "runId");
        UUID workflow = o.containsKey("workflowId") ? LogEntryJson.uuid(o, "workflowId") : UUID.randomUUID();
        long n = integer(o, "entries", 1000);
        long rate = integer(o, "ratePerSecond", 0);
        if (n < 1 || n > admin.maxLoadEntries()) {
            throw new InvalidLogEntryException("entries", "must be 1 to " + admin.maxLoadEntries() + " (" + AdminSettings.MAX_LOAD_ENTRIES + ")");
        }
        if (rate < 0) throw new InvalidLogEntryException("ratePerSecond", "must be 0 (unpaced) or more");
        if (rate > 0 && n > rate * admin.maxLoadSeconds()) {
            throw new InvalidLogEntryException("ratePerSecond", "too low: entries / ratePerSecond may take at most "
                    + admin.maxLoadSeconds() + " s (" + AdminSettings.MAX_LOAD_SECONDS + ")");
        }
        LogRouter router = module.running().router();
        int[] counts = new int[RouteResult.values().length];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (rate > 0) {
                long due = t0 + (long) i * TimeUnit.SECONDS.toNanos(1) / rate;
                long ahead = due - System.nanoTime();
                if (ahead > 0) LockSupport.parkNanos(ahead);
            }
            LogLevel level = switch (LEVELS.charAt(i % LEVELS.length())) {
                case 'D' -> LogLevel.DEBUG;
                case 'W' -> LogLevel.WARN;
                case 'E' -> LogLevel.ERROR;
                default -> LogLevel.INFO;
            };
            String node = NODES[i % NODES.length];
            counts[router.route(LogEntry.builder().workflowId(workflow).runId(run).nodeKey(node).ts(Instant.now())
                    .level(level).message(node + ": step " + i + (level == LogLevel.ERROR ? " failed: connection reset" : " done"))
                    .hierarchy("root/" + node).build()).ordinal()]++;
        }
        router.barrier().get(1, TimeUnit.MINUTES);
        long nanos = System.nanoTime() - t0;
        return Response.ok(JSON.createObjectBuilder()
                .add("accepted", counts[RouteResult.ACCEPTED.ordinal()])
                .add("dropped", counts[RouteResult.DROPPED.ordinal()])
                .add("rejected", counts[RouteResult.REJECTED.ordinal()])
                .add("millis", TimeUnit.NANOSECONDS.toMillis(nanos))
                .add("entriesPerSecond", n / (nanos / (double) TimeUnit.SECONDS.toNanos(1))).build().toString()).build();
    }

    /** @return the integral number {@code name} of {@code o}, or {@code absent}; 400 naming it when it is not one */
    private static long integer(JsonObject o, String name, long absent) {
        if (!o.containsKey(name) || o.isNull(name)) return absent;
        if (!(o.get(name) instanceof jakarta.json.JsonNumber num) || !num.isIntegral()) {
            throw new InvalidLogEntryException(name, "must be an integer");
        }
        try {
            return num.longValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidLogEntryException(name, "is out of range");
        }
    }

    /** @return 200: the live tail's counters (always on; read-only) */
    @jakarta.ws.rs.GET
    @Path("/status")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "streamStatus", summary = "Live-tail counters",
            description = "Open sessions, watched runs, frames and entries sent, sessions closed as too slow or dead.")
    @APIResponse(responseCode = "200", description = "The counters",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "status", value = ApiDocs.STREAM_STATUS)))
    @APIResponse(responseCode = "403", description = "The user is not an administrator",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "forbidden", value = ApiDocs.FORBIDDEN)))
    public Response status() {
        var h = module.stream();
        return Response.ok(JSON.createObjectBuilder()
                .add("openSessions", h.openSessions()).add("watchedRuns", h.watchedRuns())
                .add("sessionsOpened", h.sessionsOpened()).add("framesSent", h.framesSent())
                .add("entriesSent", h.entriesSent()).add("closedSlow", h.closedSlow())
                .add("closedDead", h.closedDead()).add("historyTimeouts", h.historyTimeouts())
                .build().toString()).build();
    }

    /** @return 200 {"closed": n} */
    @POST
    @Path("/runs/{runId}/disconnect")
    @Consumes(MediaType.APPLICATION_JSON) // not a cross-site form post (415): a page cannot send JSON without a preflight
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "streamDisconnect", summary = "Close every live tail of a run (simulator only)",
            description = "Closes the run's WebSocket sessions with 1001, as a restart or proxy timeout would; clients resume with afterSeq.")
    @APIResponse(responseCode = "200", description = "How many sessions were closed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "closed", value = ApiDocs.STREAM_CLOSED)))
    @APIResponse(responseCode = "400", description = "runId is not a UUID",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "badRunId", value = ApiDocs.BAD_RUN_ID)))
    @APIResponse(responseCode = "404", description = "The simulator is off",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "off", value = ApiDocs.SIMULATOR_OFF)))
    public Response disconnect(@Parameter(name = "runId", in = ParameterIn.PATH, required = true, description = ApiDocs.RUN_ID_DESCRIPTION,
            example = ApiDocs.RUN_ID) @PathParam("runId") String runId) {
        SimulatorSwitch.requireOn(admin, security);
        UUID run = LogEntryJson.parseUuid("runId", runId);
        int n = module.stream().disconnect(run, Outbound.GOING_AWAY, "disconnected by an administrator");
        return Response.ok(JSON.createObjectBuilder().add("closed", n).build().toString()).build();
    }
}
