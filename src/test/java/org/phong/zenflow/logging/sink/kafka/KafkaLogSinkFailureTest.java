package org.phong.zenflow.logging.sink.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.config.KafkaSettings;
import org.phong.zenflow.logging.testing.Entries;

/** The sink's failure paths (topic not ready, a producer that cannot be made, interrupts, invalid records, overflow). */
class KafkaLogSinkFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<MockProducer<byte[], byte[]>> producers = new CopyOnWriteArrayList<>();
    private KafkaLogSink sink;

    private KafkaLogSink start(int backlog, KafkaLogSink.TopicCheck check, KafkaLogSink.ProducerFactory factory) {
        Properties p = new Properties();
        p.setProperty(KafkaSettings.MAX_BACKLOG_ENTRIES, Integer.toString(backlog));
        p.setProperty(KafkaSettings.RETRY_BACKOFF_MS, "1");
        p.setProperty(KafkaSettings.RETRY_MAX_BACKOFF_MS, "5");
        p.setProperty(KafkaSettings.CLOSE_TIMEOUT_MS, "0");
        sink = KafkaLogSink.start(KafkaSettings.fromProperties(p), Thread::new, factory, check, System::nanoTime);
        return sink;
    }

    private KafkaLogSink start(int backlog, KafkaLogSink.TopicCheck check) {
        return start(backlog, check, props -> {
            MockProducer<byte[], byte[]> m = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
            producers.add(m);
            return m;
        });
    }

    @AfterEach
    void stop() {
        if (sink != null) sink.close(0);
    }

    private MockProducer<byte[], byte[]> producer() {
        await().atMost(WAIT).until(() -> !producers.isEmpty());
        return producers.get(producers.size() - 1);
    }

    @Test
    void entriesWaitUntilTheTopicIsReadyThenGoOut() {
        AtomicInteger checks = new AtomicInteger();
        start(100, () -> checks.incrementAndGet() < 3 ? Optional.of("partition t-0 has no leader yet") : Optional.empty());
        sink.process(Entries.batch(UUID.randomUUID(), UUID.randomUUID(), 1, 2));
        MockProducer<byte[], byte[]> m = producer();
        assertEquals(3, checks.get(), "the producer is made only once the check passed");
        await().atMost(WAIT).until(() -> m.history().size() == 2);
        while (m.completeNext()) {
            // all in
        }
        await().atMost(WAIT).until(() -> sink.stats().backlog() == 0);
        KafkaSinkStats s = sink.stats();
        assertTrue(s.topicReady());
        assertTrue(s.healthy());
        assertEquals("partition t-0 has no leader yet", s.lastError());
        assertEquals(2, s.sent());
    }

    @Test
    void aProducerThatCannotBeMadeStopsTheSenderAndCloseReportsTheEntriesNotDelivered() {
        start(100, Optional::empty, props -> {
            throw new IllegalStateException("no producer today");
        });
        await().atMost(WAIT).until(() -> sink.stats().lastError() != null);
        assertTrue(sink.stats().lastError().contains("no producer today"), sink.stats().lastError());
        assertFalse(sink.isHealthy());
        sink.process(Entries.batch(UUID.randomUUID(), UUID.randomUUID(), 1, 2));
        assertEquals(2, sink.stats().backlog());
        assertFalse(sink.close(0), "two entries never reached Kafka: close must not report everything delivered");
    }

    @Test
    void anInterruptInsideSendStopsTheSenderAndIsReportedUnhealthy() {
        start(100, Optional::empty);
        MockProducer<byte[], byte[]> m = producer();
        m.sendException = new InterruptException("interrupted in send");
        Thread.interrupted(); // InterruptException interrupts the thread that makes it (this one)
        sink.process(Entries.batch(UUID.randomUUID(), UUID.randomUUID(), 1, 2));
        await().atMost(WAIT).until(() -> !sink.isHealthy());
        assertTrue(String.valueOf(sink.stats().lastError()).contains("interrupted in send"), sink.stats().lastError());
        m.sendException = null;
        assertFalse(sink.close(0));
        assertEquals(0, m.history().size(), "the sender stopped: nothing is sent after the interrupt");
    }

    @Test
    void anInvalidRecordIsRejectedNotRetried() {
        start(100, Optional::empty);
        AtomicLong position = new AtomicLong();
        sink.onAcknowledged(position::set);
        sink.process(Entries.batch(UUID.randomUUID(), UUID.randomUUID(), 1, 2));
        MockProducer<byte[], byte[]> m = producer();
        await().atMost(WAIT).until(() -> m.history().size() == 2);
        m.errorNext(new InvalidRecordException("broker refuses this record"));
        m.completeNext();
        await().atMost(WAIT).until(() -> position.get() == 2);
        KafkaSinkStats s = sink.stats();
        assertEquals(1, s.rejected());
        assertEquals(1, s.sent());
        assertEquals(0, s.failedSends());
        assertEquals(0, s.resent());
        assertEquals(2, m.history().size(), "nothing sent again");
        assertTrue(s.lastError().contains("broker refuses this record"), s.lastError());
    }

    @Test
    void aBacklogWithRoomAgainTakesEntriesAfterAnOverflow() {
        start(2, Optional::empty);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        sink.process(Entries.batch(wf, run, 1, 3));            // one dropped
        assertEquals(1, sink.stats().dropped());
        MockProducer<byte[], byte[]> m = producer();
        await().atMost(WAIT).until(() -> m.history().size() == 2);
        while (m.completeNext()) {
            // all in
        }
        await().atMost(WAIT).until(() -> sink.stats().backlog() == 0);
        sink.process(Entries.batch(wf, run, 4, 2));            // fits again
        assertEquals(1, sink.stats().dropped());
        await().atMost(WAIT).until(() -> m.history().size() == 4);
    }
}
