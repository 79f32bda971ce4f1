package org.phong.zenflow.logging.rest;

import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

import jakarta.annotation.Resource;
import jakarta.annotation.security.RolesAllowed;
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
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.phong.zenflow.logging.cdi.SchemaState;
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.security.Roles;
import org.phong.zenflow.logging.sink.postgres.RunsTableReader;
import org.phong.zenflow.logging.sink.postgres.RunsTableReader.Cursor;
import org.phong.zenflow.logging.sink.postgres.RunsTableReader.Page;
import org.phong.zenflow.logging.sink.postgres.RunsTableReader.Run;
import org.phong.zenflow.logging.sink.postgres.RunsTableReader.State;

/**
 * {@code GET /api/v1/runs?state=&workflowId=&limit=&cursor=}: runs from the shared {@code runs}
 * table (so every node answers the same), newest start first, one keyset page at a time. Pass
 * {@code nextCursor} back as {@code cursor} for the next page; it is null on the last one.
 */
@Path("/runs")
@ApplicationScoped
@Tag(name = ApiDocs.TAG_RUNS)
public class RunsResource {
    @Inject
    LoggingSettings settings;

    @Inject
    SchemaState schema;

    @Resource(lookup = "jdbc/zenflowLogs")
    DataSource dataSource;

    /**
     * @param state      {@code active} (default), {@code recent}, {@code ended} or {@code all}
     * @param workflowId only this workflow's runs
     * @param limit      1 .. http.max-page-size (default 100)
     * @param cursor     a previous page's {@code nextCursor}
     * @return 200 {@code {"state","runs":[{"runId","workflowId","start","end","outcome","entries","errors","warnings","lastSeq","owner"}],"nextCursor"}}
     * @throws SQLException when PostgreSQL cannot be read (500)
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.READER)
    @Operation(operationId = "listRuns", summary = "List runs",
            description = "Runs from the shared runs table, newest start first, with stored entry, error and warning counts. "
                    + "`active`: no end reported; `recent`: ended in the last 24 hours; `ended`: ended; `all`. "
                    + "Pass `nextCursor` back as `cursor` for the next page (null on the last page).")
    @APIResponse(responseCode = "200", description = "One page of runs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "runs", value = ApiDocs.RUNS)))
    @APIResponse(responseCode = "400", description = "A parameter is malformed or out of range; `field` names it",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "badState", value = ApiDocs.BAD_STATE)))
    @APIResponse(responseCode = "500", description = "PostgreSQL could not be read; retry later",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = "Problem"),
                    examples = @ExampleObject(name = "databaseDown", value = ApiDocs.DATABASE_DOWN)))
    public Response list(@Parameter(description = "`active` (default), `recent`, `ended` or `all`", example = "active",
                                 schema = @Schema(type = SchemaType.STRING, enumeration = {"active", "recent", "ended", "all"}))
                         @QueryParam("state") String state,
                         @Parameter(description = "only runs of this workflow", example = ApiDocs.WORKFLOW_ID)
                         @QueryParam("workflowId") String workflowId,
                         @Parameter(description = "most runs in the page: 1 .. `zenflow.logging.http.max-page-size` (default 100)",
                                 schema = @Schema(type = SchemaType.INTEGER, minimum = "1", defaultValue = "100"), example = "50")
                         @QueryParam("limit") String limit,
                         @Parameter(description = "the `nextCursor` of the previous page (opaque)", example = ApiDocs.RUNS_CURSOR)
                         @QueryParam("cursor") String cursor) throws SQLException {
        State s = State.parse("state", state, State.ACTIVE);
        UUID workflow = workflowId == null || workflowId.isBlank() ? null : LogEntryJson.parseUuid("workflowId", workflowId.trim());
        int pageSize = QueryParams.pageSize(limit, settings.httpMaxPageSize());
        Cursor after = Cursor.parse("cursor", cursor);
        schema.requireReady();
        Page page = new RunsTableReader(dataSource).list(s, workflow, after, pageSize);
        JsonArrayBuilder arr = JSON.createArrayBuilder();
        for (Run r : page.runs()) {
            JsonObjectBuilder o = JSON.createObjectBuilder()
                    .add("runId", r.runId().toString())
                    .add("workflowId", r.workflowId().toString())
                    .add("start", r.started().toString());
            if (r.ended() == null) o.addNull("end"); else o.add("end", r.ended().toString());
            if (r.outcome() == null) o.addNull("outcome"); else o.add("outcome", r.outcome().name());
            arr.add(o.add("entries", r.entries()).add("errors", r.errors()).add("warnings", r.warnings())
                    .add("lastSeq", r.lastSeq()).add("owner", r.owner()));
        }
        JsonObjectBuilder body = JSON.createObjectBuilder().add("state", s.apiName()).add("runs", arr);
        if (page.next() == null) body.addNull("nextCursor"); else body.add("nextCursor", page.next().encode());
        return Response.ok(body.build().toString()).build();
    }
}
