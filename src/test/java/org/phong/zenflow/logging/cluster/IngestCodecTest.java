package org.phong.zenflow.logging.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.cluster.IngestRecord.Ended;
import org.phong.zenflow.logging.cluster.IngestRecord.Entry;
import org.phong.zenflow.logging.cluster.IngestRecord.Started;

/** The ingest topic's wire form: every record round-trips; whatever does not decode says why, and only that way. */
class IngestCodecTest {
    private static final UUID WF = UUID.fromString("6f1c1b7e-8a4e-4c55-9a43-1c9f6f1d2a10");
    private static final UUID RUN = UUID.fromString("0b7a3c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
    private static final Instant AT = Instant.parse("2026-11-20T08:00:00.123456Z");

    private static IngestRecord roundTrip(IngestRecord r) throws Exception {
        ProducerRecord<byte[], byte[]> p = IngestCodec.record("ingest", r);
        assertArrayEquals(RUN.toString().getBytes(StandardCharsets.US_ASCII), p.key());
        assertEquals(IngestCodec.FORMAT, new String(p.headers().lastHeader(IngestCodec.FORMAT_HEADER).value(), StandardCharsets.UTF_8));
        assertEquals(null, p.partition(), "the key decides the partition");
        return IngestCodec.decode(p.key(), p.value());
    }

    @Test
    void everyKindOfRecordRoundTrips() throws Exception {
        LogEntry full = LogEntry.builder().workflowId(WF).runId(RUN).nodeKey("fetch").ts(AT).level(LogLevel.ERROR)
                .message("héllo \"quoted\" \u2603").errorCode("E42").metadata("{\"a\":[1,2.5,{\"b\":null}],\"c\":\"d\"}")
                .traceId("trace-1").hierarchy("root/fetch").build();
        assertEquals(new Entry(full), roundTrip(new Entry(full)));
        LogEntry bare = LogEntry.builder().workflowId(WF).runId(RUN).nodeKey("n").ts(AT).level(LogLevel.INFO).message("").build();
        assertEquals(new Entry(bare), roundTrip(new Entry(bare)));
        assertEquals(new Started(WF, RUN, AT), roundTrip(new Started(WF, RUN, AT)));
        for (RunOutcome o : RunOutcome.values()) assertEquals(new Ended(RUN, o, AT), roundTrip(new Ended(RUN, o, AT)));
    }

    @Test
    void theValueCarriesItsVersionAndType() {
        String v = new String(IngestCodec.value(new Ended(RUN, RunOutcome.FAILED, AT)), StandardCharsets.UTF_8);
        assertEquals("{\"v\":1,\"type\":\"end\",\"runId\":\"" + RUN + "\",\"outcome\":\"FAILED\",\"at\":\"" + AT + "\"}", v);
    }

    private static String malformed(byte[] key, String value) {
        return assertThrows(MalformedIngestRecordException.class,
                () -> IngestCodec.decode(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8))).getMessage();
    }

    @Test
    void whatDoesNotDecodeIsMalformedAndSaysWhy() {
        byte[] key = IngestCodec.key(RUN);
        String start = "{\"v\":1,\"type\":\"start\",\"workflowId\":\"" + WF + "\",\"runId\":\"" + RUN + "\",\"at\":\"" + AT + "\"}";
        assertEquals(new Started(WF, RUN, AT), assertDoesNotThrow(key, start));
        assertTrue(malformed(key, null).contains("tombstone"));
        assertTrue(malformed(key, "not json").contains("not a JSON object"));
        assertTrue(malformed(key, "[1,2]").contains("not a JSON object"));
        assertTrue(malformed(key, "{\"type\":\"start\"}").contains("version"));
        assertTrue(malformed(key, start.replace("\"v\":1", "\"v\":2")).contains("unsupported version 2"));
        assertTrue(malformed(key, start.replace("\"type\":\"start\",", "")).contains("no type"));
        assertTrue(malformed(key, start.replace("start", "restart")).contains("unknown type 'restart'"));
        assertTrue(malformed(key, start.replace(AT.toString(), "yesterday")).contains("at must be"));
        assertTrue(malformed(key, start.replace(WF.toString(), "x")).contains("workflowId"));
        assertTrue(malformed(key, "{\"v\":1,\"type\":\"end\",\"runId\":\"" + RUN + "\",\"outcome\":\"MAYBE\",\"at\":\"" + AT + "\"}")
                .contains("outcome"));
        assertTrue(malformed(key, "{\"v\":1,\"type\":\"entry\",\"entry\":\"text\"}").contains("entry must be an object"));
        assertTrue(malformed(key, "{\"v\":1,\"type\":\"entry\",\"entry\":{\"runId\":\"" + RUN + "\"}}").contains("workflowId is required"));
        assertTrue(malformed(IngestCodec.key(UUID.randomUUID()), start).contains("is not the record's run id"), "another run's partition");
        assertTrue(malformed(null, start).contains("key null"));
        byte[] latin1 = "{\"v\":1,\"type\":\"start\",\"x\":\"\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(MalformedIngestRecordException.class, () -> IngestCodec.decode(key, latin1)).getMessage().contains("not UTF-8"));
    }

    private static IngestRecord assertDoesNotThrow(byte[] key, String value) {
        try {
            return IngestCodec.decode(key, value.getBytes(StandardCharsets.UTF_8));
        } catch (MalformedIngestRecordException e) {
            throw new AssertionError(e);
        }
    }
}
