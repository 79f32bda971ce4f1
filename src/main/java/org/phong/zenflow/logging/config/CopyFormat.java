package org.phong.zenflow.logging.config;

/**
 * The COPY format the PostgreSQL sink writes ({@code zenflow.logging.durable.persistence.copy-format}).
 * BINARY spares the server parsing each field's text (see docs/benchmark.md for the measured
 * difference); TEXT is the format anyone can read in a packet capture or replay with psql.
 */
public enum CopyFormat {
    /** {@code COPY ... FROM STDIN}, tab-separated text. */
    TEXT,
    /** {@code COPY ... FROM STDIN (FORMAT binary)}, the PGCOPY format. */
    BINARY
}
