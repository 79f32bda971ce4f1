package org.phong.zenflow.logging.sink.kafka;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.codec.LogEntryJson;

/**
 * The wire form of one entry (see package-info and docs/kafka-format.md): key = the run id as text,
 * value = {@link LogEntryJson#jsonText} (the same text as {@link LogEntryJson#toJson}, without the tree) in UTF-8,
 * headers naming the format. Stateless.
 */
public final class KafkaRecords {
    /** Header naming the value's format, so consumers can tell versions apart. */
    public static final String FORMAT_HEADER = "zenflow-format";
    /** The one format published today. */
    public static final String FORMAT = "log-entry+json;v=1";
    private static final List<Header> HEADERS = List.of(new RecordHeader(FORMAT_HEADER, FORMAT.getBytes(StandardCharsets.UTF_8)));

    private KafkaRecords() {
    }

    static byte[] key(LogEntry e) {
        return e.runId().toString().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] value(LogEntry e) {
        return LogEntryJson.jsonText(e).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Public for cluster mode's output-topic publisher ({@code cluster.OutputPublisher}), which publishes
     * in this same format.
     *
     * @param topic the topic
     * @param e     a sequenced entry
     * @return its record: key = run id text, value = the entry's JSON, the format header
     */
    public static ProducerRecord<byte[], byte[]> record(String topic, LogEntry e) {
        return new ProducerRecord<>(topic, null, null, key(e), value(e), HEADERS);
    }
}
