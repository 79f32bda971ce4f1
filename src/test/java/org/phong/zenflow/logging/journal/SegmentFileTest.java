package org.phong.zenflow.logging.journal;

import static org.phong.zenflow.logging.journal.JournalFiles.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.testing.Entries;

/**
 * Segment file names, headers and the record scan on hand-made files: every kind of damage the
 * scan must stop at (and where it stops), and payloads that pass the checksum but do not decode.
 */
class SegmentFileTest {
    /** Offset of the level byte in a payload: type, 2 UUIDs, seq, ts seconds + nanos. */
    private static final int LEVEL_OFFSET = 1 + 32 + 8 + 8 + 4;

    private static final java.util.UUID WORKFLOW = java.util.UUID.fromString("00000000-0000-0000-0000-0000000000aa");
    private static final java.util.UUID RUN = java.util.UUID.fromString("00000000-0000-0000-0000-0000000000bb");

    @TempDir
    Path dir;

    private static byte[] payloadOf(byte[] framed) {
        byte[] p = new byte[framed.length - RecordCodec.FRAME_BYTES];
        System.arraycopy(framed, RecordCodec.FRAME_BYTES, p, 0, p.length);
        return p;
    }

    /** Frames a payload with a correct length and checksum (so only decoding can reject it). */
    private static byte[] frame(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(RecordCodec.FRAME_BYTES + payload.length);
        b.putInt(payload.length).putInt(0).put(payload);
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, RecordCodec.LENGTH_BYTES);
        c.update(b.array(), RecordCodec.FRAME_BYTES, payload.length);
        b.putInt(4, (int) c.getValue());
        return b.array();
    }

    private static LogEntry entry(long seq) {
        return Entries.valid().workflowId(WORKFLOW).runId(RUN).message("m" + seq).build().withSeq(seq);
    }

    private Path segment(long base, byte[]... parts) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = SegmentFile.header(base);
        out.write(h.array(), 0, h.limit());
        for (byte[] p : parts) out.write(p);
        Path f = dir.resolve(SegmentFile.name(base));
        Files.write(f, out.toByteArray());
        return f;
    }

    private static List<LogEntry> read(Path f, long base, SegmentFile.Scan[] scan) throws Exception {
        List<LogEntry> out = new ArrayList<>();
        scan[0] = SegmentFile.scan(f, base, out::add);
        return out;
    }

    @Test
    void onlyTwentyDigitNamesWithPrefixAndSuffixAreSegments() {
        assertEquals(123, SegmentFile.baseOf(SegmentFile.name(123)));
        assertEquals("journal-00000000000000000123.seg", SegmentFile.name(123));
        assertEquals(-1, SegmentFile.baseOf("positions.properties"));
        assertEquals(-1, SegmentFile.baseOf("journal-00000000000000000123.tmp"));
        assertEquals(-1, SegmentFile.baseOf("journal-123.seg"));
        assertEquals(-1, SegmentFile.baseOf("journal-0000000000000000012x.seg"));
    }

    @Test
    void aCleanSegmentScansToItsEndWithoutDamage() throws Exception {
        byte[] a = record(entry(1));
        byte[] b = record(entry(2));
        Path f = segment(0, a, b);
        SegmentFile.Scan[] s = new SegmentFile.Scan[1];
        assertEquals(List.of(entry(1), entry(2)), read(f, 0, s));
        assertNull(s[0].damage());
        assertEquals(2, s[0].records());
        assertEquals(Files.size(f), s[0].validEnd());
        assertEquals(0, s[0].bytesCut());
        // validation only (no sink) counts the same records
        assertEquals(2, SegmentFile.scan(f, 0, null).records());
    }

    @Test
    void aHeaderCutShortOrNotOursHasNoValidRecord() throws Exception {
        Path shortFile = dir.resolve(SegmentFile.name(0));
        Files.write(shortFile, new byte[10]);
        SegmentFile.Scan s = SegmentFile.scan(shortFile, 0, null);
        assertEquals(0, s.records());
        assertEquals(10, s.bytesCut());
        assertTrue(s.damage().contains("header cut short (10 bytes)"), s.damage());

        byte[] rec = record(entry(1));
        Path good = segment(64, rec);
        assertTrue(SegmentFile.scan(good, 65, null).damage().contains("expected 65"), "a base other than the name's");
        byte[] bytes = Files.readAllBytes(good);
        ByteBuffer.wrap(bytes).putInt(4, SegmentFile.VERSION + 1);
        Files.write(good, bytes);
        SegmentFile.Scan v = SegmentFile.scan(good, 64, null);
        assertEquals(0, v.records());
        assertTrue(v.damage().contains("bad header") && v.damage().contains("version 2"), v.damage());
        ByteBuffer.wrap(bytes).putInt(4, SegmentFile.VERSION).putInt(0, 0);
        Files.write(good, bytes);
        assertTrue(SegmentFile.scan(good, 64, null).damage().contains("magic 0"));
    }

    @Test
    void aZeroFilledTailIsALengthOutOfBoundsAfterTheLastRecord() throws Exception {
        byte[] a = record(entry(1));
        Path f = segment(0, a, new byte[4096]);
        SegmentFile.Scan[] s = new SegmentFile.Scan[1];
        assertEquals(List.of(entry(1)), read(f, 0, s));
        assertEquals(SegmentFile.HEADER_BYTES + a.length, s[0].validEnd());
        assertEquals(4096, s[0].bytesCut());
        assertTrue(s[0].damage().contains("record length 0 out of bounds"), s[0].damage());
    }

    @Test
    void aHugeLengthFieldIsCorruptionNotAnAllocation() throws Exception {
        byte[] a = record(entry(1));
        Path f = segment(0, a, ByteBuffer.allocate(16).putInt(RecordCodec.MAX_PAYLOAD + 1).array());
        SegmentFile.Scan s = SegmentFile.scan(f, 0, null);
        assertEquals(1, s.records());
        assertTrue(s.damage().contains("out of bounds"), s.damage());
    }

    @Test
    void aTornFrameAndATornPayloadAreBothCutAtTheRecordStart() throws Exception {
        byte[] a = record(entry(1));
        byte[] b = record(entry(2));
        long end = SegmentFile.HEADER_BYTES + a.length;
        byte[] frameOnly = java.util.Arrays.copyOf(b, 5);
        SegmentFile.Scan s = SegmentFile.scan(segment(0, a, frameOnly), 0, null);
        assertEquals(1, s.records());
        assertEquals(end, s.validEnd());
        assertTrue(s.damage().startsWith("torn record frame at offset " + end), s.damage());

        byte[] halfPayload = java.util.Arrays.copyOf(b, b.length / 2);
        SegmentFile.Scan t = SegmentFile.scan(segment(0, a, halfPayload), 0, null);
        assertEquals(end, t.validEnd());
        assertTrue(t.damage().startsWith("torn record") && t.damage().endsWith("at offset " + end), t.damage());
    }

    @Test
    void aRecordWithAGoodChecksumThatDoesNotDecodeIsDamage() throws Exception {
        byte[] a = record(entry(1));
        byte[] p = payloadOf(record(entry(2)));
        p[0] = 2; // a record type this version does not know
        Path f = segment(0, a, frame(p), record(entry(3)));
        SegmentFile.Scan[] s = new SegmentFile.Scan[1];
        assertEquals(List.of(entry(1), entry(3)), read(f, 0, s), "the scan resynchronizes at the next valid record");
        assertNull(s[0].damage(), "a valid record follows: no tail is cut");
        assertEquals(1, s[0].skipped().size());
        assertEquals(SegmentFile.HEADER_BYTES + a.length, s[0].skipped().get(0).offset());
        assertTrue(s[0].skipped().get(0).reason().contains("undecodable record"), s[0].skipped().get(0).reason());
    }

    @Test
    void aRecordLargerThanTheReadChunkIsReadWhole() throws Exception {
        LogEntry big = Entries.valid().workflowId(WORKFLOW).runId(RUN).message("x".repeat(3 << 20 >> 1)).build().withSeq(9); // 1.5 MiB
        Path f = segment(0, record(entry(1)), record(big), record(entry(2)));
        SegmentFile.Scan[] s = new SegmentFile.Scan[1];
        assertEquals(List.of(entry(1), big, entry(2)), read(f, 0, s));
        assertNull(s[0].damage());
    }

    @Test
    void decodingRejectsUnknownLevelsBadStringLengthsAndStrayBytes() {
        byte[] p = payloadOf(record(entry(1)));
        byte[] level = p.clone();
        level[LEVEL_OFFSET] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecordCodec.read(ByteBuffer.wrap(level)))
                .getMessage().contains("unknown level 9"));
        byte[] badString = p.clone();
        ByteBuffer.wrap(badString).putInt(LEVEL_OFFSET + 1, -5);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecordCodec.read(ByteBuffer.wrap(badString)))
                .getMessage().contains("bad string length -5"));
        byte[] tooLong = p.clone();
        ByteBuffer.wrap(tooLong).putInt(LEVEL_OFFSET + 1, p.length);
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.read(ByteBuffer.wrap(tooLong)));
        byte[] stray = java.util.Arrays.copyOf(p, p.length + 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecordCodec.read(ByteBuffer.wrap(stray)))
                .getMessage().contains("3 stray bytes"));
        assertEquals(entry(1), RecordCodec.read(ByteBuffer.wrap(p)));
    }
}
