package org.phong.zenflow.logging.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server is up with its features, and the embedded database is reachable. */
class ServerSmokeIT {

    @BeforeAll
    static void serverIsReady() throws Exception {
        // test-start returns once the server has started; readiness may lag a moment behind.
        assertEquals(200, ItEnvironment.awaitStatus200("/health/ready", Duration.ofSeconds(60)),
                "/health/ready did not become 200 at " + ItEnvironment.baseUrl());
    }

    @Test
    void readinessIsUp() throws Exception {
        HttpResponse<String> response = ItEnvironment.get("/health/ready");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"UP\""), response.body());
    }

    @Test
    void livenessIsUp() throws Exception {
        HttpResponse<String> response = ItEnvironment.get("/health/live");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"UP\""), response.body());
    }

    @Test
    void metricsAnswerWithoutAuthentication() throws Exception {
        // anonymously: the shared client would send the admin's credentials and hide a closed /metrics
        HttpResponse<String> response = ItEnvironment.send(ItCredentials.NONE, "GET", "/metrics", null, (String) null);
        assertEquals(200, response.statusCode(), "/metrics: " + response.statusCode() + " " + response.headers().map());
        assertTrue(response.body().contains("zenflow_logging_"), "the module's metrics are in the anonymous answer");
    }

    @Test
    void embeddedDatabaseIsReachable() throws Exception {
        try (Connection c = ItEnvironment.openConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_database()")) {
            assertTrue(rs.next());
            assertTrue(ItEnvironment.jdbcUrl().endsWith("/" + rs.getString(1)), rs.getString(1));
        }
    }
}
