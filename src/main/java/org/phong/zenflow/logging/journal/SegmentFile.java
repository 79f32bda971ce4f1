package org.phong.zenflow.logging.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * Names, header and validation of one segment file. A segment is named by the journal position of
 * its first byte, so the files sort in journal order and a position names its file.
 */
final class SegmentFile {
    static final String PREFIX = "journal-";
    static final String SUFFIX = ".seg";
    /** "ZFJ1" */
    static final int MAGIC = 0x5A464A31;
    static final int VERSION = 1;
    /** magic (4) + version (4) + base position (8). */
    static final int HEADER_BYTES = 16;
    private static final int READ_CHUNK = 1 << 20;

    private SegmentFile() {
    }

    static String name(long base) {
        return PREFIX + String.format("%020d", base) + SUFFIX;
    }

    /** @return the base position named by a segment file name, or -1 when it is not one */
    static long baseOf(String fileName) {
        if (!fileName.startsWith(PREFIX) || !fileName.endsWith(SUFFIX)) return -1;
        String digits = fileName.substring(PREFIX.length(), fileName.length() - SUFFIX.length());
        if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit)) return -1;
        return Long.parseLong(digits);
    }

    static ByteBuffer header(long base) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        h.putInt(MAGIC).putInt(VERSION).putLong(base).flip();
        return h;
    }

    /**
     * What a scan found in one segment file.
     *
     * @param records   valid records, in order
     * @param validEnd  file offset just past the last valid record (where a truncation cuts)
     * @param fileSize  the file's size before any truncation
     * @param damage    why the scan stopped before the end of the file, or null when it did not
     */
    record Scan(long records, long validEnd, long fileSize, String damage) {
        long bytesCut() {
            return fileSize - validEnd;
        }
    }

    /**
     * Reads a segment from the start, checking every record's frame and CRC32C, and hands each valid
     * entry to {@code sink} (may be null to only validate). Stops at the first damage: a record cut
     * short (torn write), a length out of bounds, a checksum mismatch or a payload that does not decode.
     */
    static Scan scan(Path file, long expectedBase, Consumer<LogEntry> sink) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
            while (h.hasRemaining() && ch.read(h) >= 0) {
                // fill
            }
            if (h.hasRemaining()) return new Scan(0, 0, size, "header cut short (" + size + " bytes)");
            h.flip();
            int magic = h.getInt();
            int version = h.getInt();
            long base = h.getLong();
            if (magic != MAGIC || version != VERSION || base != expectedBase) {
                return new Scan(0, 0, size, "bad header (magic " + Integer.toHexString(magic) + ", version " + version
                        + ", base " + base + ", expected " + expectedBase + ")");
            }
            return records(ch, size, sink);
        }
    }

    private static Scan records(FileChannel ch, long size, Consumer<LogEntry> sink) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate(READ_CHUNK);
        buf.flip();
        long offset = HEADER_BYTES; // file offset of buf's position
        long records = 0;
        while (true) {
            if (!fill(ch, buf, RecordCodec.FRAME_BYTES)) {
                return buf.hasRemaining()
                        ? new Scan(records, offset, size, "torn record frame at offset " + offset)
                        : new Scan(records, offset, size, null);
            }
            int start = buf.position();
            int length = buf.getInt(start);
            int crcField = buf.getInt(start + 4);
            if (length < RecordCodec.MIN_PAYLOAD || length > RecordCodec.MAX_PAYLOAD) {
                return new Scan(records, offset, size, "record length " + length + " out of bounds at offset " + offset);
            }
            if (buf.capacity() < RecordCodec.FRAME_BYTES + length) {
                ByteBuffer bigger = ByteBuffer.allocate(RecordCodec.FRAME_BYTES + length);
                bigger.put(buf).flip();
                buf = bigger;
                start = 0;
            }
            if (!fill(ch, buf, RecordCodec.FRAME_BYTES + length)) {
                return new Scan(records, offset, size, "torn record at offset " + offset + " (" + length + " byte payload, "
                        + (size - offset - RecordCodec.FRAME_BYTES) + " on disk)");
            }
            start = buf.position();
            ByteBuffer lengthBytes = buf.duplicate().position(start).limit(start + RecordCodec.LENGTH_BYTES);
            ByteBuffer payload = buf.duplicate().position(start + RecordCodec.FRAME_BYTES)
                    .limit(start + RecordCodec.FRAME_BYTES + length);
            if (!RecordCodec.checksumMatches(lengthBytes, payload.duplicate(), crcField, crc)) {
                return new Scan(records, offset, size, "checksum mismatch at offset " + offset);
            }
            if (sink != null) {
                LogEntry e;
                try {
                    e = RecordCodec.read(payload.slice());
                } catch (RuntimeException ex) {
                    return new Scan(records, offset, size, "undecodable record at offset " + offset + ": " + ex.getMessage());
                }
                sink.accept(e);
            }
            buf.position(start + RecordCodec.FRAME_BYTES + length);
            offset += RecordCodec.FRAME_BYTES + length;
            records++;
        }
    }

    /** Ensures {@code need} bytes are readable in buf (compacting and reading); false at end of file. */
    private static boolean fill(FileChannel ch, ByteBuffer buf, int need) throws IOException {
        if (buf.remaining() >= need) return true;
        buf.compact();
        try {
            while (buf.position() < need) {
                if (ch.read(buf) < 0) return false;
            }
            return true;
        } finally {
            buf.flip();
        }
    }
}
