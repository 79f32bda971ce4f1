package org.phong.zenflow.logging.sink.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.SinkBatch;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.config.KafkaSettings;
import org.phong.zenflow.logging.journal.Journal;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.JournalFixtures;
import org.phong.zenflow.logging.testing.ManualScheduler;

/**
 * The sink's ordering and delivery logic against kafka-clients' own {@link MockProducer} (manual
 * completion), so each failure can be placed exactly; the real broker is in the ITs.
 */
class KafkaLogSinkTest {
    private static final JsonProvider JSON = JsonProvider.provider();
    private final List<MockProducer<byte[], byte[]>> producers = new CopyOnWriteArrayList<>();
    private KafkaLogSink sink;

    private KafkaLogSink start(int backlog, KafkaLogSink.TopicCheck check) {
        return start(backlog, check, new Properties());
    }

    private KafkaLogSink start(int backlog, KafkaLogSink.TopicCheck check, Properties p) {
        p.setProperty(KafkaSettings.MAX_BACKLOG_ENTRIES, Integer.toString(backlog));
        p.setProperty(KafkaSettings.RETRY_BACKOFF_MS, "1");
        p.setProperty(KafkaSettings.RETRY_MAX_BACKOFF_MS, "5");
        p.setProperty(KafkaSettings.CLOSE_TIMEOUT_MS, "0");
        KafkaSettings s = KafkaSettings.fromProperties(p);
        sink = KafkaLogSink.start(s, Thread::new, props -> {
            MockProducer<byte[], byte[]> m = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
            producers.add(m);
            return m;
        }, check, System::nanoTime);
        return sink;
    }

    @AfterEach
    void stop() {
        if (sink != null) sink.close(0);
    }

    private MockProducer<byte[], byte[]> producer() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !producers.isEmpty());
        return producers.get(producers.size() - 1);
    }

    private static long seqOf(ProducerRecord<byte[], byte[]> r) {
        JsonObject o = JSON.createReader(new StringReader(new String(r.value(), StandardCharsets.UTF_8))).readObject();
        return o.getJsonNumber("seq").longValue();
    }

    private static List<Long> seqs(List<ProducerRecord<byte[], byte[]>> rs) {
        List<Long> out = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : rs) out.add(seqOf(r));
        return out;
    }

    @Test
    void publishesEveryEntryKeyedByRunWithItsJsonAndMovesTheAcknowledgedPosition() {
        start(100, Optional::empty);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        AtomicLong position = new AtomicLong();
        AtomicInteger latencies = new AtomicInteger();
        sink.onAcknowledged(position::set);
        sink.onLatency(n -> latencies.incrementAndGet());
        sink.process(Entries.batch(wf, run, 1, 5));
        MockProducer<byte[], byte[]> m = producer();
        await().atMost(Duration.ofSeconds(10)).until(() -> m.history().size() == 5);
        ProducerRecord<byte[], byte[]> first = m.history().get(0);
        assertEquals("workflow-logs", first.topic());
        assertEquals(run.toString(), new String(first.key(), StandardCharsets.US_ASCII));
        JsonObject v = JSON.createReader(new StringReader(new String(first.value(), StandardCharsets.UTF_8))).readObject();
        assertEquals(wf.toString(), v.getString("workflowId"));
        assertEquals(1, v.getJsonNumber("seq").longValue());
        assertEquals("m1", v.getString("message"));
        assertEquals(KafkaRecords.FORMAT, new String(first.headers().lastHeader(KafkaRecords.FORMAT_HEADER).value(), StandardCharsets.UTF_8));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(m.history()));

        assertEquals(5, sink.stats().inFlight());
        m.completeNext();
        m.completeNext();
        await().atMost(Duration.ofSeconds(10)).until(() -> position.get() == 2);
        KafkaSinkStats s = sink.stats();
        assertEquals(2, s.sent());
        assertEquals(3, s.backlog());
        assertEquals(2, s.ackedPosition());
        assertEquals(2, latencies.get());
        while (m.completeNext()) {
            // the rest
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> position.get() == 5);
        assertEquals(0, sink.stats().backlog());
        assertTrue(sink.isHealthy());
    }

    @Test
    void aFailedSendIsRetriedFromTheFirstUnacknowledgedEntryInOrderWithoutResendingAcknowledgedOnes() {
        start(100, Optional::empty);
        UUID wf = UUID.randomUUID();
        UUID runA = UUID.randomUUID();
        UUID runB = UUID.randomUUID();
        sink.process(Entries.batch(wf, runA, 1, 3)); // positions 1-3
        sink.process(Entries.batch(wf, runB, 1, 3)); // positions 4-6
        MockProducer<byte[], byte[]> m = producer();
        await().atMost(Duration.ofSeconds(10)).until(() -> m.history().size() == 6);
        m.completeNext();                                   // A1 in Kafka
        m.errorNext(new NotLeaderOrFollowerException());    // A2 failed: the sender stops taking new positions
        sink.process(Entries.batch(wf, runA, 4, 2));        // positions 7-8 arrive meanwhile, not sent yet
        m.errorNext(new NotLeaderOrFollowerException());    // A3 failed too (same partition)
        m.completeNext();                                   // B1 (another partition) in Kafka
        m.errorNext(new NotLeaderOrFollowerException());
        m.errorNext(new NotLeaderOrFollowerException());    // nothing in flight now: the sender rewinds
        await().atMost(Duration.ofSeconds(10)).until(() -> m.history().size() == 6 + 6);
        List<ProducerRecord<byte[], byte[]>> again = m.history().subList(6, 12);
        // A2, A3, B2, B3, A4, A5: every unacknowledged entry once, in the original order; A1 and B1 not again.
        assertEquals(List.of(2L, 3L, 2L, 3L, 4L, 5L), seqs(again));
        assertEquals(List.of(runA, runA, runB, runB, runA, runA), again.stream()
                .map(r -> UUID.fromString(new String(r.key(), StandardCharsets.US_ASCII))).toList());
        while (m.completeNext()) {
            // all in
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.stats().backlog() == 0);
        KafkaSinkStats s = sink.stats();
        assertEquals(8, s.sent());
        assertEquals(4, s.failedSends());
        assertEquals(4, s.resent());
        assertEquals(1, producers.size(), "a retriable failure keeps the producer");
    }

    @Test
    void aNonRetriableFailureReplacesTheProducerAndResendsInOrder() {
        start(100, Optional::empty);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        sink.process(Entries.batch(wf, run, 1, 4));
        MockProducer<byte[], byte[]> first = producer();
        await().atMost(Duration.ofSeconds(10)).until(() -> first.history().size() == 4);
        first.completeNext();
        first.errorNext(new OutOfOrderSequenceException("fatal for the idempotent producer"));
        first.errorNext(new OutOfOrderSequenceException("fatal"));
        first.errorNext(new OutOfOrderSequenceException("fatal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> producers.size() == 2);
        MockProducer<byte[], byte[]> second = producers.get(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> second.history().size() == 3);
        assertEquals(List.of(2L, 3L, 4L), seqs(second.history()));
        assertTrue(first.closed());
    }

    @Test
    void aFullBacklogDropsAndCountsWithoutBlockingWhileTheBrokerIsAway() {
        start(5, () -> Optional.of("broker down"));
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        sink.process(Entries.batch(wf, run, 1, 3));
        sink.process(Entries.batch(wf, run, 4, 3)); // one fits
        sink.process(Entries.batch(wf, run, 7, 2)); // none fits
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.stats().lastError() != null);
        KafkaSinkStats s = sink.stats();
        assertEquals(5, s.backlog());
        assertEquals(3, s.dropped());
        assertEquals(3, s.lost());
        assertFalse(s.topicReady());
        assertFalse(sink.isHealthy());
        assertEquals("broker down", s.lastError());
        assertTrue(producers.isEmpty(), "nothing is produced before the topic is ready");
    }

    @Test
    void anEntryKafkaCanNeverTakeIsCountedAsRejectedAndThePositionMovesOn() {
        Properties p = new Properties();
        p.setProperty(KafkaSettings.PRODUCER_PREFIX + "max.request.size", "700");
        start(100, Optional::empty, p);
        AtomicLong position = new AtomicLong();
        sink.onAcknowledged(position::set);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        List<LogEntry> batch = new ArrayList<>(Entries.batch(wf, run, 1, 3));
        batch.set(1, Entries.info(wf, run, "x".repeat(2_000)).withSeq(2)); // larger than max.request.size
        sink.process(batch);
        MockProducer<byte[], byte[]> m = producer();
        await().atMost(Duration.ofSeconds(10)).until(() -> m.history().size() == 2);
        assertEquals(List.of(1L, 3L), seqs(m.history()));
        m.completeNext();
        m.errorNext(new org.apache.kafka.common.errors.RecordTooLargeException("broker limit")); // the broker's own limit
        await().atMost(Duration.ofSeconds(10)).until(() -> position.get() == 3);
        KafkaSinkStats s = sink.stats();
        assertEquals(2, s.rejected());
        assertEquals(1, s.sent());
        assertEquals(0, s.failedSends(), "a rejection is not a failed send: nothing is retried");
        assertEquals(2, s.lost());
    }

    @Test
    void aSendThatThrowsIsRetriedInOrder() {
        start(100, Optional::empty);
        MockProducer<byte[], byte[]> m = producer();
        m.sendException = new org.apache.kafka.common.errors.TimeoutException("no metadata within max.block.ms");
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        sink.process(Entries.batch(wf, run, 1, 3));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.stats().failedSends() >= 2);
        assertFalse(sink.isHealthy());
        m.sendException = null;
        await().atMost(Duration.ofSeconds(10)).until(() -> m.history().size() == 3);
        assertEquals(List.of(1L, 2L, 3L), seqs(m.history()));
        while (m.completeNext()) {
            // all in
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.stats().backlog() == 0);
        assertTrue(sink.isHealthy());
        assertTrue(sink.close(1_000));
    }

    @Test
    void closeWaitsForTheAcknowledgementsAndReportsWhatIsLeft() {
        start(100, Optional::empty);
        sink.process(Entries.batch(UUID.randomUUID(), UUID.randomUUID(), 1, 3));
        MockProducer<byte[], byte[]> m = producer();
        await().atMost(Duration.ofSeconds(10)).until(() -> m.history().size() == 3);
        m.completeNext();
        assertFalse(sink.close(50), "two entries are still unacknowledged");
        assertEquals(2, sink.stats().backlog());
        List<LogEntry> after = Entries.batch(UUID.randomUUID(), UUID.randomUUID(), 1, 2);
        sink.process(after);
        assertEquals(2, sink.stats().dropped(), "a closed sink takes nothing");
    }

    @Test
    void inJournalModeABatchIsReadFromTheJournalAndOnlyItsUnjournaledEntriesAreCountedAsDropped(@TempDir Path dir) {
        start(100, Optional::empty);
        Journal journal = JournalFixtures.journal(JournalFixtures.settings(dir, JournalFixtures.SMALL_SEGMENT, JournalFixtures.ROOMY,
                FsyncPolicy.INTERVAL), new ManualScheduler(), KafkaLogSink.NAME);
        JournalFixtures.recover(journal);
        try {
            sink.attach(journal.tail(KafkaLogSink.NAME));
            UUID wf = UUID.randomUUID();
            UUID run = UUID.randomUUID();
            sink.process(new SinkBatch(Entries.batch(wf, run, 1, 5), 2));
            sink.process(Entries.batch(wf, run, 6, 1)); // a plain list says nothing of the journal: all journaled
            assertEquals(2, sink.stats().dropped());
            assertEquals(0, sink.stats().appendedPosition(), "nothing taken from the batches: the reader takes the journal");
        } finally {
            sink.close(0);
            journal.close();
        }
    }
}
