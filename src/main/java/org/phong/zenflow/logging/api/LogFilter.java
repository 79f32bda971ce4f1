package org.phong.zenflow.logging.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * What a reader wants to see of a run: the same filter for the stored history
 * ({@code PostgresLogReader}, in SQL), the download, the long-poll and the WebSocket live tail (in
 * Java, {@link #matches}). Every field is optional; {@link #ALL} passes everything.
 *
 * <p>The two sides agree: level is "this or more severe"; {@code nodeKey} is exact; {@code text} is
 * a case-insensitive substring of the message or the error code (SQL {@code ILIKE} with
 * {@code %}, {@code _} and {@code \} escaped; Java {@link String#regionMatches(boolean, int, String, int, int)},
 * equal for every script whose case folding is one character to one character); the time range is
 * half-open, {@code from <= ts < to}.
 *
 * @param minLevel only this level and more severe; null for all
 * @param nodeKey  only this node; null for all
 * @param text     only entries whose message or error code contains this, ignoring case; null for all
 * @param from     only entries at or after this instant; null for no lower bound
 * @param to       only entries before this instant; null for no upper bound
 */
public record LogFilter(LogLevel minLevel, String nodeKey, String text, Instant from, Instant to) {

    /** Everything passes. */
    public static final LogFilter ALL = new LogFilter(null, null, null, null, null);
    /** Longest accepted search text (characters): a search is a substring, not a document. */
    public static final int MAX_TEXT_CHARS = 200;

    /**
     * Normalises: DEBUG is "all", blank strings are absent.
     *
     * @param minLevel only this level and more severe; null for all
     * @param nodeKey  only this node; null for all
     * @param text     only entries whose message or error code contains this, ignoring case; null for all
     * @param from     only entries at or after this instant; null for no lower bound
     * @param to       only entries before this instant; null for no upper bound
     */
    public LogFilter {
        if (minLevel == LogLevel.DEBUG) minLevel = null;
        if (nodeKey != null && nodeKey.isBlank()) nodeKey = null;
        if (text != null && text.isEmpty()) text = null;
    }

    /**
     * Parses the query parameters every reading endpoint shares; each may be null or blank.
     *
     * @param minLevel {@code minLevel}: DEBUG, INFO, WARN or ERROR
     * @param nodeKey  {@code nodeKey}
     * @param q        {@code q}: the search text (at most {@link #MAX_TEXT_CHARS} characters)
     * @param from     {@code from}: an ISO-8601 instant
     * @param to       {@code to}: an ISO-8601 instant after {@code from}
     * @return the filter
     * @throws InvalidLogEntryException naming the first bad parameter
     */
    public static LogFilter parse(String minLevel, String nodeKey, String q, String from, String to) {
        LogLevel level = minLevel == null || minLevel.isBlank() ? null : LogLevel.parse("minLevel", minLevel);
        String text = q == null || q.isBlank() ? null : q.strip();
        if (text != null && text.length() > MAX_TEXT_CHARS) {
            throw new InvalidLogEntryException("q", "must be at most " + MAX_TEXT_CHARS + " characters, not " + text.length());
        }
        // Stored text never holds NUL (the COPY encoders write U+FFFD for it) and PostgreSQL refuses it in a parameter.
        if (text != null && text.indexOf('\u0000') >= 0) throw new InvalidLogEntryException("q", "must not contain NUL (\\u0000)");
        if (nodeKey != null && nodeKey.indexOf('\u0000') >= 0) throw new InvalidLogEntryException("nodeKey", "must not contain NUL (\\u0000)");
        Instant f = instant("from", from);
        Instant t = instant("to", to);
        if (f != null && t != null && !f.isBefore(t)) {
            throw new InvalidLogEntryException("to", "must be after from (" + f + "), not " + t);
        }
        return new LogFilter(level, nodeKey == null || nodeKey.isBlank() ? null : nodeKey.strip(), text, f, t);
    }

    private static Instant instant(String field, String raw) {
        if (raw == null || raw.isBlank()) return null;
        try {
            return Instant.parse(raw.strip());
        } catch (DateTimeParseException e) {
            throw new InvalidLogEntryException(field, "must be an ISO-8601 instant such as 2026-11-28T18:02:37Z, not '" + raw + "'");
        }
    }

    /** @return true when every entry passes */
    public boolean isAll() {
        return minLevel == null && nodeKey == null && text == null && from == null && to == null;
    }

    /**
     * @param e an entry
     * @return true when {@code e} passes
     */
    public boolean matches(LogEntry e) {
        if (minLevel != null && !e.level().isAtLeast(minLevel)) return false;
        if (nodeKey != null && !nodeKey.equals(e.nodeKey())) return false;
        if (from != null && e.ts().isBefore(from)) return false;
        if (to != null && !e.ts().isBefore(to)) return false;
        return text == null || containsIgnoreCase(e.message(), text) || containsIgnoreCase(e.errorCode(), text);
    }

    /** @return true when {@code hay} contains {@code needle} ignoring case (no allocation) */
    static boolean containsIgnoreCase(String hay, String needle) {
        if (hay == null) return false;
        int n = needle.length();
        for (int i = 0, last = hay.length() - n; i <= last; i++) {
            if (hay.regionMatches(true, i, needle, 0, n)) return true;
        }
        return false;
    }
}
