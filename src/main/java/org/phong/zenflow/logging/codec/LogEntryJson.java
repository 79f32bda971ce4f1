package org.phong.zenflow.logging.codec;

import static org.phong.zenflow.logging.codec.JsonSupport.JSON;
import static org.phong.zenflow.logging.codec.JsonSupport.addNullable;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;

/**
 * The JSON form of a {@link LogEntry}, shared by every reader and writer of the module (HTTP now;
 * WebSocket frames and Kafka records use the same form):
 * <pre>
 * {"workflowId":"uuid","runId":"uuid","seq":1,"nodeKey":"fetch","ts":"2026-11-28T17:02:37.123456Z",
 *  "level":"INFO","message":"...","errorCode":null,"metadata":{...},"traceId":null,"hierarchy":"root/fetch"}
 * </pre>
 * On input {@code seq} is ignored (the router assigns it), {@code ts} may be ISO-8601 text or epoch
 * milliseconds and defaults to now, and unknown fields are ignored. Every error names its field.
 */
public final class LogEntryJson {
    private LogEntryJson() {
    }

    /**
     * @param o one entry object
     * @return the validated entry (seq 0)
     * @throws InvalidLogEntryException naming the first bad field
     */
    public static LogEntry fromJson(JsonObject o) {
        LogEntry.Builder b = LogEntry.builder()
                .workflowId(uuid(o, "workflowId"))
                .runId(uuid(o, "runId"))
                .nodeKey(text(o, "nodeKey"))
                .ts(instant(o, "ts"))
                .level(level(o))
                .message(text(o, "message"))
                .errorCode(text(o, "errorCode"))
                .metadataObject(metadata(o))
                .traceId(text(o, "traceId"))
                .hierarchy(text(o, "hierarchy"));
        return b.build();
    }

    /**
     * @param e an entry
     * @return its JSON object, with seq
     */
    public static JsonObject toJson(LogEntry e) {
        JsonObjectBuilder b = JSON.createObjectBuilder()
                .add("workflowId", e.workflowId().toString())
                .add("runId", e.runId().toString())
                .add("seq", e.seq())
                .add("nodeKey", e.nodeKey())
                .add("ts", e.ts().toString())
                .add("level", e.level().name())
                .add("message", e.message());
        addNullable(b, "errorCode", e.errorCode());
        if (e.metadata() == null) {
            b.addNull("metadata");
        } else {
            try (var r = JSON.createReader(new StringReader(e.metadata()))) {
                b.add("metadata", r.readObject());
            }
        }
        addNullable(b, "traceId", e.traceId());
        addNullable(b, "hierarchy", e.hierarchy());
        return b.build();
    }

    /**
     * Appends the same JSON as {@code toJson(e).toString()} without building a tree: the live tail
     * encodes every entry of a watched run and the log download every entry of a run, and the
     * tree (plus re-parsing the metadata to embed it) cost several times the text. The metadata is
     * embedded as stored: the builder made it compact JSON (the same text the tree writes), and an
     * entry read back from the journal or PostgreSQL carries valid JSON text (jsonb's spacing).
     * Strings are escaped as the JSON-P writer does: {@code "} and {@code \}, the short escapes
     * \b \f \n \r \t, other control characters as a backslash-u escape with four lowercase hex digits; everything else
     * verbatim.
     *
     * @param out the builder to append to
     * @param e   an entry
     * @return {@code out}
     */
    public static StringBuilder appendJson(StringBuilder out, LogEntry e) {
        out.append("{\"workflowId\":\"").append(e.workflowId()).append("\",\"runId\":\"").append(e.runId())
                .append("\",\"seq\":").append(e.seq()).append(",\"nodeKey\":");
        string(out, e.nodeKey());
        out.append(",\"ts\":\"").append(e.ts()).append("\",\"level\":\"").append(e.level().name()).append("\",\"message\":");
        string(out, e.message());
        out.append(",\"errorCode\":");
        string(out, e.errorCode());
        out.append(",\"metadata\":").append(e.metadata() == null ? "null" : e.metadata()).append(",\"traceId\":");
        string(out, e.traceId());
        out.append(",\"hierarchy\":");
        string(out, e.hierarchy());
        return out.append('}');
    }

    /** @return {@code e} as JSON text ({@link #appendJson}) */
    public static String jsonText(LogEntry e) {
        return appendJson(new StringBuilder(256 + length(e.message()) + length(e.metadata())), e).toString();
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    private static final String HEX = "0123456789abcdef";

    private static void string(StringBuilder out, String s) {
        if (s == null) {
            out.append("null");
            return;
        }
        out.append('"');
        int n = s.length();
        int from = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            out.append(s, from, i);
            from = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append("\\u00").append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
            }
        }
        out.append(s, from, n).append('"');
    }

    /**
     * A request body that must be one JSON object (the run events, the simulator's and the live-tail
     * load's parameters).
     *
     * @param body the body's text (null or blank is refused like any other non-object)
     * @return the object
     * @throws InvalidLogEntryException naming {@code body} when the text is not one JSON object (also
     *         on a parser limit such as Parsson's nesting depth, a plain RuntimeException)
     */
    public static JsonObject bodyObject(String body) {
        if (body == null || body.isBlank()) throw new InvalidLogEntryException("body", "must be a JSON object");
        try (JsonReader r = JSON.createReader(new StringReader(body))) {
            return r.readObject();
        } catch (RuntimeException e) {
            throw new InvalidLogEntryException("body", "must be a JSON object");
        }
    }

    /** @return the text of an optional string field, null when absent or JSON null */
    public static String text(JsonObject o, String field) {
        JsonValue v = o.get(field);
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) return null;
        if (v instanceof JsonString s) return s.getString();
        throw new InvalidLogEntryException(field, "must be a string");
    }

    /** @return the UUID of a string field, null when absent */
    public static UUID uuid(JsonObject o, String field) {
        String s = text(o, field);
        if (s == null) return null;
        return parseUuid(field, s);
    }

    /**
     * @param field the field or parameter name, for the error
     * @param s     the text
     * @return the UUID
     */
    public static UUID parseUuid(String field, String s) {
        try {
            if (s.length() != 36) throw new IllegalArgumentException();
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            throw new InvalidLogEntryException(field, "must be a UUID (8-4-4-4-12 hex digits), not '" + s + "'");
        }
    }

    private static Instant instant(JsonObject o, String field) {
        JsonValue v = o.get(field);
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) return null;
        if (v instanceof JsonNumber n) {
            if (!n.isIntegral()) throw new InvalidLogEntryException(field, "must be epoch milliseconds (a whole number) or ISO-8601 text");
            return Instant.ofEpochMilli(n.longValue());
        }
        if (v instanceof JsonString s) {
            try {
                return OffsetDateTime.parse(s.getString()).toInstant();
            } catch (DateTimeParseException e) {
                throw new InvalidLogEntryException(field, "must be ISO-8601 with an offset (e.g. 2026-11-28T17:02:37.123Z), not '" + s.getString() + "'");
            }
        }
        throw new InvalidLogEntryException(field, "must be ISO-8601 text or epoch milliseconds");
    }

    /** Absent stays null, so that build() reports missing fields in their natural order. */
    private static LogLevel level(JsonObject o) {
        String t = text(o, "level");
        return t == null ? null : LogLevel.parse("level", t);
    }

    private static JsonObject metadata(JsonObject o) {
        JsonValue v = o.get("metadata");
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) return null;
        if (v.getValueType() != JsonValue.ValueType.OBJECT) throw new InvalidLogEntryException("metadata", "must be a JSON object");
        return v.asJsonObject();
    }
}
