package org.phong.zenflow.logging.api;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.Entries;

/** The Java side of the shared filter (the SQL side: it/RunLogsIT compares both on the same run). */
class LogFilterTest {
    private static final Instant T = Instant.parse("2026-11-28T18:00:00Z");

    private static LogEntry e(LogLevel level, String node, String message, String errorCode, Instant ts) {
        return Entries.valid().level(level).nodeKey(node).message(message).errorCode(errorCode).ts(ts).build().withSeq(1);
    }

    @Test
    void everyFieldFiltersAndTheTimeRangeIsHalfOpen() {
        LogFilter f = LogFilter.parse("warn", " fetch ", "  Connection Reset ", T.toString(), T.plusSeconds(60).toString());
        assertEquals(new LogFilter(LogLevel.WARN, "fetch", "Connection Reset", T, T.plusSeconds(60)), f);
        assertTrue(f.matches(e(LogLevel.ERROR, "fetch", "upstream: connection RESET by peer", null, T)));
        assertTrue(f.matches(e(LogLevel.WARN, "fetch", "retrying", "CONNECTION RESET", T.plusSeconds(59))), "error code too");
        assertFalse(f.matches(e(LogLevel.INFO, "fetch", "connection reset", null, T)), "level");
        assertFalse(f.matches(e(LogLevel.ERROR, "store", "connection reset", null, T)), "node");
        assertFalse(f.matches(e(LogLevel.ERROR, "fetch", "connection refused", null, T)), "text");
        assertFalse(f.matches(e(LogLevel.ERROR, "fetch", "connection reset", null, T.minusNanos(1000))), "before from");
        assertFalse(f.matches(e(LogLevel.ERROR, "fetch", "connection reset", null, T.plusSeconds(60))), "to is exclusive");
    }

    @Test
    void blanksAndDebugMeanEverything() {
        LogFilter f = LogFilter.parse("DEBUG", " ", "", null, "  ");
        assertTrue(f.isAll());
        assertEquals(LogFilter.ALL, f);
        assertTrue(f.matches(e(LogLevel.DEBUG, "x", "m", null, T)));
    }

    @Test
    void badValuesNameTheirParameter() {
        assertEquals("minLevel", assertThrows(InvalidLogEntryException.class, () -> LogFilter.parse("LOUD", null, null, null, null)).field());
        assertEquals("q", assertThrows(InvalidLogEntryException.class, () -> LogFilter.parse(null, null, "a\u0000b", null, null)).field());
        assertEquals("nodeKey", assertThrows(InvalidLogEntryException.class, () -> LogFilter.parse(null, "n\u0000", null, null, null)).field());
        assertEquals("q", assertThrows(InvalidLogEntryException.class,
                () -> LogFilter.parse(null, null, "x".repeat(LogFilter.MAX_TEXT_CHARS + 1), null, null)).field());
        assertEquals("from", assertThrows(InvalidLogEntryException.class, () -> LogFilter.parse(null, null, null, "yesterday", null)).field());
        assertEquals("to", assertThrows(InvalidLogEntryException.class,
                () -> LogFilter.parse(null, null, null, T.toString(), T.toString())).field(), "an empty range");
    }
}
