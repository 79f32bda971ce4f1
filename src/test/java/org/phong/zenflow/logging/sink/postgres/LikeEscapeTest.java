package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Search text is literal in SQL's ILIKE: its wildcards and the escape character are escaped. */
class LikeEscapeTest {
    @Test
    void wildcardsAndTheEscapeAreEscapedNothingElse() {
        assertEquals("100\\% done", PostgresLogReader.likeEscape("100% done"));
        assertEquals("a\\_b\\\\c", PostgresLogReader.likeEscape("a_b\\c"));
        assertEquals("connection reset; 'quoted'", PostgresLogReader.likeEscape("connection reset; 'quoted'"));
    }
}
