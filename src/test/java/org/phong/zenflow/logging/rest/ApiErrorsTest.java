package org.phong.zenflow.logging.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * The problem document of every error answer (RFC 9457, with {@code index} and {@code field}) and the
 * cut of echoed input. The JAX-RS {@code Response} around it needs the server's runtime: the ITs
 * (IngestionIT, BadInputIT, AccessIT through {@code ProblemBody}) check the status and media type.
 */
class ApiErrorsTest {

    @Test
    void aBadEntryIsAProblemDocumentNamingIndexAndField() {
        JsonObject p = parse(ApiErrors.problem(400, "Bad Request",
                "entry 3: level must be one of DEBUG, INFO, WARN, ERROR, not 'LOUD'", 3, "level"));
        assertEquals("about:blank", p.getString("type"));
        assertEquals("Bad Request", p.getString("title"));
        assertEquals(400, p.getInt("status"));
        assertEquals("entry 3: level must be one of DEBUG, INFO, WARN, ERROR, not 'LOUD'", p.getString("detail"));
        assertEquals(3, p.getInt("index"));
        assertEquals("level", p.getString("field"));
    }

    @Test
    void indexAndFieldArePresentAsNullWhenTheyDoNotApplyAndAMissingDetailIsTheTitle() {
        JsonObject p = parse(ApiErrors.problem(429, "Too Many Requests", null, null, null));
        assertEquals("Too Many Requests", p.getString("detail"));
        assertTrue(p.isNull("index"));
        assertTrue(p.isNull("field"));
    }

    @Test
    void aLongDetailIsCutAndSaysHowMuchWasLeftOut() {
        String echo = "x".repeat(5000);
        String full = "runId must be a UUID, not '" + echo + "'";
        String detail = parse(ApiErrors.problem(400, "Bad Request", full, null, "runId")).getString("detail");
        assertTrue(detail.startsWith("runId must be a UUID, not 'xxx"), detail);
        assertEquals(ApiErrors.MAX_DETAIL_CHARS, detail.indexOf("... ("), detail);
        assertTrue(detail.endsWith("... (" + (full.length() - ApiErrors.MAX_DETAIL_CHARS) + " more characters)"), detail);
        assertEquals("short", ApiErrors.truncate("short"));
        String exact = "y".repeat(ApiErrors.MAX_DETAIL_CHARS);
        assertEquals(exact, ApiErrors.truncate(exact));
    }

    @Test
    void theCutNeverSplitsASurrogatePair() {
        String s = "a".repeat(ApiErrors.MAX_DETAIL_CHARS - 1) + "\uD83D\uDE00" + "tail";
        String cut = ApiErrors.truncate(s);
        assertEquals(ApiErrors.MAX_DETAIL_CHARS - 1, cut.indexOf("... ("), cut);
        assertFalse(Character.isHighSurrogate(cut.charAt(cut.indexOf("... (") - 1)), cut);
    }

    @Test
    void aServerErrorSaysWhatKindOfFailureWithoutQuotingIt() {
        String db = ServerErrorMapper.detail(new RuntimeException(new SQLException("duplicate key (secret row text)")));
        assertEquals("PostgreSQL could not be read or written; retry later", db);
        String other = ServerErrorMapper.detail(new IllegalStateException("internal state with secret data"));
        assertFalse(other.contains("secret"), other);
        assertTrue(other.contains("IllegalStateException"), other);
    }

    private static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }
}
