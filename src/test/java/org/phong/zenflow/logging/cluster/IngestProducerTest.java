package org.phong.zenflow.logging.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.cluster.IngestRecord.Ended;
import org.phong.zenflow.logging.cluster.IngestRecord.Started;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;

/**
 * The ingest producer never waits on I/O longer than max.block.ms: what the producer cannot take is a
 * refusal thrown to the caller; what it takes completes when Kafka acknowledges it (or fails later).
 */
class IngestProducerTest {
    private static final Instant AT = Instant.parse("2026-11-20T08:00:00Z");

    @Test
    void theIngestPathFixesAcksIdempotenceAndASmallMaxBlock() {
        Map<String, Object> p = IngestProducer.producerProperties(Map.of("bootstrap.servers", "b:9092", "acks", "1"));
        DurableProducersTest.assertDurable(p, IngestProducer.DEFAULT_MAX_BLOCK_MS);
        assertEquals("3", IngestProducer.producerProperties(Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3")).get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
    }

    @Test
    void anUnreachableBrokerIsARefusalWithinMaxBlockNotABlock() throws Exception {
        KafkaBrokerLauncher.quietClientLogs();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        try (IngestProducer p = IngestProducer.create("ingest", Map.of("bootstrap.servers", "localhost:" + port,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "50"))) {
            long t0 = System.nanoTime();
            IngestRefusedException e = assertThrows(IngestRefusedException.class,
                    () -> p.send(new Started(UUID.randomUUID(), UUID.randomUUID(), AT)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 2_000, "refused after " + ms + " ms");
            assertTrue(e.getCause() instanceof TimeoutException, String.valueOf(e.getCause()));
            assertFalse(p.awaitReady(Duration.ofMillis(200)));
            assertEquals(new IngestProducer.Stats(0, 0, 1), p.stats());
        }
    }

    @Test
    void theStageCompletesOnAcknowledgementOrFailureAndAClosedProducerRefuses() throws Exception {
        MockProducer<byte[], byte[]> m = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        IngestProducer p = new IngestProducer("ingest", m);
        UUID run = UUID.randomUUID();
        CompletableFuture<RecordMetadata> a = p.send(new Started(UUID.randomUUID(), run, AT)).toCompletableFuture();
        CompletableFuture<RecordMetadata> b = p.send(new Ended(run, RunOutcome.SUCCEEDED, AT)).toCompletableFuture();
        assertFalse(a.isDone(), "not acknowledged yet");
        assertEquals(2, m.history().size());
        assertEquals(run.toString(), new String(m.history().get(0).key(), java.nio.charset.StandardCharsets.US_ASCII));
        m.completeNext();
        assertEquals("ingest", a.get(5, TimeUnit.SECONDS).topic());
        m.errorNext(new TimeoutException("delivery timeout"));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> b.get(5, TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof TimeoutException);
        assertEquals(new IngestProducer.Stats(1, 1, 0), p.stats());
        p.close();
        assertThrows(IngestRefusedException.class, () -> p.send(new Ended(run, RunOutcome.FAILED, AT)));
        assertEquals(1, p.stats().refused());
    }
}
