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
import org.phong.zenflow.logging.security.Roles;

import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.cdi.LoggingModule;
import org.phong.zenflow.logging.stream.RunInfo;
import org.phong.zenflow.logging.stream.StreamHub;

/**
 * {@code GET /api/v1/runs?state=active|recent}: runs holding a buffer on this server, or released
 * here (completed, or idle), newest first.
 */
@Path("/runs")
@ApplicationScoped
@Tag(name = ApiDocs.TAG_RUNS)
public class RunsResource {

    @Inject
    LoggingModule module;

    /**
     * @param state {@code active} (default) or {@code recent}
     * @return 200 {@code {"state","runs":[{"runId","workflowId","start","end","outcome","entries","errors","warnings"}]}}
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.READER)
    @Operation(operationId = "listRuns", summary = "List active or recent runs",
            description = "Runs holding a buffer on this server (`active`), or completed/idle here (`recent`), newest first, "
                    + "with entry, error and warning counts.")
    @APIResponse(responseCode = "200", description = "The runs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "runs", value = ApiDocs.RUNS)))
    @APIResponse(responseCode = "400", description = "`state` is neither active nor recent",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "badState", value = ApiDocs.BAD_STATE)))
    public Response list(@Parameter(description = "`active` (default) or `recent`", example = "active")
                         @QueryParam("state") String state) {
        String s = state == null || state.isBlank() ? "active" : state.trim().toLowerCase(java.util.Locale.ROOT);
        StreamHub hub = module.stream();
        List<RunInfo> runs = switch (s) {
            case "active" -> hub.activeRuns();
            case "recent" -> hub.recentRuns();
            default -> throw new InvalidLogEntryException("state", "must be active or recent, not '" + state + "'");
        };
        JsonArrayBuilder arr = JSON.createArrayBuilder();
        for (RunInfo r : runs) {
            JsonObjectBuilder o = JSON.createObjectBuilder()
                    .add("runId", r.runId().toString())
                    .add("workflowId", r.workflowId().toString())
                    .add("start", r.start().toString());
            if (r.end() == null) o.addNull("end"); else o.add("end", r.end().toString());
            if (r.outcome() == null) o.addNull("outcome"); else o.add("outcome", r.outcome().name());
            arr.add(o.add("entries", r.entries()).add("errors", r.errors()).add("warnings", r.warnings()));
        }
        return Response.ok(JSON.createObjectBuilder().add("state", s).add("runs", arr).build().toString()).build();
    }
}
