package org.phong.zenflow.logging.sink.postgres;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * Encodes log entries as PostgreSQL {@code COPY ... FROM STDIN} <em>text</em> format, UTF-8, in
 * the column order of {@link #COLUMNS}.
 *
 * <p>Format: one line per entry, fields separated by TAB, line ended by LF, {@code \N} for SQL NULL.
 * Inside a field: {@code \} becomes {@code \\}, LF {@code \n}, CR {@code \r}, TAB {@code \t}, every
 * other C0 control character and DEL become a three-digit octal escape ({@code \001}, {@code \033},
 * {@code \177}), so a line never contains a raw control byte and a field can never be mistaken for
 * the {@code \.} end marker or a NULL. NUL (which text columns cannot hold; {@link LogEntry} already
 * replaces it) and unpaired surrogates are written as U+FFFD. Everything else is written as UTF-8
 * (pgjdbc always sets {@code client_encoding=UTF8}).
 *
 * <p>Timestamps: {@code yyyy-MM-dd HH:mm:ss.SSSSSS+00}, i.e. UTC, always six fraction digits and
 * <em>truncated</em> to microseconds ({@link #truncate}). PostgreSQL would round a seventh digit, so
 * truncating here is what makes {@code (run_id, seq, ts)} of a replayed entry hit the same key, and
 * what a reader compares against. Years outside 1..9999 are rejected.
 *
 * <p>Hot path: characters go straight into one growable byte array (no per-field Strings, no
 * {@code CharsetEncoder}); an instance is reused across batches via {@link #reset()}. Not
 * thread-safe.
 */
public final class CopyEncoder extends CopyBuffer {
    /** Bytes per row to allocate up front in {@link #encodeToBytes} (the buffer grows as needed). */
    private static final int TYPICAL_ROW_BYTES = 256;

    /** The COPY column list, in encoding order. */
    public static final String COLUMNS =
            "workflow_id, run_id, seq, node_key, ts, level, message, error_code, metadata, trace_id, hierarchy";

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] NULL = {'\\', 'N'};
    private static final int INITIAL = 64 * 1024;

    /** Creates an encoder with a 64 KiB initial buffer. */
    public CopyEncoder() {
        this(INITIAL);
    }

    /** @param initialCapacity the initial buffer size in bytes */
    public CopyEncoder(int initialCapacity) {
        super(initialCapacity);
    }

    /**
     * Convenience for tests and one-off use.
     *
     * @param entries the entries
     * @return the COPY text bytes of the entries
     */
    public static byte[] encodeToBytes(List<LogEntry> entries) {
        CopyEncoder e = new CopyEncoder(entries.size() * TYPICAL_ROW_BYTES);
        e.encode(entries);
        return e.toByteArray();
    }

    /**
     * The instant PostgreSQL will store: truncated (not rounded) to microseconds. Use it wherever a
     * stored ts is compared to an in-memory one.
     *
     * @param ts an instant
     * @return {@code ts} truncated to microseconds
     */
    public static Instant truncate(Instant ts) {
        return ts.truncatedTo(ChronoUnit.MICROS);
    }

    /** @return "": text is COPY's default format */
    @Override
    public String copyOptions() {
        return "";
    }

    /** Forgets the encoded bytes, keeping the buffer. */
    @Override
    public void reset() {
        len = 0;
    }

    /** @return a copy of the encoded bytes */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    /** @return a stream over the encoded bytes, without copying; invalid after the next encode/reset */
    @Override
    public InputStream asInputStream() {
        return new ByteArrayInputStream(buf, 0, len);
    }

    /** Text COPY data has no trailer. */
    @Override
    public void finish() {
        // nothing to add
    }

    /**
     * Appends one entry as one line.
     *
     * @param e the entry
     * @throws IllegalArgumentException when its ts lies outside the years 1..9999
     */
    @Override
    public void encode(LogEntry e) {
        int start = len;
        try {
            uuid(e.workflowId());
            tab();
            uuid(e.runId());
            tab();
            decimal(e.seq());
            tab();
            text(e.nodeKey());
            tab();
            timestamp(e.ts());
            tab();
            ascii(e.level().name());
            tab();
            text(e.message());
            tab();
            text(e.errorCode());
            tab();
            text(e.metadata());
            tab();
            text(e.traceId());
            tab();
            text(e.hierarchy());
            put((byte) '\n');
        } catch (IllegalArgumentException ex) {
            len = start; // never leave half a line behind
            throw ex;
        }
    }

    // ---- fields -------------------------------------------------------------------------------

    private void tab() {
        put((byte) '\t');
    }

    private void uuid(UUID u) {
        ensure(36);
        hex(u.getMostSignificantBits() >>> 32, 8);
        buf[len++] = '-';
        hex(u.getMostSignificantBits() >>> 16, 4);
        buf[len++] = '-';
        hex(u.getMostSignificantBits(), 4);
        buf[len++] = '-';
        hex(u.getLeastSignificantBits() >>> 48, 4);
        buf[len++] = '-';
        hex(u.getLeastSignificantBits(), 12);
    }

    /** Writes the low {@code digits} hex digits of {@code v}; capacity already ensured. */
    private void hex(long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            buf[len + i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
        len += digits;
    }

    private void decimal(long v) {
        ensure(20);
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                ascii(Long.toString(v));
                return;
            }
            buf[len++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long t = v / 10; t != 0; t /= 10) digits++;
        for (int i = digits - 1; i >= 0; i--) {
            buf[len + i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        len += digits;
    }

    private void fixed(int v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            buf[len + i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        len += digits;
    }

    private void timestamp(Instant ts) {
        long sec = ts.getEpochSecond();
        long day = Math.floorDiv(sec, 86_400L);
        int secOfDay = (int) Math.floorMod(sec, 86_400L);
        LocalDate d = LocalDate.ofEpochDay(day);
        int year = d.getYear();
        if (year < 1 || year > 9999) {
            throw new IllegalArgumentException("ts " + ts + " is outside the years 1..9999 that the log store accepts");
        }
        ensure(29);
        fixed(year, 4);
        buf[len++] = '-';
        fixed(d.getMonthValue(), 2);
        buf[len++] = '-';
        fixed(d.getDayOfMonth(), 2);
        buf[len++] = ' ';
        fixed(secOfDay / 3600, 2);
        buf[len++] = ':';
        fixed(secOfDay / 60 % 60, 2);
        buf[len++] = ':';
        fixed(secOfDay % 60, 2);
        buf[len++] = '.';
        fixed(ts.getNano() / 1000, 6); // truncation to micros, same as truncate(ts)
        buf[len++] = '+';
        buf[len++] = '0';
        buf[len++] = '0';
    }

    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) buf[len++] = (byte) s.charAt(i);
    }

    private void text(String s) {
        if (s == null) {
            put(NULL[0]);
            put(NULL[1]);
            return;
        }
        int n = s.length();
        ensure(n); // exact for ASCII; ensure() again only when escapes or multibyte need more
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                if (c == '\\') {
                    ensure(2 + n - i);
                    buf[len++] = '\\';
                    buf[len++] = '\\';
                } else {
                    if (len == buf.length) ensure(1 + n - i);
                    buf[len++] = (byte) c;
                }
            } else if (c < 0x80) {
                controlChar(c, n - i);
            } else {
                i = nonAscii(s, i);
            }
        }
    }

    /** C0 controls and DEL: named escapes for the three COPY must escape, octal for the rest. */
    private void controlChar(char c, int remaining) {
        ensure(4 + 3 * remaining);
        switch (c) {
            case '\n' -> {
                buf[len++] = '\\';
                buf[len++] = 'n';
            }
            case '\r' -> {
                buf[len++] = '\\';
                buf[len++] = 'r';
            }
            case '\t' -> {
                buf[len++] = '\\';
                buf[len++] = 't';
            }
            case '\u0000' -> { // cannot be stored in text; LogEntry already maps it, be safe anyway
                buf[len++] = (byte) 0xEF;
                buf[len++] = (byte) 0xBF;
                buf[len++] = (byte) 0xBD;
            }
            default -> {
                buf[len++] = '\\';
                buf[len++] = (byte) ('0' + ((c >> 6) & 7));
                buf[len++] = (byte) ('0' + ((c >> 3) & 7));
                buf[len++] = (byte) ('0' + (c & 7));
            }
        }
    }

    private void put(byte b) {
        if (len == buf.length) ensure(1);
        buf[len++] = b;
    }
}
