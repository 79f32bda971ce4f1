package org.phong.zenflow.logging.sink.postgres;

import java.util.Arrays;
import java.util.List;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * What the two COPY encoders share: the growable byte array they write rows into, handing it out
 * ({@link #drainTo}), and the UTF-8 encoding of the characters that are not plain ASCII
 * ({@link #nonAscii}). Each encoder keeps its own loop over a string's characters, with its own
 * ASCII fast path (text escapes COPY's specials, binary writes them as they are), and calls
 * {@link #nonAscii} for the rest, so both write the same bytes for them.
 */
abstract sealed class CopyBuffer implements CopyRows permits CopyEncoder, BinaryCopyEncoder {
    /** Smallest buffer allocated. */
    private static final int MIN_BUFFER_BYTES = 64;
    /** Largest array the JVM reliably allocates (a few header words below Integer.MAX_VALUE). */
    private static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    byte[] buf;
    int len;

    /** @param initialCapacity the initial buffer size in bytes */
    CopyBuffer(int initialCapacity) {
        this.buf = new byte[Math.max(MIN_BUFFER_BYTES, initialCapacity)];
    }

    /**
     * Appends one entry as one row.
     *
     * @throws IllegalArgumentException when its ts lies outside the years 1..9999 (nothing of the row is left)
     */
    public abstract void encode(LogEntry e);

    /**
     * Appends the entries, one row each.
     *
     * @throws IllegalArgumentException when a ts lies outside the years 1..9999; the rows before it stay
     */
    @Override
    public final void encode(List<LogEntry> entries) {
        for (LogEntry e : entries) encode(e);
    }

    /** @return the number of encoded bytes */
    @Override
    public final int size() {
        return len;
    }

    /** @return the current buffer capacity in bytes (for callers that cap retained memory) */
    @Override
    public final int capacity() {
        return buf.length;
    }

    @Override
    public final void drainTo(Chunk out) throws java.sql.SQLException {
        if (len > 0) out.write(buf, 0, len);
        len = 0;
    }

    /**
     * Writes {@code s.charAt(i)}, which is NUL or not ASCII, as UTF-8: a surrogate pair as one 4-byte
     * sequence; NUL (a text column cannot hold it) and an unpaired surrogate (not encodable) as U+FFFD.
     * Makes room for it and for 3 bytes per character after it, so the caller's ASCII path seldom
     * has to.
     *
     * @return the index of the last character written: {@code i + 1} after a surrogate pair, else {@code i}
     */
    final int nonAscii(String s, int i) {
        int n = s.length();
        char c = s.charAt(i);
        if (c < 0x800 && c != 0) {
            ensure(2 + 3 * (n - i));
            buf[len++] = (byte) (0xC0 | (c >> 6));
            buf[len++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
            int cp = Character.toCodePoint(c, s.charAt(++i));
            ensure(4 + 3 * (n - i));
            buf[len++] = (byte) (0xF0 | (cp >> 18));
            buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            buf[len++] = (byte) (0x80 | (cp & 0x3F));
        } else {
            if (c == 0 || Character.isSurrogate(c)) c = '\uFFFD';
            ensure(3 + 3 * (n - i));
            buf[len++] = (byte) (0xE0 | (c >> 12));
            buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            buf[len++] = (byte) (0x80 | (c & 0x3F));
        }
        return i;
    }

    /** Makes room for {@code extra} more bytes, growing the buffer by at least half. */
    final void ensure(int extra) {
        int need = len + extra;
        if (need < 0) throw new OutOfMemoryError("COPY buffer would exceed 2 GiB");
        if (need > buf.length) {
            int cap = Math.max(need, buf.length + (buf.length >> 1));
            if (cap < 0) cap = MAX_ARRAY_BYTES;
            buf = Arrays.copyOf(buf, cap);
        }
    }
}
