package org.phong.zenflow.logging.health;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineHealthTest {

    /** A journal as the Degradation slot sees it. */
    private record Journal(int level, boolean absorbsDatabaseOutage, String describe) implements Degradation {
    }

    @Test
    void anErrorIsQuotedByItsFirstLineOnlyAndBounded() {
        assertEquals("ERROR: refused", PipelineHealth.firstLine("ERROR: refused\n  Where: ...\nCOPY logs, line 1: \"secret row\""));
        assertEquals("unknown", PipelineHealth.firstLine(null));
        String longLine = "x".repeat(PipelineHealth.MAX_ERROR_CHARS + 50);
        assertEquals(PipelineHealth.MAX_ERROR_CHARS + 3, PipelineHealth.firstLine(longLine).length());
    }

    @Test
    void aReachableDatabaseIsUpAtLevelZeroWithoutAJournal() {
        var v = PipelineHealth.DatabaseVerdict.of(List.of(), true, null, 0, 100);
        assertTrue(v.up());
        assertEquals(0, v.data().get("degradationLevel"));
        assertEquals("reachable", v.data().get("database"));
    }

    @Test
    void anUnreachableDatabaseWithoutAJournalIsDownSayingWhatToCheck() {
        var v = PipelineHealth.DatabaseVerdict.of(List.of("PostgreSQL is unreachable: timeout"), false, null, 42, 100);
        assertFalse(v.up());
        String reason = (String) v.data().get("reason");
        assertTrue(reason.startsWith("PostgreSQL is unreachable: timeout. "), reason);
        assertTrue(reason.contains("42 in flight") && reason.contains("shed from 100") && reason.contains("DB_HOST:DB_PORT"), reason);
    }

    @Test
    void aDatabaseRefusingWritesIsDownWithAdviceForThatCase() {
        var v = PipelineHealth.DatabaseVerdict.of(List.of("sink postgresql is failing"), true, null, 1, 100);
        assertFalse(v.up());
        assertTrue(((String) v.data().get("reason")).contains("refuses the writes"));
    }

    @Test
    void aJournalAbsorbingTheOutageKeepsReadinessUpAndSaysSoInTheData() {
        var journal = new Journal(2, true, "journal holds 1,234 entries, 4 MB");
        var v = PipelineHealth.DatabaseVerdict.of(List.of("PostgreSQL is unreachable: refused"), false, journal, 1234, 100);
        assertTrue(v.up());
        assertEquals(2, v.data().get("degradationLevel"));
        assertEquals("journal holds 1,234 entries, 4 MB", v.data().get("degradation"));
        assertEquals("PostgreSQL is unreachable: refused", v.data().get("database"));
        assertTrue(((String) v.data().get("reason")).contains("durable in the journal"), v.data().toString());
    }

    @Test
    void aJournalThatCannotAbsorbLeavesReadinessDownButReportsItsLevel() {
        var journal = new Journal(3, false, "journal disk full");
        var v = PipelineHealth.DatabaseVerdict.of(List.of("PostgreSQL is unreachable: refused"), false, journal, 5, 100);
        assertFalse(v.up());
        assertEquals(3, v.data().get("degradationLevel"));
    }
}
