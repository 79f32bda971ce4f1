package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.config.CopyFormat;

/** The PGCOPY bytes, field by field, against an independent writer (DataOutputStream); the database round trip is in PostgresLogSinkTest. */
class BinaryCopyEncoderTest {
    private static final UUID WF = UUID.fromString("01234567-89ab-cdef-0123-456789abcdef");
    private static final UUID RUN = UUID.fromString("fedcba98-7654-3210-fedc-ba9876543210");

    @Test
    void encodesHeaderRowsAndTrailerExactly() throws IOException {
        LogEntry full = LogEntry.builder().workflowId(WF).runId(RUN).nodeKey("nöde").level(LogLevel.WARN)
                .ts(Instant.parse("2000-01-01T00:00:01.000002999Z")).message("tab\tand 😀").errorCode("E1")
                .metadata("{\"a\":1}").traceId("t").hierarchy("root/x").build().withSeq(7);
        LogEntry bare = LogEntry.builder().workflowId(WF).runId(RUN).nodeKey("n").level(LogLevel.DEBUG)
                .ts(Instant.parse("1999-12-31T23:59:59.999999Z")).message("").build().withSeq(8);
        BinaryCopyEncoder enc = new BinaryCopyEncoder(8); // grows from tiny
        enc.encode(List.of(full, bare));

        ByteArrayOutputStream want = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(want);
        d.write("PGCOPY\n".getBytes(StandardCharsets.US_ASCII));
        d.write(new byte[]{(byte) 0xFF, '\r', '\n', 0});
        d.writeInt(0);
        d.writeInt(0);
        row(d, full, 1_000_002L, "{\"a\":1}");
        row(d, bare, -1L, null);
        d.writeShort(-1);
        assertArrayEquals(want.toByteArray(), enc.toByteArray());
        assertArrayEquals(want.toByteArray(), enc.asInputStream().readAllBytes(), "the trailer is written once");
    }

    private static void row(DataOutputStream d, LogEntry e, long pgMicros, String json) throws IOException {
        d.writeShort(11);
        d.writeInt(16);
        d.writeLong(WF.getMostSignificantBits());
        d.writeLong(WF.getLeastSignificantBits());
        d.writeInt(16);
        d.writeLong(RUN.getMostSignificantBits());
        d.writeLong(RUN.getLeastSignificantBits());
        d.writeInt(8);
        d.writeLong(e.seq());
        text(d, e.nodeKey());
        d.writeInt(8);
        d.writeLong(pgMicros);
        text(d, e.level().name());
        text(d, e.message());
        text(d, e.errorCode());
        if (json == null) {
            d.writeInt(-1);
        } else {
            byte[] b = json.getBytes(StandardCharsets.UTF_8);
            d.writeInt(b.length + 1);
            d.writeByte(1);
            d.write(b);
        }
        text(d, e.traceId());
        text(d, e.hierarchy());
    }

    private static void text(DataOutputStream d, String s) throws IOException {
        if (s == null) {
            d.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        d.writeInt(b.length);
        d.write(b);
    }

    @Test
    void resetKeepsOnlyTheHeaderAndTheLastStorableInstantEncodes() {
        BinaryCopyEncoder enc = new BinaryCopyEncoder();
        int header = enc.size();
        LogEntry last = LogEntry.builder().workflowId(WF).runId(RUN).nodeKey("n").level(LogLevel.INFO)
                .ts(Instant.parse("9999-12-31T23:59:59.999999Z")).message("m").build().withSeq(1);
        enc.encode(last);
        assertEquals(header + 2 + 4 * 11 + 16 + 16 + 8 + 1 + 8 + 4 + 1, enc.size());
        enc.reset();
        assertEquals(header, enc.size(), "reset keeps only the header");
    }

    @Test
    void encodingAfterTheTrailerNeedsAReset() {
        BinaryCopyEncoder enc = new BinaryCopyEncoder();
        LogEntry e = LogEntry.builder().workflowId(WF).runId(RUN).nodeKey("n").level(LogLevel.INFO).message("m").build().withSeq(1);
        enc.encode(e);
        enc.asInputStream();
        assertThrows(IllegalStateException.class, () -> enc.encode(e));
        enc.reset();
        enc.encode(e);
        assertEquals(" (FORMAT binary)", enc.copyOptions());
        assertEquals(BinaryCopyEncoder.class, CopyRows.of(CopyFormat.BINARY).getClass());
        assertEquals(CopyEncoder.class, CopyRows.of(CopyFormat.TEXT).getClass());
    }

    /**
     * A streaming COPY drains each chunk once encoded: the chunks sent one after another are byte for byte the whole
     * stream (one header, one trailer), in both formats, and the buffer does not grow with the batch.
     */
    @Test
    void chunksDroppedOnceSentAddUpToTheWholeStream() throws IOException {
        for (CopyFormat format : CopyFormat.values()) {
            List<LogEntry> rows = new java.util.ArrayList<>();
            for (int i = 1; i <= 4_000; i++) {
                rows.add(LogEntry.builder().workflowId(WF).runId(RUN).nodeKey("node-" + (i % 7)).level(LogLevel.INFO)
                        .ts(Instant.parse("2026-12-02T10:00:00Z").plusMillis(i)).message("row " + i + " \u00e9\t\\ \ud83d\ude00")
                        .build().withSeq(i));
            }
            CopyRows whole = CopyRows.of(format);
            whole.encode(rows);
            byte[] expected = whole.asInputStream().readAllBytes();

            CopyRows streaming = CopyRows.of(format);
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            for (int i = 0; i < rows.size(); i += 100) {
                streaming.encode(rows.subList(i, i + 100));
                try {
                    streaming.drainTo(sent::write);
                } catch (java.sql.SQLException e) {
                    throw new AssertionError(e);
                }
                assertEquals(0, streaming.size(), format + ": nothing held once drained");
            }
            streaming.finish();
            try {
                streaming.drainTo(sent::write);
            } catch (java.sql.SQLException e) {
                throw new AssertionError(e);
            }
            assertArrayEquals(expected, sent.toByteArray(), format + ": the chunks are the whole stream");
            org.junit.jupiter.api.Assertions.assertTrue(streaming.capacity() * 5 < expected.length,
                    format + ": a buffer of about one chunk (" + streaming.capacity() + " bytes) for " + expected.length + " bytes sent");
        }
    }
}
