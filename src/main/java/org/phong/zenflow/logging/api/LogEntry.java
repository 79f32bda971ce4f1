package org.phong.zenflow.logging.api;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * One log line of a workflow node: an immutable, validated value.
 *
 * <p>Required: {@code workflowId}, {@code runId}, {@code nodeKey}, {@code level}, {@code message}.
 * {@code ts} defaults to the time of {@link Builder#build()} and is kept to the microsecond. {@code metadata}, when present, is the
 * text of a JSON object, stored as JSON-P writes it (compact: no whitespace between tokens); plain compact text, the
 * common case, is kept as the given string ({@link CompactJson}: one scan instead of a parse and a rewrite, on the
 * engine's thread).
 * {@code errorCode}, {@code traceId} and {@code hierarchy} are optional text.
 *
 * <p>{@code seq} is 0 until the router admits the entry; then every entry of a run carries a
 * gap-free sequence number 1, 2, 3, ... {@code (runId, seq)} identifies an entry everywhere: it makes
 * replays idempotent, orders the stream and is the resume cursor of every reader.
 *
 * <p>PostgreSQL text cannot hold the NUL character and UTF-8 cannot encode an unpaired surrogate,
 * so both are replaced by U+FFFD in every text field and metadata string value at construction:
 * the entry that is accepted is the entry that is stored and sent. What cannot be replaced without
 * changing the meaning is refused with an {@link InvalidLogEntryException} naming its path (for
 * example {@code metadata.x}): a metadata number beyond PostgreSQL's {@code numeric} range, a
 * metadata key holding NUL or an unpaired surrogate ({@link MetadataRules}). So the database never
 * refuses an accepted entry for a value validation can know; the sink's dead-letter table is the
 * last line, for what only the database knows (an operator's CHECK constraint, a non-UTF-8
 * database encoding).
 */
public final class LogEntry {
    /** Resolved once: Json.createReader() would look the provider up on every call. */
    private static final JsonProvider JSON = JsonProvider.provider();
    /** Earliest accepted ts: year 1, as PostgreSQL text timestamps without an era can name it. */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    /** Latest accepted ts: the last instant PostgreSQL's text timestamps and our partitions name. */
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private final UUID workflowId;
    private final UUID runId;
    private final long seq;
    private final String nodeKey;
    private final Instant ts;
    private final LogLevel level;
    private final String message;
    private final String errorCode;
    private final String metadata;
    private final String traceId;
    private final String hierarchy;

    private LogEntry(UUID workflowId, UUID runId, long seq, String nodeKey, Instant ts, LogLevel level,
                     String message, String errorCode, String metadata, String traceId, String hierarchy) {
        this.workflowId = workflowId;
        this.runId = runId;
        this.seq = seq;
        this.nodeKey = nodeKey;
        this.ts = ts;
        this.level = level;
        this.message = message;
        this.errorCode = errorCode;
        this.metadata = metadata;
        this.traceId = traceId;
        this.hierarchy = hierarchy;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Rebuilds an entry the module validated before and kept in its own store (the write-ahead journal), without
     * validating it again: the fields are exactly those {@link Builder#build()} produced, checked by the store's
     * checksum. Re-parsing every metadata object on the way from the journal to the database cost more than encoding
     * the row. Engines and other callers build entries with {@link #builder()}.
     *
     * @param workflowId the workflow, as built
     * @param runId      the run, as built
     * @param seq        the entry's seq (at least 1)
     * @param nodeKey    the node key, as built
     * @param ts         the timestamp, as built (microseconds)
     * @param level      the level
     * @param message    the message, as built
     * @param errorCode  the error code or null
     * @param metadata   the compact metadata JSON as built, or null
     * @param traceId    the trace id or null
     * @param hierarchy  the hierarchy or null
     * @return the entry
     */
    public static LogEntry restore(UUID workflowId, UUID runId, long seq, String nodeKey, Instant ts, LogLevel level,
                                   String message, String errorCode, String metadata, String traceId, String hierarchy) {
        if (seq < 1) throw new IllegalArgumentException("seq must be at least 1, was " + seq);
        return new LogEntry(java.util.Objects.requireNonNull(workflowId, "workflowId"), java.util.Objects.requireNonNull(runId, "runId"),
                seq, java.util.Objects.requireNonNull(nodeKey, "nodeKey"), java.util.Objects.requireNonNull(ts, "ts"),
                java.util.Objects.requireNonNull(level, "level"), java.util.Objects.requireNonNull(message, "message"),
                errorCode, metadata, traceId, hierarchy);
    }

    /**
     * @param seq the sequence number the router assigned, at least 1
     * @return a copy of this entry carrying {@code seq}
     */
    public LogEntry withSeq(long seq) {
        if (seq < 1) throw new IllegalArgumentException("seq must be at least 1, was " + seq);
        return new LogEntry(workflowId, runId, seq, nodeKey, ts, level, message, errorCode, metadata, traceId, hierarchy);
    }

    /** @return the workflow this entry's run belongs to */
    public UUID workflowId() { return workflowId; }

    /** @return the run this entry belongs to */
    public UUID runId() { return runId; }

    /** @return the run-scoped sequence number, or 0 before routing */
    public long seq() { return seq; }

    /** @return the key of the node that emitted the entry */
    public String nodeKey() { return nodeKey; }

    /** @return when the node emitted the entry */
    public Instant ts() { return ts; }

    /** @return the severity */
    public LogLevel level() { return level; }

    /** @return the log message */
    public String message() { return message; }

    /** @return the engine's error code, or null */
    public String errorCode() { return errorCode; }

    /** @return the text of a JSON object, or null */
    public String metadata() { return metadata; }

    /** @return the distributed trace id, or null */
    public String traceId() { return traceId; }

    /** @return the node's position in the workflow's hierarchy (e.g. {@code root/loop[3]/http}), or null */
    public String hierarchy() { return hierarchy; }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof LogEntry e)) return false;
        return seq == e.seq && workflowId.equals(e.workflowId) && runId.equals(e.runId)
                && nodeKey.equals(e.nodeKey) && ts.equals(e.ts) && level == e.level
                && message.equals(e.message) && Objects.equals(errorCode, e.errorCode)
                && Objects.equals(metadata, e.metadata) && Objects.equals(traceId, e.traceId)
                && Objects.equals(hierarchy, e.hierarchy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(runId, seq, ts, message);
    }

    @Override
    public String toString() {
        return "LogEntry[run=" + runId + ", seq=" + seq + ", node=" + nodeKey + ", " + level + ", " + message + "]";
    }

    /** Collects the fields of an entry; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private UUID workflowId;
        private UUID runId;
        private String nodeKey;
        private Instant ts;
        private LogLevel level;
        private String message;
        private String errorCode;
        private String metadata;
        private JsonObject metadataObject;
        private String traceId;
        private String hierarchy;

        private Builder() {
        }

        /**
         * Sets {@code workflowId}.
         *
         * @param v the workflow id (required)
         * @return this builder
         */
        public Builder workflowId(UUID v) { this.workflowId = v; return this; }

        /**
         * Sets {@code runId}.
         *
         * @param v the run id (required)
         * @return this builder
         */
        public Builder runId(UUID v) { this.runId = v; return this; }

        /**
         * Sets {@code nodeKey}.
         *
         * @param v the node key (required, not blank)
         * @return this builder
         */
        public Builder nodeKey(String v) { this.nodeKey = v; return this; }

        /**
         * Sets {@code ts}.
         *
         * @param v when the entry was emitted; null means now
         * @return this builder
         */
        public Builder ts(Instant v) { this.ts = v; return this; }

        /**
         * Sets {@code level}.
         *
         * @param v the level (required)
         * @return this builder
         */
        public Builder level(LogLevel v) { this.level = v; return this; }

        /**
         * Sets {@code message}.
         *
         * @param v the message (required, may be empty but not null)
         * @return this builder
         */
        public Builder message(String v) { this.message = v; return this; }

        /**
         * Sets {@code errorCode}.
         *
         * @param v the error code, or null
         * @return this builder
         */
        public Builder errorCode(String v) { this.errorCode = v; return this; }

        /**
         * Sets {@code metadata}.
         *
         * @param v the text of a JSON object, or null
         * @return this builder
         */
        public Builder metadata(String v) { this.metadata = v; this.metadataObject = null; return this; }

        /**
         * Sets {@code metadataObject}.
         *
         * @param v a JSON object (already parsed, so not parsed again), or null
         * @return this builder
         */
        public Builder metadataObject(JsonObject v) { this.metadataObject = v; this.metadata = null; return this; }

        /**
         * Sets {@code traceId}.
         *
         * @param v the trace id, or null
         * @return this builder
         */
        public Builder traceId(String v) { this.traceId = v; return this; }

        /**
         * Sets {@code hierarchy}.
         *
         * @param v the hierarchy path, or null
         * @return this builder
         */
        public Builder hierarchy(String v) { this.hierarchy = v; return this; }

        /**
         * @return the validated entry, with {@code seq} 0
         * @throws InvalidLogEntryException naming the first field that breaks a rule
         */
        public LogEntry build() {
            if (workflowId == null) throw new InvalidLogEntryException("workflowId", "is required");
            if (runId == null) throw new InvalidLogEntryException("runId", "is required");
            if (nodeKey == null || nodeKey.isBlank()) throw new InvalidLogEntryException("nodeKey", "is required");
            if (level == null) throw new InvalidLogEntryException("level", "is required (one of DEBUG, INFO, WARN, ERROR)");
            if (message == null) throw new InvalidLogEntryException("message", "is required");
            // PostgreSQL keeps microseconds: truncate here so (runId, seq, ts) is the same everywhere.
            ts = (ts == null ? Instant.now() : ts).truncatedTo(ChronoUnit.MICROS);
            if (ts.isBefore(EARLIEST) || ts.isAfter(LATEST)) {
                throw new InvalidLogEntryException("ts", "must be between " + EARLIEST + " and " + LATEST + ", not " + ts);
            }
            nodeKey = StoredText.clean(nodeKey);
            message = StoredText.clean(message);
            errorCode = blankToNull(StoredText.clean(errorCode));
            traceId = blankToNull(StoredText.clean(traceId));
            hierarchy = blankToNull(StoredText.clean(hierarchy));
            metadata = metadataObject != null ? compact(metadataObject) : normalizeMetadata(metadata);
            return new LogEntry(workflowId, runId, 0, nodeKey, ts, level, message, errorCode, metadata, traceId, hierarchy);
        }

        private static String normalizeMetadata(String text) {
            if (text == null || text.isBlank() || text.equals("null")) return null;
            String compact = CompactJson.compact(text); // the common case, without a tree (see there)
            if (compact != null) return compact;
            JsonObject object;
            try (JsonReader reader = JSON.createReader(new StringReader(text))) {
                object = reader.readObject();
            } catch (RuntimeException e) { // incl. Parsson's nesting limit, a plain RuntimeException
                throw new InvalidLogEntryException("metadata", "must be a JSON object");
            }
            return compact(object);
        }

        /**
         * jsonb refuses the {@code \u0000} escape, unpaired surrogate escapes and numbers beyond
         * {@code numeric}: {@link MetadataRules} refuses such keys and numbers (naming their path) and
         * replaces such characters inside string values, on the parsed object, so the text written is
         * exactly what jsonb stores (a text replace of "\\u0000" would also hit an escaped backslash
         * followed by "u0000").
         */
        private static String compact(JsonObject object) {
            return MetadataRules.compact(JSON, object);
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s;
        }
    }
}
