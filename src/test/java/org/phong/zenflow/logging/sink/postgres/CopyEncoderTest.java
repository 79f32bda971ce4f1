package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;

/** Exact bytes of the COPY text format; no database. */
class CopyEncoderTest {
    private static final UUID WF = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    private static final UUID RUN = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");

    private static LogEntry.Builder base() {
        return LogEntry.builder().workflowId(WF).runId(RUN).nodeKey("n\t1")
                .ts(Instant.parse("2026-11-05T10:42:01.123456789Z")).level(LogLevel.WARN);
    }

    @Test
    void encodesOneEntryWithEscapesExactly() {
        LogEntry e = base()
                .message("a\\b\nc\rd\u0001\u001b\u007f é😀 \\N \\.")
                .metadata("{\"k\":\"v\\n\"}")
                .hierarchy("root/x")
                .build().withSeq(7);
        String expected = "00000000-0000-0000-0000-0000000000a1\t123e4567-e89b-12d3-a456-426614174000\t7\t"
                + "n\\t1\t2026-11-05 10:42:01.123456+00\tWARN\t"
                + "a\\\\b\\nc\\rd\\001\\033\\177 é😀 \\\\N \\\\.\t"
                + "\\N\t{\"k\":\"v\\\\n\"}\t\\N\troot/x\n";
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), CopyEncoder.encodeToBytes(List.of(e)));
    }

    @Test
    void padsTimestampsAndTruncatesNanos() {
        LogEntry early = base().ts(Instant.parse("0999-01-02T03:04:05.000000999Z")).message("").build().withSeq(1);
        String line = new String(CopyEncoder.encodeToBytes(List.of(early)), StandardCharsets.UTF_8);
        assertEquals("0999-01-02 03:04:05.000000+00", line.split("\t")[4]);
        LogEntry empty = base().message("").build().withSeq(1);
        assertEquals("", new String(CopyEncoder.encodeToBytes(List.of(empty)), StandardCharsets.UTF_8).split("\t")[6],
                "empty message is an empty field, not \\N");
    }

    @Test
    void unpairedSurrogateBecomesReplacementCharacter() {
        LogEntry e = base().message("x\uD800y").build().withSeq(1);
        String line = new String(CopyEncoder.encodeToBytes(List.of(e)), StandardCharsets.UTF_8);
        assertEquals("x\uFFFDy", line.split("\t")[6]);
    }

    @Test
    void rejectsYearsPostgresCannotTakeWithoutLeavingHalfALine() {
        CopyEncoder enc = new CopyEncoder(64);
        LogEntry ok = base().message("ok").build().withSeq(1);
        enc.encode(ok);
        int size = enc.size();
        // LogEntry itself refuses such a ts now (field "ts"); either way nothing half-written reaches the buffer.
        assertThrows(IllegalArgumentException.class,
                () -> enc.encode(base().ts(Instant.parse("+10000-01-01T00:00:00Z")).message("x").build().withSeq(2)));
        assertEquals(size, enc.size());
    }

    @Test
    void growsFromATinyBufferAndIsReusable() {
        CopyEncoder enc = new CopyEncoder(1);
        LogEntry e = base().message("é".repeat(10_000) + "😀".repeat(10_000) + "\\".repeat(10_000)).build().withSeq(3);
        enc.encode(e);
        byte[] first = enc.toByteArray();
        enc.reset();
        enc.encode(e);
        assertArrayEquals(first, enc.toByteArray());
        assertEquals(first.length, enc.size());
    }
}
