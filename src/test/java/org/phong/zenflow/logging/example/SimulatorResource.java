package org.phong.zenflow.logging.example;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.annotation.security.RolesAllowed;
import org.phong.zenflow.logging.security.Roles;
import org.phong.zenflow.logging.codec.LogEntryJson;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.config.AdminSettings;
import org.phong.zenflow.logging.config.SecuritySettings;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.rest.ApiDocs;
import org.phong.zenflow.logging.rest.SimulatorSwitch;

/**
 * {@code POST /api/v1/admin/simulate}: an in-process engine, for the integration tests. A test aid, not
 * part of the production WAR: it ships only in the IT server's application ({@code target/it-app.war},
 * the module plus this package) and in the example engine deployed by the in-container tests. It does exactly what an engine in the same application does: fires
 * {@link WorkflowRunStarted} as a CDI event, calls {@link LogRouter#route} from several threads,
 * fires {@link WorkflowRunCompleted}. Off unless {@code zenflow.logging.admin.simulator.enabled=true}
 * (404 otherwise), since it writes synthetic entries.
 *
 * <p>Body: {@code {"runs":100,"entriesPerRun":1000,"threads":8,"complete":true,"via":"route"|"event"}}. Answers with the
 * run ids and the route() counts once every entry is routed (not yet persisted).
 */
@Path("/admin/simulate")
@ApplicationScoped
@Tag(name = ApiDocs.TAG_ADMIN)
@RolesAllowed(Roles.ADMIN)
public class SimulatorResource {
    /** Index of the entries fired as CDI events (their route result is not seen) in the counters. */
    private static final int FIRED = RouteResult.values().length;
    private static final String LEVELS_CYCLE = "DDDIIIIIWE"; // ~30% DEBUG, 50% INFO, 10% WARN, 10% ERROR

    @Inject
    AdminSettings settings;

    @Inject
    SecuritySettings security;

    @Inject
    Event<WorkflowRunStarted> started;

    @Inject
    Event<WorkflowRunCompleted> completed;

    @Inject
    LogRouter router;

    @Inject
    Event<LogEntry> logEvents;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    /**
     * @param body the simulation's shape
     * @return 200 with {"runIds":[...],"accepted","dropped","rejected","millis"}
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "simulateEngine", summary = "Run an in-process engine (tests and smoke checks)",
            description = "Fires WorkflowRunStarted events, routes synthetic entries from several threads through "
                    + "`LogRouter.route()` or `Event<LogEntry>`, then (optionally) fires WorkflowRunCompleted. Answers once every "
                    + "entry is routed, not yet persisted. Off unless `zenflow.logging.admin.simulator.enabled=true`.")
    @RequestBody(required = true, description = "the simulation's shape; every field has a default",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "SimulateRequest"),
                    examples = @ExampleObject(name = "tenRuns", value = ApiDocs.SIMULATE)))
    @APIResponse(responseCode = "200", description = "Routed: the run ids and the route() counts",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "SimulateResult"),
                    examples = @ExampleObject(name = "simulated", value = ApiDocs.SIMULATED)))
    @APIResponse(responseCode = "400", description = "The body is not a JSON object",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "notAnObject", value = ApiDocs.BAD_BODY)))
    @APIResponse(responseCode = "404", description = "The simulator is disabled (the default)",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "disabled", value = ApiDocs.SIMULATOR_OFF)))
    public Response simulate(String body) throws Exception {
        SimulatorSwitch.requireOn(settings, security);
        JsonObject o = LogEntryJson.bodyObject(body);
        int runs = o.getInt("runs", 1);
        int perRun = o.getInt("entriesPerRun", 100);
        int threads = Math.max(1, Math.min(o.getInt("threads", 4), runs));
        boolean complete = o.getBoolean("complete", true);
        // "route": @Inject LogRouter.route(); "event": Event<LogEntry>.fire(), the engine's other way in.
        boolean viaEvent = "event".equals(o.getString("via", "route"));
        UUID workflowId = UUID.randomUUID();
        List<UUID> runIds = new ArrayList<>(runs);
        for (int i = 0; i < runs; i++) runIds.add(UUID.randomUUID());
        for (UUID run : runIds) started.fire(new WorkflowRunStarted(workflowId, run));

        long t0 = System.nanoTime();
        List<Future<int[]>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int slice = t;
            parts.add(executor.submit(() -> {
                int[] counts = new int[FIRED + 1];
                // Each thread drives its own runs, interleaving them entry by entry.
                for (int i = 0; i < perRun; i++) {
                    for (int r = slice; r < runs; r += threads) {
                        LogEntry e = entry(workflowId, runIds.get(r), i);
                        if (viaEvent) {
                            logEvents.fire(e);
                            counts[FIRED]++;
                        } else {
                            counts[router.route(e).ordinal()]++;
                        }
                    }
                }
                return counts;
            }));
        }
        int[] total = new int[FIRED + 1];
        for (Future<int[]> f : parts) {
            int[] c = f.get();
            for (int i = 0; i < total.length; i++) total[i] += c[i];
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        if (complete) for (UUID run : runIds) completed.fire(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED));
        JsonArrayBuilder ids = JSON.createArrayBuilder();
        runIds.forEach(id -> ids.add(id.toString()));
        return Response.ok(JSON.createObjectBuilder().add("workflowId", workflowId.toString()).add("runIds", ids)
                .add("accepted", total[RouteResult.ACCEPTED.ordinal()])
                .add("dropped", total[RouteResult.DROPPED.ordinal()])
                .add("rejected", total[RouteResult.REJECTED.ordinal()])
                .add("firedAsEvents", total[FIRED])
                .add("millis", millis).build().toString()).build();
    }

    private static LogEntry entry(UUID workflowId, UUID runId, int i) {
        LogLevel level = switch (LEVELS_CYCLE.charAt(i % LEVELS_CYCLE.length())) {
            case 'D' -> LogLevel.DEBUG;
            case 'I' -> LogLevel.INFO;
            case 'W' -> LogLevel.WARN;
            default -> LogLevel.ERROR;
        };
        return LogEntry.builder().workflowId(workflowId).runId(runId).nodeKey("node-" + (i % 7))
                .ts(Instant.now()).level(level).message("simulated entry " + i + " of run " + runId)
                .metadata("{\"i\":" + i + "}").hierarchy("root/node-" + (i % 7)).build();
    }
}
