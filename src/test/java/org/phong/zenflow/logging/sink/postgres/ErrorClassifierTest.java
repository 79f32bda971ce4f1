package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.phong.zenflow.logging.sink.postgres.ErrorClassifier.Kind;
import org.postgresql.PGConnection;

/** Error classes by SQLState, and the errors a real PostgreSQL raises for what the sink meets. */
class ErrorClassifierTest {
    private static Pg pg;

    @BeforeAll
    static void start() throws Exception {
        pg = Pg.start();
        pg.exec("CREATE TABLE t (n numeric, j jsonb, s text CONSTRAINT t_s_check CHECK (s <> 'poison'))"
                + " ; CREATE TABLE p (ts int) PARTITION BY RANGE (ts); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10)");
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "22003, DATA", "22P02, DATA", "22P05, DATA", "22021, DATA", "22001, DATA", "23514, DATA", "23502, DATA", "23503, DATA",
        "54000, DATA",
        "08006, TRANSIENT", "08001, TRANSIENT", "40001, TRANSIENT", "40P01, TRANSIENT", "53100, TRANSIENT", "53300, TRANSIENT",
        "57014, TRANSIENT", "57P01, TRANSIENT", "55P03, TRANSIENT", "58030, TRANSIENT", "42P01, TRANSIENT", "XX000, TRANSIENT",
        "HY000, TRANSIENT", "2, TRANSIENT"})
    void classesBySqlState(String state, Kind kind) {
        assertEquals(kind, ErrorClassifier.classify(new SQLException("x", state)));
        // through a wrapper without a state of its own, as a pool may throw it
        assertEquals(kind, ErrorClassifier.classify(new RuntimeException(new SQLException("x", state))));
    }

    @Test
    void noStateIsTransientAndAnEncoderRefusalIsData() {
        assertEquals(Kind.TRANSIENT, ErrorClassifier.classify(new SQLException("I/O error")));
        assertEquals(Kind.TRANSIENT, ErrorClassifier.classify(new java.io.IOException("reset")));
        assertEquals(Kind.DATA, ErrorClassifier.classify(new IllegalArgumentException("ts outside 1..9999")));
        assertEquals(-1, ErrorClassifier.copyLine(new SQLException("no server message", "22003")));
        assertEquals("SQLException: plain", ErrorClassifier.describe(new SQLException("plain", "22003"), 100));
    }

    @Test
    void realDataErrorsAreDataAndNameTheirCopyLine() throws Exception {
        SQLException overflow = copyFails("COPY t (n, j, s) FROM STDIN", "1\t{}\ta\n2\t{\"x\":1e999999}\tb\n");
        assertEquals("22003", overflow.getSQLState());
        assertEquals(Kind.DATA, ErrorClassifier.classify(overflow));
        assertEquals(2, ErrorClassifier.copyLine(overflow));
        assertTrue(ErrorClassifier.describe(overflow, 500).contains("value overflows numeric format"), ErrorClassifier.describe(overflow, 500));
        assertFalse(ErrorClassifier.describe(overflow, 500).contains("line 2"), "no context line (it quotes the row)");

        SQLException check = copyFails("COPY t (n, j, s) FROM STDIN", "1\t{}\ta\n2\t{}\tb\n3\t{}\tpoison\n");
        assertEquals(Kind.DATA, ErrorClassifier.classify(check));
        assertEquals(3, ErrorClassifier.copyLine(check));
        assertFalse(ErrorClassifier.isMissingPartition(check), "an operator's CHECK names itself");
        assertEquals(12, ErrorClassifier.describe(check, 12).length());

        SQLException nul = copyFails("COPY t (n, j, s) FROM STDIN", "1\t{\"k\":\"\\\\u0000\"}\ta\n");
        assertEquals("22P05", nul.getSQLState());
        assertEquals(Kind.DATA, ErrorClassifier.classify(nul));

        SQLException noPartition = copyFails("COPY p (ts) FROM STDIN", "1\n42\n");
        assertEquals("23514", noPartition.getSQLState());
        assertTrue(ErrorClassifier.isMissingPartition(noPartition));
        assertFalse(ErrorClassifier.isMissingPartition(overflow));
    }

    @Test
    void aStatementTimeoutIsTransient() throws Exception {
        try (Connection c = pg.ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET statement_timeout = 50");
            SQLException e = assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(5)"));
            assertEquals("57014", e.getSQLState());
            assertEquals(Kind.TRANSIENT, ErrorClassifier.classify(e));
        }
    }

    private static SQLException copyFails(String sql, String data) throws Exception {
        try (Connection c = pg.ds.getConnection()) {
            return assertThrows(SQLException.class, () -> c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn(sql, new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8))));
        }
    }
}
