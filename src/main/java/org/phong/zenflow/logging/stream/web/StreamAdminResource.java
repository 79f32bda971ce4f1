package org.phong.zenflow.logging.stream.web;

import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.StringReader;
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
public class StreamAdminResource {
    private static final String[] NODES = {"fetch", "transform", "validate", "store", "notify"};
    /** Level pattern of generated entries: mostly INFO, some DEBUG, a WARN and an ERROR every 20. */
    private static final String LEVELS = "IIDIIIWIIDIIIIIDIIIE";

    @Inject
    @ConfigProperty(name = "zenflow.logging.admin.simulator.enabled", defaultValue = "false")
    boolean enabled;

    @Inject
    LoggingModule module;

    /** @return 200 {"accepted","dropped","rejected","millis","entriesPerSecond"} */
    @POST
    @Path("/load")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response load(String body) throws Exception {
        if (!enabled) return Response.status(Response.Status.NOT_FOUND).build();
        JsonObject o;
        try (JsonReader r = JSON.createReader(new StringReader(body))) {
            o = r.readObject();
        } catch (RuntimeException e) {
            throw new InvalidLogEntryException("body", "must be a JSON object");
        }
        UUID run = LogEntryJson.uuid(o, "runId");
        UUID workflow = o.containsKey("workflowId") ? LogEntryJson.uuid(o, "workflowId") : UUID.randomUUID();
        int n = o.getInt("entries", 1000);
        int rate = o.getInt("ratePerSecond", 0);
        if (n < 1) throw new InvalidLogEntryException("entries", "must be at least 1");
        if (rate < 0) throw new InvalidLogEntryException("ratePerSecond", "must be 0 (unpaced) or more");
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
                .add("millis", nanos / 1_000_000)
                .add("entriesPerSecond", n * 1e9 / nanos).build().toString()).build();
    }

    /** @return 200: the live tail's counters (always on; read-only) */
    @jakarta.ws.rs.GET
    @Path("/status")
    @Produces(MediaType.APPLICATION_JSON)
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
    @Produces(MediaType.APPLICATION_JSON)
    public Response disconnect(@PathParam("runId") String runId) {
        if (!enabled) return Response.status(Response.Status.NOT_FOUND).build();
        UUID run = LogEntryJson.parseUuid("runId", runId);
        int n = module.stream().disconnect(run, Outbound.GOING_AWAY, "disconnected by an administrator");
        return Response.ok(JSON.createObjectBuilder().add("closed", n).build().toString()).build();
    }
}
