package org.phong.zenflow.logging.cluster;

import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.cluster.IngestRecord.Ended;
import org.phong.zenflow.logging.cluster.IngestRecord.Entry;
import org.phong.zenflow.logging.cluster.IngestRecord.Started;
import org.phong.zenflow.logging.codec.LogEntryJson;

/**
 * The wire form of an {@link IngestRecord} on the ingest topic. Stateless.
 *
 * <p><b>Key</b>: the run id as 36-character UUID text (US-ASCII), as the output topic's key
 * ({@code sink.kafka.KafkaRecords}): a run's records share one partition, hence one owner and one
 * numbering. <b>Value</b>: UTF-8 JSON with a version, one object per record:
 * <pre>
 * {"v":1,"type":"entry","entry":{...the module's LogEntry JSON, seq 0...}}
 * {"v":1,"type":"start","workflowId":"uuid","runId":"uuid","at":"2026-11-20T08:00:00.123456Z"}
 * {"v":1,"type":"end","runId":"uuid","outcome":"SUCCEEDED","at":"2026-11-20T08:05:00Z"}
 * </pre>
 * The entry object is {@link LogEntryJson}'s form (the HTTP API's, the output topic's), re-validated
 * by {@link LogEntryJson#fromJson} on decode. <b>Header</b> {@code zenflow-format: ingest+json;v=1}, for
 * people and tools; the decoder reads only key and value.
 *
 * <p><b>Decoding never throws anything but {@link MalformedIngestRecordException}</b>, whose message
 * says what is wrong: the owner counts the record, logs it with its offset and consumes its offset
 * without a row (it stays readable in Kafka until the topic's retention). A record whose key is not its
 * run id is malformed too: it sits in another run's partition, and storing it would let two owners
 * number one run. <b>Versions</b>: an unknown {@code v} is malformed, so consumers must be upgraded
 * before any producer writes a newer version (Kafka's usual reader-first rule).
 */
public final class IngestCodec {
    /** The version this codec writes and reads. */
    public static final int VERSION = 1;
    /** Header naming the value's format (same header name as the output topic's). */
    public static final String FORMAT_HEADER = "zenflow-format";
    /** The format written. */
    public static final String FORMAT = "ingest+json;v=" + VERSION;
    private static final List<Header> HEADERS = List.of(new RecordHeader(FORMAT_HEADER, FORMAT.getBytes(StandardCharsets.UTF_8)));
    private static final String TYPE_ENTRY = "entry";
    private static final String TYPE_START = "start";
    private static final String TYPE_END = "end";
    /** Length of a UUID's text, the only valid key length. */
    private static final int UUID_TEXT_CHARS = 36;

    private IngestCodec() {
    }

    /**
     * @param runId the record's run
     * @return the record key
     */
    public static byte[] key(UUID runId) {
        return runId.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param r a record
     * @return its value: versioned UTF-8 JSON
     */
    public static byte[] value(IngestRecord r) {
        var b = JSON.createObjectBuilder().add("v", VERSION);
        if (r instanceof Entry e) {
            b.add("type", TYPE_ENTRY).add("entry", LogEntryJson.toJson(e.entry()));
        } else if (r instanceof Started s) {
            b.add("type", TYPE_START).add("workflowId", s.workflowId().toString()).add("runId", s.runId().toString())
                    .add("at", s.at().toString());
        } else if (r instanceof Ended end) {
            b.add("type", TYPE_END).add("runId", end.runId().toString()).add("outcome", end.outcome().name())
                    .add("at", end.at().toString());
        } else {
            throw new IllegalArgumentException("unknown record " + r); // unreachable: the interface is sealed
        }
        return b.build().toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param topic the ingest topic
     * @param r     a record
     * @return the producer record: key, value and format header; no partition (the key decides)
     */
    public static ProducerRecord<byte[], byte[]> record(String topic, IngestRecord r) {
        return new ProducerRecord<>(topic, null, null, key(r.runId()), value(r), HEADERS);
    }

    /**
     * @param key   the record key (may be null: malformed)
     * @param value the record value (may be null: malformed)
     * @return the record
     * @throws MalformedIngestRecordException saying why it cannot be stored
     */
    public static IngestRecord decode(byte[] key, byte[] value) throws MalformedIngestRecordException {
        if (value == null) throw new MalformedIngestRecordException("no value (a tombstone?)");
        String text;
        try { // strictly: a byte sequence that is not UTF-8 is malformed, not silently replaced
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedIngestRecordException("value is not UTF-8: " + e);
        }
        JsonObject o;
        try (JsonReader r = JSON.createReader(new StringReader(text))) {
            o = r.readObject();
        } catch (RuntimeException e) { // JsonException, JsonParsingException, Parsson's nesting limit
            throw new MalformedIngestRecordException("value is not a JSON object: " + e.getMessage());
        }
        IngestRecord rec;
        try {
            int v = version(o);
            if (v != VERSION) throw new MalformedIngestRecordException("unsupported version " + v + " (this node reads " + VERSION + ")");
            String type = LogEntryJson.text(o, "type");
            if (type == null) throw new MalformedIngestRecordException("no type");
            rec = switch (type) {
                case TYPE_ENTRY -> new Entry(LogEntryJson.fromJson(object(o, "entry")));
                case TYPE_START -> new Started(required(LogEntryJson.uuid(o, "workflowId"), "workflowId"),
                        required(LogEntryJson.uuid(o, "runId"), "runId"), instant(o));
                case TYPE_END -> new Ended(required(LogEntryJson.uuid(o, "runId"), "runId"),
                        RunOutcome.parse("outcome", required(LogEntryJson.text(o, "outcome"), "outcome")), instant(o));
                default -> throw new MalformedIngestRecordException("unknown type '" + type + "'");
            };
        } catch (InvalidLogEntryException e) {                 // names the field
            throw new MalformedIngestRecordException(e.getMessage());
        } catch (RuntimeException e) {                         // anything else a hostile value provokes
            throw new MalformedIngestRecordException(e.toString());
        }
        String k = key == null ? null : new String(key, StandardCharsets.US_ASCII);
        if (k == null || k.length() != UUID_TEXT_CHARS || !k.equals(rec.runId().toString())) {
            throw new MalformedIngestRecordException("key " + (k == null ? "null" : "'" + k + "'") + " is not the record's run id "
                    + rec.runId() + " (a record in another run's partition)");
        }
        return rec;
    }

    private static int version(JsonObject o) throws MalformedIngestRecordException {
        JsonValue v = o.get("v");
        if (!(v instanceof JsonNumber n) || !n.isIntegral()) throw new MalformedIngestRecordException("no integer version 'v'");
        return n.intValue();
    }

    private static JsonObject object(JsonObject o, String field) throws MalformedIngestRecordException {
        JsonValue v = o.get(field);
        if (v == null || v.getValueType() != JsonValue.ValueType.OBJECT) throw new MalformedIngestRecordException(field + " must be an object");
        return v.asJsonObject();
    }

    private static <T> T required(T v, String field) throws MalformedIngestRecordException {
        if (v == null) throw new MalformedIngestRecordException(field + " is required");
        return v;
    }

    private static Instant instant(JsonObject o) throws MalformedIngestRecordException {
        String s = required(LogEntryJson.text(o, "at"), "at");
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new MalformedIngestRecordException("at must be an ISO-8601 instant, not '" + s + "'");
        }
    }
}
