package org.phong.zenflow.logging.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.sink.kafka.KafkaRecords;

/**
 * The output publisher sends in commit order in the Kafka sink's format, counts what Kafka did not take, and
 * confirms each write once all of it was acknowledged.
 */
class OutputPublisherTest {
    private static LogEntry entry(UUID run, long seq) {
        return LogEntry.builder().workflowId(UUID.randomUUID()).runId(run).nodeKey("n").ts(Instant.parse("2026-11-20T08:00:00Z"))
                .level(LogLevel.INFO).message("m" + seq).build().withSeq(seq);
    }

    @Test
    void publishesInOrderInTheSinkFormatAndCountsFailures() {
        MockProducer<byte[], byte[]> m = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        OutputPublisher p = new OutputPublisher("out", m);
        UUID run = UUID.randomUUID();
        List<LogEntry> batch = List.of(entry(run, 1), entry(run, 2), entry(run, 3));
        p.accept(batch);
        assertEquals(3, m.history().size());
        for (int i = 0; i < 3; i++) {
            ProducerRecord<byte[], byte[]> r = m.history().get(i);
            assertEquals(run.toString(), new String(r.key(), StandardCharsets.US_ASCII));
            assertEquals(LogEntryJson.toJson(batch.get(i)).toString(), new String(r.value(), StandardCharsets.UTF_8));
            assertEquals(KafkaRecords.FORMAT, new String(r.headers().lastHeader(KafkaRecords.FORMAT_HEADER).value(), StandardCharsets.UTF_8));
        }
        m.completeNext();
        m.errorNext(new TimeoutException("delivery timeout"));
        m.completeNext();
        assertEquals(new OutputPublisher.Stats(2, 1), p.stats());
        p.close();
        p.accept(List.of(entry(run, 4))); // a closed producer throws: counted, never thrown to the owner loop
        assertEquals(new OutputPublisher.Stats(2, 2), p.stats());
    }

    /**
     * A write is confirmed only once Kafka acknowledged each of its entries, never when one failed; until then
     * it is held (a republish skips it), after its failure it is not (a republish sends it again); a
     * republished write is counted and confirmed like any other, and one whose rows all expired at once.
     */
    @Test
    void aWriteIsConfirmedWhenEveryEntryIsAcknowledgedAndNeverAfterAFailure() {
        MockProducer<byte[], byte[]> m = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        OutputPublisher p = new OutputPublisher("out", m);
        TopicPartition in = new TopicPartition("ingest", 2);
        UUID run = UUID.randomUUID();
        p.accept(in, 10, List.of(entry(run, 1), entry(run, 2)));
        p.accept(in, 12, List.of(entry(run, 3), entry(run, 4)));
        assertTrue(p.holds(in, 10) && p.holds(in, 12), "in flight");
        assertFalse(p.holds(new TopicPartition("ingest", 3), 10), "writes are per partition");
        m.completeNext();
        assertEquals(Set.of(), p.confirmed(in), "one of two entries acknowledged");
        m.completeNext();
        assertEquals(Set.of(10L), p.confirmed(in));
        m.completeNext();
        m.errorNext(new TimeoutException("delivery timeout"));
        assertEquals(Set.of(10L), p.confirmed(in), "a write with a failed entry is never confirmed");
        assertFalse(p.holds(in, 12), "and no longer held: the next claim republishes it");
        assertEquals(Map.of(in, Set.of(10L)), p.confirmed());

        p.forget(in, Set.of(10L));
        assertFalse(p.holds(in, 10), "its row is deleted");
        assertEquals(Map.of(), p.confirmed());
        p.republish(in, 12, List.of(entry(run, 3)), 1); // seq 4 expired
        assertTrue(p.holds(in, 12));
        m.completeNext();
        assertEquals(Set.of(12L), p.confirmed(in));
        p.republish(in, 14, List.of(), 3); // every row expired: confirmed at once, so its row is deleted, not retried
        assertEquals(Set.of(12L, 14L), p.confirmed(in));
        assertEquals(new OutputPublisher.Stats(4, 1, 1, 4), p.stats());
        assertEquals(5, m.history().size(), "the republished entry was sent again");
    }

    @Test
    void acksAndIdempotenceAreFixedAndMaxBlockBounded() {
        Map<String, Object> p = OutputPublisher.producerProperties(Map.of("acks", "0", "enable.idempotence", "false"));
        DurableProducersTest.assertDurable(p, OutputPublisher.DEFAULT_MAX_BLOCK_MS);
    }
}
