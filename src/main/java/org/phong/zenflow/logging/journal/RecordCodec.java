package org.phong.zenflow.logging.journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;

/**
 * Binary form of one journal record (see package-info for the layout). Encoding runs on the router
 * worker, so it avoids JSON and reflection: fixed fields, then six length-prefixed UTF-8 strings.
 */
final class RecordCodec {
    /** length (4) + crc (4). */
    static final int FRAME_BYTES = 8;
    /** The frame's first field: the payload length (an int), covered by the checksum. */
    static final int LENGTH_BYTES = Integer.BYTES;
    /** Payload type of a log entry (the only type so far; the byte leaves room for others). */
    static final byte TYPE_ENTRY = 1;
    /**
     * Payload type of padding: recovery writes one over a damaged range that valid records follow, so the
     * positions of everything after it stay as they were. Readers skip it; it holds no entry.
     */
    static final byte TYPE_PADDING = 0;
    /** Smallest valid payload: type, 2 UUIDs, seq, ts seconds + nanos, level, 6 string lengths. */
    static final int MIN_PAYLOAD = 1 + 32 + 8 + 8 + 4 + 1 + 6 * 4;
    /** Largest payload accepted when reading; a longer length field is corruption. */
    static final int MAX_PAYLOAD = 64 * 1024 * 1024;
    private static final LogLevel[] LEVELS = LogLevel.values();
    private static final int NULL_STRING = -1;

    private RecordCodec() {
    }

    /** @return the framed record's size in bytes */
    static int framedSize(byte[][] strings) {
        int n = FRAME_BYTES + MIN_PAYLOAD;
        for (byte[] s : strings) if (s != null) n += s.length;
        return n;
    }

    /** @return the UTF-8 bytes of the six text fields (null stays null) */
    static byte[][] strings(LogEntry e) {
        return new byte[][]{utf8(e.nodeKey()), utf8(e.message()), utf8(e.errorCode()), utf8(e.metadata()),
                utf8(e.traceId()), utf8(e.hierarchy())};
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the framed record at {@code out}'s position; it must have {@link #framedSize} bytes left. */
    static void write(ByteBuffer out, LogEntry e, byte[][] strings, CRC32C crc) {
        int start = out.position();
        out.position(start + FRAME_BYTES);
        out.put(TYPE_ENTRY);
        out.putLong(e.workflowId().getMostSignificantBits()).putLong(e.workflowId().getLeastSignificantBits());
        out.putLong(e.runId().getMostSignificantBits()).putLong(e.runId().getLeastSignificantBits());
        out.putLong(e.seq());
        out.putLong(e.ts().getEpochSecond()).putInt(e.ts().getNano());
        out.put((byte) e.level().ordinal());
        for (byte[] s : strings) {
            if (s == null) {
                out.putInt(NULL_STRING);
            } else {
                out.putInt(s.length).put(s);
            }
        }
        int end = out.position();
        int payload = end - start - FRAME_BYTES;
        out.putInt(start, payload);
        crc.reset();
        // The checksum covers the length field too, so a flipped length is caught, not trusted.
        crc.update(out.duplicate().position(start).limit(start + LENGTH_BYTES));
        crc.update(out.duplicate().position(start + FRAME_BYTES).limit(end));
        out.putInt(start + 4, (int) crc.getValue());
        out.position(end);
    }

    /**
     * @param records framed records from position 0 to the limit (a write buffer)
     * @param written bytes of it that reached the file
     * @return the entries of the records not wholly written
     */
    static java.util.List<LogEntry> readFrom(ByteBuffer records, int written) {
        java.util.List<LogEntry> out = new java.util.ArrayList<>();
        int at = 0;
        while (at + FRAME_BYTES <= records.limit()) {
            int length = records.getInt(at);
            int end = at + FRAME_BYTES + length;
            if (end > records.limit()) break;
            if (end > written) out.add(read(records.duplicate().position(at + FRAME_BYTES).limit(end).slice()));
            at = end;
        }
        return out;
    }

    /** @return true when the payload starting at {@code at} is padding (its frame already checked) */
    static boolean isPadding(ByteBuffer data, int at) {
        return data.get(at) == TYPE_PADDING;
    }

    /**
     * Writes one padding record of exactly {@code framedBytes} bytes (at least FRAME_BYTES + MIN_PAYLOAD)
     * at {@code out}'s position: type byte 0, zeros, a valid checksum.
     */
    static void writePadding(ByteBuffer out, int framedBytes, CRC32C crc) {
        if (framedBytes < FRAME_BYTES + MIN_PAYLOAD) throw new IllegalArgumentException("padding too small: " + framedBytes);
        int start = out.position();
        int payload = framedBytes - FRAME_BYTES;
        out.putInt(payload).putInt(0).put(TYPE_PADDING);
        for (int i = 1; i < payload; i++) out.put((byte) 0);
        crc.reset();
        crc.update(out.duplicate().position(start).limit(start + LENGTH_BYTES));
        crc.update(out.duplicate().position(start + FRAME_BYTES).limit(start + framedBytes));
        out.putInt(start + LENGTH_BYTES, (int) crc.getValue());
    }

    /**
     * @param p a payload (position at its type byte)
     * @return true when it is padding (all zeros after the type) or an entry whose fixed fields and six
     *         string lengths add up to exactly the payload's length
     */
    static boolean wellFormed(ByteBuffer p) {
        int length = p.remaining();
        byte type = p.get(p.position());
        if (type == TYPE_PADDING) return true;
        if (type != TYPE_ENTRY) return false;
        int at = p.position() + 1 + 32 + 8 + 8 + 4;
        int level = p.get(at);
        if (level < 0 || level >= LEVELS.length) return false;
        at++;
        int end = p.position() + length;
        for (int i = 0; i < 6; i++) {
            if (at + 4 > end) return false;
            int n = p.getInt(at);
            at += 4;
            if (n == NULL_STRING) continue;
            if (n < 0 || n > end - at) return false;
            at += n;
        }
        return at == end;
    }

    /** @return true when {@code crcField} matches the length bytes and the payload */
    static boolean checksumMatches(ByteBuffer lengthBytes, ByteBuffer payload, int crcField, CRC32C crc) {
        crc.reset();
        crc.update(lengthBytes);
        crc.update(payload);
        return (int) crc.getValue() == crcField;
    }

    /**
     * @param p a payload whose checksum matched
     * @return the entry it holds
     * @throws IllegalArgumentException when the payload is not a well-formed entry
     */
    static LogEntry read(ByteBuffer p) {
        byte type = p.get();
        if (type != TYPE_ENTRY) throw new IllegalArgumentException("unknown record type " + type);
        UUID workflow = new UUID(p.getLong(), p.getLong());
        UUID run = new UUID(p.getLong(), p.getLong());
        long seq = p.getLong();
        Instant ts = Instant.ofEpochSecond(p.getLong(), p.getInt());
        int level = p.get();
        if (level < 0 || level >= LEVELS.length) throw new IllegalArgumentException("unknown level " + level);
        String nodeKey = string(p);
        String message = string(p);
        String errorCode = string(p);
        String metadata = string(p);
        String traceId = string(p);
        String hierarchy = string(p);
        if (p.hasRemaining()) throw new IllegalArgumentException(p.remaining() + " stray bytes after the entry");
        // Written by append() from a built entry and checked by the record's CRC: not validated again.
        return LogEntry.restore(workflow, run, seq, nodeKey, ts, LEVELS[level], message, errorCode, metadata, traceId, hierarchy);
    }

    private static String string(ByteBuffer p) {
        int n = p.getInt();
        if (n == NULL_STRING) return null;
        if (n < 0 || n > p.remaining()) throw new IllegalArgumentException("bad string length " + n);
        if (p.hasArray()) {
            String s = new String(p.array(), p.arrayOffset() + p.position(), n, StandardCharsets.UTF_8);
            p.position(p.position() + n);
            return s;
        }
        byte[] b = new byte[n];   // a mapped file (recovery)
        p.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
