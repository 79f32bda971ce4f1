package org.phong.zenflow.logging.api;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.phong.zenflow.logging.testing.Entries;

class LogEntryTest {

    static Stream<Arguments> missingRequired() {
        return Stream.of(
                Arguments.of("workflowId", (Consumer<LogEntry.Builder>) b -> b.workflowId(null)),
                Arguments.of("runId", (Consumer<LogEntry.Builder>) b -> b.runId(null)),
                Arguments.of("nodeKey", (Consumer<LogEntry.Builder>) b -> b.nodeKey(null)),
                Arguments.of("nodeKey", (Consumer<LogEntry.Builder>) b -> b.nodeKey("   ")),
                Arguments.of("level", (Consumer<LogEntry.Builder>) b -> b.level(null)),
                Arguments.of("message", (Consumer<LogEntry.Builder>) b -> b.message(null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("missingRequired")
    void requiredFieldIsNamed(String field, Consumer<LogEntry.Builder> breakIt) {
        LogEntry.Builder b = Entries.valid();
        breakIt.accept(b);
        InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class, b::build);
        assertEquals(field, e.field());
        assertTrue(e.getMessage().startsWith(field + " "), e.getMessage());
    }

    @Test
    void emptyMessageIsAllowed() {
        assertEquals("", Entries.valid().message("").build().message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "5", "\"text\"", "true", "{not json", "{\"a\":}", "garbage"})
    void metadataMustBeAJsonObject(String metadata) {
        InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class,
                () -> Entries.valid().metadata(metadata).build());
        assertEquals("metadata", e.field());
    }

    @Test
    void metadataObjectIsCompactedAndBlankOrNullBecomesAbsent() {
        assertEquals("{\"a\":1,\"b\":[true]}", Entries.valid().metadata("{ \"a\" : 1, \"b\": [ true ] }").build().metadata());
        assertNull(Entries.valid().metadata("  ").build().metadata());
        assertNull(Entries.valid().metadata("null").build().metadata());
        assertNull(Entries.valid().metadata(null).build().metadata());
    }

    @Test
    void nulIsReplacedInEveryTextField() {
        LogEntry e = Entries.valid().nodeKey("n\u0000k").message("a\u0000b").errorCode("E\u00001")
                .traceId("t\u0000").hierarchy("root/\u0000").metadata("{\"k\":\"v\\u0000w\"}").build();
        assertEquals("n\uFFFDk", e.nodeKey());
        assertEquals("a\uFFFDb", e.message());
        assertEquals("E\uFFFD1", e.errorCode());
        assertEquals("t\uFFFD", e.traceId());
        assertEquals("root/\uFFFD", e.hierarchy());
        assertFalse(e.metadata().contains("\\u0000"), e.metadata());
        assertFalse(e.metadata().contains("\u0000"), e.metadata());
    }

    @Test
    void blankOptionalTextBecomesNull() {
        LogEntry e = Entries.valid().errorCode(" ").traceId("").hierarchy("\t").build();
        assertNull(e.errorCode());
        assertNull(e.traceId());
        assertNull(e.hierarchy());
    }

    @Test
    void tsIsTruncatedToMicros() {
        Instant nanos = Instant.parse("2026-11-28T17:02:37.123456789Z");
        assertEquals(Instant.parse("2026-11-28T17:02:37.123456Z"), Entries.valid().ts(nanos).build().ts());
    }

    @Test
    void tsDefaultsToNow() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant ts = Entries.valid().ts(null).build().ts();
        Instant after = Instant.now();
        assertFalse(ts.isBefore(before), ts + " before " + before);
        assertFalse(ts.isAfter(after), ts + " after " + after);
        assertEquals(ts, ts.truncatedTo(ChronoUnit.MICROS));
    }

    @Test
    void withSeqCopiesEverythingButSeq() {
        LogEntry e = Entries.valid().errorCode("E1").traceId("t").hierarchy("root/x").metadata("{\"a\":1}").build();
        assertEquals(0, e.seq());
        LogEntry s = e.withSeq(7);
        assertEquals(7, s.seq());
        assertEquals(0, e.seq(), "the original is unchanged");
        assertEquals(e.workflowId(), s.workflowId());
        assertEquals(e.runId(), s.runId());
        assertEquals(e.nodeKey(), s.nodeKey());
        assertEquals(e.ts(), s.ts());
        assertEquals(e.level(), s.level());
        assertEquals(e.message(), s.message());
        assertEquals(e.errorCode(), s.errorCode());
        assertEquals(e.metadata(), s.metadata());
        assertEquals(e.traceId(), s.traceId());
        assertEquals(e.hierarchy(), s.hierarchy());
        assertNotEquals(e, s);
        assertEquals(s, e.withSeq(7));
        assertEquals(s.hashCode(), e.withSeq(7).hashCode());
        assertThrows(IllegalArgumentException.class, () -> e.withSeq(0));
        assertThrows(IllegalArgumentException.class, () -> e.withSeq(-1));
    }

    @Test
    void levelParsingAndOrder() {
        assertEquals(LogLevel.WARN, LogLevel.parse("level", " warn "));
        InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class, () -> LogLevel.parse("minLevel", "TRACE"));
        assertEquals("minLevel", e.field());
        assertTrue(e.getMessage().contains("DEBUG, INFO, WARN, ERROR"));
        assertEquals("level", assertThrows(InvalidLogEntryException.class, () -> LogLevel.parse("level", " ")).field());
        assertEquals("level", assertThrows(InvalidLogEntryException.class, () -> LogLevel.parse("level", null)).field());
        assertTrue(LogLevel.ERROR.isAtLeast(LogLevel.WARN));
        assertTrue(LogLevel.INFO.isAtLeast(LogLevel.INFO));
        assertFalse(LogLevel.DEBUG.isAtLeast(LogLevel.INFO));
        assertTrue(LogLevel.DEBUG.isSheddable());
        assertTrue(LogLevel.INFO.isSheddable());
        assertFalse(LogLevel.WARN.isSheddable());
        assertFalse(LogLevel.ERROR.isSheddable());
    }

    @Test
    void runOutcomeAndEvents() {
        assertEquals(RunOutcome.TIMED_OUT, RunOutcome.parse("outcome", "timed_out"));
        InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class, () -> RunOutcome.parse("outcome", "DONE"));
        assertEquals("outcome", e.field());
        assertTrue(e.getMessage().contains("SUCCEEDED, FAILED, CANCELLED, TIMED_OUT"));
        assertEquals("outcome", assertThrows(InvalidLogEntryException.class, () -> RunOutcome.parse("outcome", "")).field());
        UUID id = UUID.randomUUID();
        assertEquals("runId", assertThrows(InvalidLogEntryException.class, () -> new WorkflowRunCompleted(null, RunOutcome.FAILED)).field());
        assertEquals("outcome", assertThrows(InvalidLogEntryException.class, () -> new WorkflowRunCompleted(id, null)).field());
        assertEquals("workflowId", assertThrows(InvalidLogEntryException.class, () -> new WorkflowRunStarted(null, id)).field());
        assertEquals("runId", assertThrows(InvalidLogEntryException.class, () -> new WorkflowRunStarted(id, null)).field());
    }
}
