package org.phong.zenflow.logging.it;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One request body of the exactly-once ITs' paced clients: INFO entries of one run whose messages
 * ({@code c<client>-r<request>-i<index>}) are unique across clients and requests, so a check can
 * compare what was sent with what was stored entry by entry.
 */
final class UniqueBatch {
    /** The JSON array to POST to {@code /api/v1/logs}. */
    final String body;
    /** The messages of its entries, in order. */
    final List<String> messages;

    UniqueBatch(UUID workflow, UUID run, int client, int request, int entries) {
        JsonArrayBuilder arr = Json.createArrayBuilder();
        List<String> m = new ArrayList<>(entries);
        for (int i = 0; i < entries; i++) {
            String message = "c" + client + "-r" + request + "-i" + i;
            m.add(message);
            arr.add(Json.createObjectBuilder().add("workflowId", workflow.toString()).add("runId", run.toString())
                    .add("nodeKey", "n").add("level", "INFO").add("message", message));
        }
        this.body = arr.build().toString();
        this.messages = m;
    }
}
