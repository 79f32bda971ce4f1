package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Secrets sent in messages and metadata never reach PostgreSQL (nor the history API): the whole
 * table is searched for them over JDBC after the entries are stored.
 */
class RedactionIT {
    private static final String PASSWORD = "hunter2-Zq9v";
    private static final String BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ6ZW5mbG93In0.c2lnbmF0dXJlLXNlY3JldA";
    private static final String AWS_KEY = "AKIAZENFLOWTEST12345";
    private static final String API_KEY = "k3y-VALUE-9f8e7d6c";
    private static final String NESTED = "n3sted-Pw-7788";
    private static final List<String> SECRETS = List.of(PASSWORD, BEARER, AWS_KEY, API_KEY, NESTED);

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    void secretsInMessagesAndMetadataAreMaskedBeforePostgres() throws Exception {
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        String base = "{\"workflowId\":\"" + wf + "\",\"runId\":\"" + run + "\",\"nodeKey\":\"login\",\"level\":\"INFO\",";
        String body = "["
                + base + "\"message\":\"connecting with password=" + PASSWORD + " to db\"},"
                + base + "\"message\":\"GET /x Authorization: Bearer " + BEARER + "\"},"
                + base + "\"message\":\"aws key " + AWS_KEY + " loaded\",\"metadata\":{\"apiKey\":\"" + API_KEY
                + "\",\"request\":{\"headers\":{\"db_password\":\"" + NESTED + "\"},\"list\":[\"password: " + PASSWORD + "\"]},\"count\":3}}"
                + "]";
        JsonObject r = ItEnvironment.postJson("/api/v1/logs", body, 202);
        assertEquals(3, r.getInt("accepted"));
        StoredLogs.awaitPersisted(List.of(run), 3);

        try (Connection c = ItEnvironment.openConnection()) {
            for (String secret : SECRETS) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM logs WHERE strpos(message, ?) > 0 OR strpos(coalesce(metadata::text, ''), ?) > 0")) {
                    ps.setString(1, secret);
                    ps.setString(2, secret);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertEquals(0, rs.getLong(1), "rows holding the secret " + secret);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT message, metadata::text FROM logs WHERE run_id = ? ORDER BY seq")) {
                ps.setObject(1, run);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("connecting with password=[REDACTED] to db", rs.getString(1));
                    assertTrue(rs.next());
                    assertEquals("GET /x Authorization: Bearer [REDACTED]", rs.getString(1));
                    assertTrue(rs.next());
                    assertEquals("aws key [REDACTED] loaded", rs.getString(1));
                    String metadata = rs.getString(2);
                    assertTrue(metadata.contains("\"apiKey\": \"[REDACTED]\""), metadata);
                    assertTrue(metadata.contains("\"db_password\": \"[REDACTED]\""), metadata);
                    assertTrue(metadata.contains("\"count\": 3"), "non-secret members are kept: " + metadata);
                }
            }
        }
        String history = ItEnvironment.get("/api/v1/runs/" + run + "/logs").body();
        for (String secret : SECRETS) assertFalse(history.contains(secret), "history shows " + secret);
    }
}
