package org.phong.zenflow.logging.stream.web;

import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogFilter;
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.stream.LongPoll;
import org.phong.zenflow.logging.stream.StreamHub;

/** The HTTP answer of the long-poll ({@code GET /api/v1/runs/{runId}/logs?afterSeq=&waitMs=}). */
public final class LongPollSupport {
    private LongPollSupport() {
    }

    /**
     * @return completes with 200 {@code {"runId","entries":[...],"nextAfterSeq","ended":null|{"lastSeq","outcome"}}}
     */
    public static CompletionStage<Response> answer(StreamHub hub, UUID runId, long afterSeq, int limit, LogFilter filter,
                                                   long waitMs) {
        return LongPoll.poll(hub, runId, afterSeq, limit, filter, waitMs).thenApply(r -> {
            JsonArrayBuilder arr = JSON.createArrayBuilder();
            for (LogEntry e : r.entries()) arr.add(LogEntryJson.toJson(e));
            JsonObjectBuilder o = JSON.createObjectBuilder().add("runId", runId.toString()).add("entries", arr)
                    .add("nextAfterSeq", r.nextAfterSeq());
            if (r.ended() == null) o.addNull("ended");
            else o.add("ended", JSON.createObjectBuilder().add("lastSeq", r.ended().lastSeq())
                    .add("outcome", r.ended().outcome().name()));
            return Response.ok(o.build().toString()).build();
        });
    }
}
