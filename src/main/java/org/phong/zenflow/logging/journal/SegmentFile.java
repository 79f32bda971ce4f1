package org.phong.zenflow.logging.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * @return the bases of the segment files in {@code dir}, ascending (files named like a segment only:
     *         anything else in the directory is not the journal's)
     */
    static List<Long> bases(Path dir) throws IOException {
        List<Long> bases = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path p : ds) {
                long b = baseOf(p.getFileName().toString());
                if (b >= 0) bases.add(b);
            }
        }
        bases.sort(null);
        return bases;
    }

    static ByteBuffer header(long base) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        h.putInt(MAGIC).putInt(VERSION).putLong(base).flip();
        return h;
    }

    /**
     * A damaged byte range inside a segment that valid records follow: recovery overwrites it with one
     * padding record (so positions stay valid) after copying the segment aside.
     *
     * @param offset file offset of the first damaged byte (where the damaged record started)
     * @param length bytes up to the next valid record
     * @param reason what was wrong at {@code offset}
     */
    record Damage(long offset, long length, String reason) {
    }

    /**
     * What a scan found in one segment file.
     *
     * @param records   valid entry records, in order (padding not counted)
     * @param validEnd  file offset just past the last valid record or padding (where a truncation cuts)
     * @param fileSize  the file's size before any truncation
     * @param damage    why the scan stopped before the end of the file (a torn or damaged tail), or null
     * @param skipped   damaged ranges in the middle, each followed by a valid record (resynchronized past)
     * @param lastEntryEnd file offset just past the last entry record (padding after it holds nothing)
     */
    record Scan(long records, long validEnd, long fileSize, String damage, List<Damage> skipped, long lastEntryEnd) {
        Scan(long records, long validEnd, long fileSize, String damage) {
            this(records, validEnd, fileSize, damage, List.of(), validEnd);
        }

        long bytesCut() {
            return fileSize - validEnd;
        }

        /** @return true when recovery has to change the file (pad damaged ranges or cut a tail) */
        boolean damaged() {
            return damage != null || !skipped.isEmpty();
        }
    }

    /** Hears what a scan finds, in file order. */
    interface Visitor {
        /** @param e a valid entry */
        void entry(LogEntry e);

        /** A damaged range (or a damaged tail) comes next: the records it held are lost. */
        default void damage() {
        }
    }

    static Visitor entries(Consumer<LogEntry> sink) {
        return sink::accept;
    }

    /**
     * Reads a segment from the start, checking every record's frame and CRC32C, and hands each valid
     * entry to {@code sink} (may be null to only validate). At damage in the middle (a length out of
     * bounds, a checksum mismatch, a payload that does not decode) it resynchronizes: it looks forward for
     * the next offset where a whole record checks out (length in bounds, the payload's structure, CRC32C)
     * and goes on from there, so damage costs only the records it touches. Damage with no valid record
     * after it (a write cut short by a crash, a zero-filled or garbage tail) ends the scan.
     */
    static Scan scan(Path file, long expectedBase, Consumer<LogEntry> sink) throws IOException {
        return scanWith(file, expectedBase, sink == null ? null : entries(sink));
    }

    static Scan scanWith(Path file, long expectedBase, Visitor visitor) throws IOException {
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
            if (size > Integer.MAX_VALUE) throw new IOException(file + " is larger than a segment can be (" + size + " bytes)");
            // Read-only mapping: random access for resynchronization without copying the file.
            ByteBuffer data = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return records(data, (int) size, visitor);
        }
    }

    private static Scan records(ByteBuffer data, int size, Visitor visitor) {
        CRC32C crc = new CRC32C();
        int offset = HEADER_BYTES;
        long records = 0;
        int lastEntryEnd = HEADER_BYTES;
        List<Damage> skipped = new ArrayList<>();
        while (offset < size) {
            String why = invalidAt(data, offset, size, crc);
            if (why == null) {
                int length = data.getInt(offset);
                if (!RecordCodec.isPadding(data, offset + RecordCodec.FRAME_BYTES)) {
                    if (visitor != null) visitor.entry(RecordCodec.read(payload(data, offset, length)));
                    records++;
                    lastEntryEnd = offset + RecordCodec.FRAME_BYTES + length;
                }
                offset += RecordCodec.FRAME_BYTES + length;
                continue;
            }
            int next = nextValid(data, offset + 1, size, crc);
            if (visitor != null) visitor.damage();
            if (next < 0) {
                return new Scan(records, offset, size, why + " at offset " + offset, List.copyOf(skipped), lastEntryEnd);
            }
            skipped.add(new Damage(offset, next - offset, why + " at offset " + offset));
            offset = next;
        }
        return new Scan(records, offset, size, null, List.copyOf(skipped), lastEntryEnd);
    }

    private static ByteBuffer payload(ByteBuffer data, int offset, int length) {
        int from = offset + RecordCodec.FRAME_BYTES;
        return data.duplicate().position(from).limit(from + length).slice();
    }

    /** @return null when a whole valid record (entry or padding) starts at {@code offset}, else why not */
    static String invalidAt(ByteBuffer data, int offset, int size, CRC32C crc) {
        if (size - offset < RecordCodec.FRAME_BYTES) return "torn record frame";
        int length = data.getInt(offset);
        if (length < RecordCodec.MIN_PAYLOAD || length > RecordCodec.MAX_PAYLOAD) return "record length " + length + " out of bounds";
        if ((long) offset + RecordCodec.FRAME_BYTES + length > size) {
            return "torn record (" + length + " byte payload, " + (size - offset - RecordCodec.FRAME_BYTES) + " on disk)";
        }
        ByteBuffer p = payload(data, offset, length);
        // Structure before checksum: cheap, and it makes a false resynchronization point vanishingly rare.
        if (!RecordCodec.wellFormed(p.duplicate())) return "undecodable record";
        ByteBuffer lengthBytes = data.duplicate().position(offset).limit(offset + RecordCodec.LENGTH_BYTES);
        if (!RecordCodec.checksumMatches(lengthBytes, p, data.getInt(offset + RecordCodec.LENGTH_BYTES), crc)) return "checksum mismatch";
        return null;
    }

    /** @return the first offset at or after {@code from} where a valid record starts, or -1 */
    private static int nextValid(ByteBuffer data, int from, int size, CRC32C crc) {
        for (int o = from; o + RecordCodec.FRAME_BYTES + RecordCodec.MIN_PAYLOAD <= size; o++) {
            int length = data.getInt(o);
            if (length < RecordCodec.MIN_PAYLOAD || length > RecordCodec.MAX_PAYLOAD || (long) o + RecordCodec.FRAME_BYTES + length > size) {
                continue;
            }
            if (invalidAt(data, o, size, crc) == null) return o;
        }
        return -1;
    }

}
