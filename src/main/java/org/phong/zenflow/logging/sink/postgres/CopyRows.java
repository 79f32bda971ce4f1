package org.phong.zenflow.logging.sink.postgres;

import java.io.InputStream;
import java.util.List;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.CopyFormat;

/**
 * Rows of one {@code COPY logs FROM STDIN} statement, encoded in one of PostgreSQL's COPY formats
 * ({@link CopyEncoder}: text; {@link BinaryCopyEncoder}: binary), in the column order of
 * {@link CopyEncoder#COLUMNS}. An instance is reused across statements through {@link #reset()};
 * not thread-safe.
 */
public interface CopyRows {
    /** @return a fresh encoder of {@code format} */
    static CopyRows of(CopyFormat format) {
        return format == CopyFormat.BINARY ? new BinaryCopyEncoder() : new CopyEncoder();
    }

    /** @return the option clause appended to {@code COPY ... FROM STDIN} ("" for text) */
    String copyOptions();

    /**
     * Appends the entries, one row each.
     *
     * @throws IllegalArgumentException when an entry cannot be stored (ts outside years 1..9999); the rows before it stay
     */
    void encode(List<LogEntry> entries);

    /** Forgets the rows, keeping the buffer. */
    void reset();

    /** @return encoded bytes */
    int size();

    /** @return true when no row is encoded (since creation or the last {@link #reset()}) */
    boolean isEmpty();

    /** @return the buffer's capacity in bytes (callers cap retained memory) */
    int capacity();

    /** @return the complete COPY data, without copying; valid until the next encode or reset */
    InputStream asInputStream();

    /** Ends the data (binary: its trailer; text: nothing); encoding more needs a {@link #reset()}. */
    void finish();

    /**
     * Hands the bytes encoded since {@code from} to {@code out} without copying them: a COPY that streams
     * while rows are still being encoded (the server parses chunk k while chunk k+1 is encoded).
     *
     * @param from a value this method returned before, or 0 for the start
     * @return the end of what was handed over (the next call's {@code from})
     */
    int emit(int from, Chunk out) throws java.sql.SQLException;

    /**
     * Forgets the bytes handed over by {@link #emit} so far, keeping what a COPY in progress still needs (the binary
     * header is not written again): a streaming COPY sends a batch of any size through a buffer of one chunk. The
     * encoder no longer holds a whole COPY stream until the next {@link #reset()}.
     */
    void dropEmitted();

    /** Receives encoded bytes ({@code CopyIn::writeToCopy}). */
    @FunctionalInterface
    interface Chunk {
        void write(byte[] bytes, int offset, int length) throws java.sql.SQLException;
    }
}
