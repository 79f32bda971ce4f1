package org.phong.zenflow.logging.security;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.config.SecuritySettings;

/**
 * The per-entry limits of HTTP ingestion (body size and entries per request are checked by the
 * resource before parsing). Applied to each entry object of a request before anything of it is
 * routed, so a broken limit rejects the whole request with a 400 naming the entry and the field:
 *
 * <ul>
 *   <li>{@code nodeKey}, {@code errorCode}, {@code traceId}, {@code hierarchy} longer than their limit: 400;</li>
 *   <li>{@code metadata} deeper than {@code metadata-max-depth} or whose compact JSON is longer than
 *       {@code metadata-max-chars}: 400;</li>
 *   <li>{@code ts} outside [arrival - ts-max-past-days, arrival + ts-max-future-seconds]: 400 (each month
 *       a ts names may get a partition, so an unbounded ts would let a client create tables at will);</li>
 *   <li>{@code message} longer than {@code message-max-chars}: truncated, ending with
 *       {@code …[truncated N chars]} (the entry is kept: losing a log line is worse than shortening it).</li>
 * </ul>
 * Lengths are in UTF-16 chars (what Java and the JSON parser count); truncation never splits a
 * surrogate pair. Thread-safe and immutable.
 */
public final class InputLimits {
    /** Prefix of the truncation marker; the marker is {@code …[truncated N chars]}. */
    public static final String TRUNCATION_MARKER = "\u2026[truncated ";

    private final SecuritySettings s;
    private final Clock clock;

    /**
     * @param settings the limits
     * @param clock    the time of arrival (tests pass a fixed clock)
     */
    public InputLimits(SecuritySettings settings, Clock clock) {
        this.s = settings;
        this.clock = clock;
    }

    /** @param settings the limits, against the system clock */
    public InputLimits(SecuritySettings settings) {
        this(settings, Clock.systemUTC());
    }

    /**
     * Parses and limits one entry object.
     *
     * @param o the entry object of a request
     * @return the validated entry, its message truncated when too long
     * @throws InvalidLogEntryException naming the first field that breaks a rule or a limit
     */
    public LogEntry parse(JsonObject o) {
        maxLength(o, "nodeKey", s.nodeKeyMaxChars());
        maxLength(o, "errorCode", s.errorCodeMaxChars());
        maxLength(o, "traceId", s.traceIdMaxChars());
        maxLength(o, "hierarchy", s.hierarchyMaxChars());
        JsonValue metadata = o.get("metadata");
        if (metadata != null && metadata.getValueType() == JsonValue.ValueType.OBJECT) {
            int depth = depth(metadata, 1, s.metadataMaxDepth());
            if (depth > s.metadataMaxDepth()) {
                throw new InvalidLogEntryException("metadata", "is nested deeper than " + s.metadataMaxDepth()
                        + " levels (" + SecuritySettings.METADATA_MAX_DEPTH + ")");
            }
        }
        LogEntry e = LogEntryJson.fromJson(o);
        if (e.metadata() != null && e.metadata().length() > s.metadataMaxChars()) {
            throw new InvalidLogEntryException("metadata", "is longer than " + s.metadataMaxChars()
                    + " characters as compact JSON (" + SecuritySettings.METADATA_MAX_CHARS + ")");
        }
        checkTs(e.ts());
        if (e.message().length() <= s.messageMaxChars()) return e;
        return LogEntry.builder().workflowId(e.workflowId()).runId(e.runId()).nodeKey(e.nodeKey()).ts(e.ts())
                .level(e.level()).message(truncate(e.message(), s.messageMaxChars())).errorCode(e.errorCode())
                .metadataObject(metadata == null || metadata.getValueType() != JsonValue.ValueType.OBJECT ? null : metadata.asJsonObject())
                .traceId(e.traceId()).hierarchy(e.hierarchy()).build();
    }

    private void checkTs(Instant ts) {
        Instant now = clock.instant();
        Instant earliest = now.minus(Duration.ofDays(s.tsMaxPastDays()));
        Instant latest = now.plusSeconds(s.tsMaxFutureSeconds());
        if (ts.isBefore(earliest) || ts.isAfter(latest)) {
            throw new InvalidLogEntryException("ts", "must lie between " + s.tsMaxPastDays() + " days before and "
                    + s.tsMaxFutureSeconds() + " seconds after the time of arrival (" + SecuritySettings.TS_MAX_PAST_DAYS + ", "
                    + SecuritySettings.TS_MAX_FUTURE_SECONDS + "), not " + ts);
        }
    }

    private static void maxLength(JsonObject o, String field, int max) {
        JsonValue v = o.get(field);
        if (v instanceof JsonString str && str.getString().length() > max) {
            throw new InvalidLogEntryException(field, "is longer than " + max + " characters");
        }
    }

    /** @return the depth of {@code v}, counting stops once past {@code max} */
    private static int depth(JsonValue v, int level, int max) {
        if (level > max) return level;
        int deepest = level;
        if (v.getValueType() == JsonValue.ValueType.OBJECT) {
            for (JsonValue child : v.asJsonObject().values()) {
                if (isContainer(child)) deepest = Math.max(deepest, depth(child, level + 1, max));
                if (deepest > max) return deepest;
            }
        } else if (v.getValueType() == JsonValue.ValueType.ARRAY) {
            for (JsonValue child : v.asJsonArray()) {
                if (isContainer(child)) deepest = Math.max(deepest, depth(child, level + 1, max));
                if (deepest > max) return deepest;
            }
        }
        return deepest;
    }

    private static boolean isContainer(JsonValue v) {
        return v.getValueType() == JsonValue.ValueType.OBJECT || v.getValueType() == JsonValue.ValueType.ARRAY;
    }

    /**
     * @param message a message longer than {@code max}
     * @param max     the most characters the result may have
     * @return the head of the message and the marker, at most {@code max} characters
     */
    public static String truncate(String message, int max) {
        if (message.length() <= max) return message;
        // The marker's count is of the characters cut; its own length depends on that count, so
        // size it for the longest count (the whole message).
        int markerLen = (TRUNCATION_MARKER + message.length() + " chars]").length();
        int keep = Math.max(0, max - markerLen);
        if (keep > 0 && Character.isHighSurrogate(message.charAt(keep - 1))) keep--;
        return message.substring(0, keep) + TRUNCATION_MARKER + (message.length() - keep) + " chars]";
    }
}
