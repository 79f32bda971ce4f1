package org.phong.zenflow.logging.sink.postgres;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * Encodes log entries as PostgreSQL {@code COPY ... FROM STDIN (FORMAT binary)} (the {@code PGCOPY}
 * format), in the column order of {@link CopyEncoder#COLUMNS}: the server takes each field with its
 * type's binary receive function instead of parsing text, which saves it the UUID, bigint and
 * timestamp parsing and the escape scanning of every text field.
 *
 * <p>Format: an 11-byte signature {@code PGCOPY\n\377\r\n\0}, a 32-bit flags word (0: no OIDs) and a
 * 32-bit header-extension length (0); per row a 16-bit field count (11) and per field a 32-bit byte
 * length ({@code -1} for NULL) followed by the bytes; a 16-bit {@code -1} trailer. All integers are
 * big-endian. Field encodings: {@code uuid} 16 bytes (most significant long first); {@code bigint}
 * 8 bytes; {@code timestamptz} the 64-bit count of microseconds since 2000-01-01 00:00 UTC
 * (<em>truncated</em>, as {@link CopyEncoder#truncate}); {@code text} its UTF-8 bytes, unescaped;
 * {@code jsonb} a version byte 1 then the JSON text.
 *
 * <p>Same contract as {@link CopyEncoder}: ts outside years 1..9999 is refused (and the row left
 * out whole), NUL and unpaired surrogates become U+FFFD (binary text cannot hold NUL either).
 * The trailer is written by {@link #asInputStream()}; encoding more after it needs a {@link #reset()}.
 * Not thread-safe; reuse with {@link #reset()}.
 */
public final class BinaryCopyEncoder extends CopyBuffer {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    private static final int HEADER_BYTES = SIGNATURE.length + 8;
    private static final short FIELDS = 11;
    /** 2000-01-01T00:00:00Z in epoch seconds: PostgreSQL's timestamp epoch. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;
    private static final long MICROS_PER_SECOND = 1_000_000L;
    private static final int NANOS_PER_MICRO = 1000;
    /** Epoch seconds of 0001-01-01T00:00:00Z and of the first instant after 9999-12-31T23:59:59.999999Z. */
    private static final long MIN_SECONDS = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    private static final long MAX_SECONDS_EXCLUSIVE = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();
    private static final byte JSONB_VERSION = 1;
    private static final int INITIAL = 64 * 1024;
    private static final byte[][] LEVELS;

    static {
        org.phong.zenflow.logging.api.LogLevel[] v = org.phong.zenflow.logging.api.LogLevel.values();
        LEVELS = new byte[v.length][];
        for (int i = 0; i < v.length; i++) LEVELS[i] = v[i].name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private boolean finished;

    /** Creates an encoder with a 64 KiB initial buffer. */
    public BinaryCopyEncoder() {
        this(INITIAL);
    }

    /** @param initialCapacity the initial buffer size in bytes */
    public BinaryCopyEncoder(int initialCapacity) {
        super(initialCapacity);
        reset();
    }

    /** @return the COPY option clause of this format */
    @Override
    public String copyOptions() {
        return " (FORMAT binary)";
    }

    /** Forgets the encoded rows, keeping the buffer; the header is in place for the next rows. */
    @Override
    public void reset() {
        System.arraycopy(SIGNATURE, 0, buf, 0, SIGNATURE.length);
        len = SIGNATURE.length;
        int32(0); // flags
        int32(0); // header extension length
        finished = false;
    }

    /** @return a copy of the whole COPY stream (with the trailer) */
    public byte[] toByteArray() {
        finish();
        return Arrays.copyOf(buf, len);
    }

    /** @return a stream over the whole COPY stream (with the trailer), without copying; valid until the next reset */
    @Override
    public InputStream asInputStream() {
        finish();
        return new ByteArrayInputStream(buf, 0, len);
    }

    @Override
    public void finish() {
        if (finished) return;
        ensure(2);
        int16(-1);
        finished = true;
    }

    /**
     * Appends one entry as one row.
     *
     * @throws IllegalArgumentException when its ts lies outside the years 1..9999 (nothing of the row is left)
     */
    @Override
    public void encode(LogEntry e) {
        if (finished) throw new IllegalStateException("the COPY stream is finished; reset() before encoding more");
        long sec = e.ts().getEpochSecond();
        if (sec < MIN_SECONDS || sec >= MAX_SECONDS_EXCLUSIVE) {
            throw new IllegalArgumentException("ts " + e.ts() + " is outside the years 1..9999 that the log store accepts");
        }
        ensure(2 + 2 * 20 + 12);
        int16(FIELDS);
        uuid(e.workflowId());
        uuid(e.runId());
        int32(8);
        int64(e.seq());
        text(e.nodeKey());
        ensure(12);
        int32(8);
        int64((sec - PG_EPOCH_SECONDS) * MICROS_PER_SECOND + e.ts().getNano() / NANOS_PER_MICRO);
        byte[] level = LEVELS[e.level().ordinal()];
        ensure(4 + level.length);
        int32(level.length);
        System.arraycopy(level, 0, buf, len, level.length);
        len += level.length;
        text(e.message());
        text(e.errorCode());
        jsonb(e.metadata());
        text(e.traceId());
        text(e.hierarchy());
    }

    // ---- fields -------------------------------------------------------------------------------

    private void uuid(UUID u) {
        int32(16);
        int64(u.getMostSignificantBits());
        int64(u.getLeastSignificantBits());
    }

    private void jsonb(String json) {
        if (json == null) {
            ensure(4);
            int32(-1);
            return;
        }
        int at = reserveLength();
        ensure(1);
        buf[len++] = JSONB_VERSION;
        utf8(json);
        patchLength(at);
    }

    private void text(String s) {
        if (s == null) {
            ensure(4);
            int32(-1);
            return;
        }
        int at = reserveLength();
        utf8(s);
        patchLength(at);
    }

    private int reserveLength() {
        ensure(4);
        int at = len;
        len += 4;
        return at;
    }

    private void patchLength(int at) {
        int n = len - at - 4;
        buf[at] = (byte) (n >>> 24);
        buf[at + 1] = (byte) (n >>> 16);
        buf[at + 2] = (byte) (n >>> 8);
        buf[at + 3] = (byte) n;
    }

    /**
     * The hot loop of the sink (a fifth of its CPU in a profile): the buffer and the position live in
     * locals while the characters are ASCII, so the loop is a load, a compare and a store. Room: the
     * {@code ensure(n)} covers every remaining character as one byte, and {@link #nonAscii} ensures
     * three bytes for each character after the one it writes, so the ASCII path never checks.
     */
    private void utf8(String s) {
        int n = s.length();
        ensure(n); // exact for ASCII; more only when multibyte needs it
        byte[] b = buf;
        int p = len;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80 && c != 0) {
                b[p++] = (byte) c;
            } else {
                len = p;
                i = nonAscii(s, i); // NUL too: U+FFFD
                b = buf;
                p = len;
            }
        }
        len = p;
    }

    private void int16(int v) {
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void int32(int v) {
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void int64(long v) {
        for (int shift = 56; shift >= 0; shift -= 8) buf[len++] = (byte) (v >>> shift);
    }
}
