package org.phong.zenflow.logging.sink.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.testing.JsonSchemas;

/** The record of an entry matches docs/kafka-format.md and docs/schemas/kafka-record.schema.json. */
class KafkaRecordsTest {
    private static final String SCHEMA = "kafka-record.schema.json";

    @Test
    void fullAndSparseEntriesMatchTheSchema() {
        UUID run = UUID.randomUUID();
        LogEntry full = LogEntry.builder().workflowId(UUID.randomUUID()).runId(run).nodeKey("fetch")
                .ts(Instant.parse("2026-11-28T17:02:37.123456Z")).level(LogLevel.ERROR).message("boom \"quoted\" \u00e9")
                .errorCode("E42").metadata("{\"count\":42,\"nested\":{\"a\":[1,2]}}").traceId("4bf92f3577b34da6")
                .hierarchy("root/fetch").build().withSeq(42);
        LogEntry sparse = LogEntry.builder().workflowId(UUID.randomUUID()).runId(run).nodeKey("n")
                .ts(Instant.parse("2026-11-28T17:02:37Z")).level(LogLevel.DEBUG).message("").build().withSeq(1);
        for (LogEntry e : new LogEntry[] {full, sparse}) {
            ProducerRecord<byte[], byte[]> r = KafkaRecords.record("workflow-logs", e);
            assertEquals(run.toString(), new String(r.key(), StandardCharsets.US_ASCII));
            JsonSchemas.assertValid(SCHEMA, new String(r.value(), StandardCharsets.UTF_8));
            assertEquals("log-entry+json;v=1", new String(r.headers().lastHeader("zenflow-format").value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void theSchemaRejectsARecordWithoutSeqOrWithAWrongLevel() {
        String ok = new String(KafkaRecords.value(LogEntry.builder().workflowId(UUID.randomUUID()).runId(UUID.randomUUID())
                .nodeKey("n").ts(Instant.now()).level(LogLevel.INFO).message("m").build().withSeq(7)), StandardCharsets.UTF_8);
        assertEquals(java.util.List.of(), JsonSchemas.problems(SCHEMA, ok));
        assertFalse(JsonSchemas.problems(SCHEMA, ok.replace("\"seq\":7,", "")).isEmpty());
        assertFalse(JsonSchemas.problems(SCHEMA, ok.replace("\"INFO\"", "\"NOTICE\"")).isEmpty());
    }
}
