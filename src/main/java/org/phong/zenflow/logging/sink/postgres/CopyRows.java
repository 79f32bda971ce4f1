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

    /** @return the buffer's capacity in bytes (callers cap retained memory) */
    int capacity();

    /** @return the complete COPY data, without copying; valid until the next encode or reset */
    InputStream asInputStream();

    /** Ends the data (binary: its trailer; text: nothing); encoding more needs a {@link #reset()}. */
    void finish();

    /**
     * Hands the bytes encoded since the last drain (or {@link #reset()}) to {@code out} without copying them, then
     * forgets them, keeping what the COPY in progress still needs (the binary header goes with the first chunk and is
     * not written again): a COPY that streams while rows are still being encoded (the server parses chunk k while
     * chunk k+1 is encoded) through a buffer of one chunk, whatever the statement's size. Once drained the encoder
     * no longer holds a whole COPY stream; the next statement starts with a {@link #reset()}.
     */
    void drainTo(Chunk out) throws java.sql.SQLException;

    /** Receives encoded bytes ({@code CopyIn::writeToCopy}). */
    @FunctionalInterface
    interface Chunk {
        void write(byte[] bytes, int offset, int length) throws java.sql.SQLException;
    }
}
