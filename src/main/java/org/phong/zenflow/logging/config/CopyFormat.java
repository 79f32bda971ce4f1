package org.phong.zenflow.logging.config;

/**
 * The COPY format the PostgreSQL sink writes ({@code zenflow.logging.durable.persistence.copy-format}).
 * TEXT (the default) measured faster than BINARY on the benchmark's rows (docs/benchmark.md);
 * BINARY spares the server parsing uuid, bigint and timestamp text, and is kept to be measured again
 * where statements are much larger.
 */
public enum CopyFormat {
    /** {@code COPY ... FROM STDIN}, tab-separated text. */
    TEXT,
    /** {@code COPY ... FROM STDIN (FORMAT binary)}, the PGCOPY format. */
    BINARY
}
