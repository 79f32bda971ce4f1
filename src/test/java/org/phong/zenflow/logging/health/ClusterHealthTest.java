package org.phong.zenflow.logging.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The cluster check quotes the class of the owner loop's last error, never its text (it can quote a row or a host). */
class ClusterHealthTest {
    @Test
    void onlyTheClassOfAnErrorIsQuoted() {
        assertEquals("org.postgresql.util.PSQLException",
                ClusterHealth.errorClass("org.postgresql.util.PSQLException: ERROR: value too long for type text: 'secret row'"));
        assertEquals("java.sql.SQLException", ClusterHealth.errorClass("java.sql.SQLException"));
        assertEquals("an error", ClusterHealth.errorClass("ingest-3 offsets 0..9 deleted by Kafka before they were stored"));
    }
}
