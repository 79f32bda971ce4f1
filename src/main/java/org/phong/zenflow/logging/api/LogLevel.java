package org.phong.zenflow.logging.api;

/**
 * Severity of a {@link LogEntry}, lowest first. The order matters: backpressure never drops
 * {@link #WARN} or {@link #ERROR}, and readers filter with "this level or above".
 */
public enum LogLevel {
    /** Diagnostic detail; the first to go under backpressure. */
    DEBUG,
    /** Normal progress of a node. */
    INFO,
    /** Something unexpected that the run survived; never dropped by backpressure. */
    WARN,
    /** A failure; never dropped by backpressure and flushed at once. */
    ERROR;

    /**
     * Compares severities (readers filter with "this level or above").
     *
     * @param other the level to compare with
     * @return true when this level is {@code other} or more severe
     */
    public boolean isAtLeast(LogLevel other) {
        return ordinal() >= other.ordinal();
    }

    /**
     * Tells whether backpressure may drop entries of this level.
     *
     * @return true for DEBUG and INFO
     */
    public boolean isSheddable() {
        return this == DEBUG || this == INFO;
    }

    /**
     * Parses a level name, case-insensitively.
     *
     * @param field the name of the field being parsed, for the error
     * @param text  the level name
     * @return the level
     * @throws InvalidLogEntryException naming {@code field} when the text is no level
     */
    public static LogLevel parse(String field, String text) {
        return EnumNames.parse(LogLevel.class, field, text);
    }
}
