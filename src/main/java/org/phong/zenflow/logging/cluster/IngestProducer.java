package org.phong.zenflow.logging.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;

/**
 * Any node's side of cluster mode's ingest: puts validated, redacted, unsequenced records on the
 * ingest topic ({@link IngestCodec}: key = run id, so a run's records keep one partition and their
 * produced order), through one idempotent {@code acks=all} producer.
 *
 * <p><b>Never blocks on I/O beyond {@code max.block.ms}</b>, which this class sets to
 * {@value #DEFAULT_MAX_BLOCK_MS} ms unless the caller sets it: {@link #send} either hands the record to
 * the producer's buffer (the producer's buffer is the queue; {@code buffer.memory} bounds it) or throws
 * {@link IngestRefusedException} when the buffer stays full or the topic's metadata stays unknown that
 * long (the producer reports those through the callback before {@code send} returns; they are turned
 * into the refusal here, so a caller never has to tell a refusal from a late failure). Call
 * {@link #awaitReady} once at start, off the request path, so the first sends find the metadata.
 *
 * <p><b>Acknowledgement</b>: the returned stage completes when Kafka has the record under
 * {@code acks=all} (the meaning of {@code ?wait=durable} in cluster mode), or exceptionally when the
 * producer gave up on it ({@code delivery.timeout.ms}); dependent actions run on the producer's I/O
 * thread unless made async, so keep them short. Order: one producer with idempotence keeps a
 * partition's records in send order through its own retries; a caller that retries a refused record
 * before sending the run's next one keeps the run's order.
 *
 * <p>Thread-safe (KafkaProducer is). State: the counters.
 */
public final class IngestProducer implements AutoCloseable {
    /** The default longest wait of {@link #send} for buffer space or metadata. */
    public static final long DEFAULT_MAX_BLOCK_MS = 10;
    /** How long {@link #close()} lets buffered records be acknowledged. */
    private static final long CLOSE_TIMEOUT_MS = 5_000;
    /** Pause between metadata checks in {@link #awaitReady}, on top of each check's own max.block.ms. */
    private static final long READY_RETRY_MS = 50;

    /**
     * Counters since start.
     *
     * @param acknowledged records Kafka acknowledged
     * @param failed       records the producer accepted and later gave up on
     * @param refused      records {@link #send} refused
     */
    public record Stats(long acknowledged, long failed, long refused) {
    }

    private final String topic;
    private final Producer<byte[], byte[]> producer;
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /**
     * @param topic    the ingest topic
     * @param producer a producer configured by {@link #producerProperties} (tests may pass any)
     */
    public IngestProducer(String topic, Producer<byte[], byte[]> producer) {
        this.topic = Objects.requireNonNull(topic);
        this.producer = Objects.requireNonNull(producer);
    }

    /**
     * @param topic the ingest topic
     * @param base  producer properties (at least {@code bootstrap.servers})
     * @return a producer on a real {@link KafkaProducer}
     */
    public static IngestProducer create(String topic, Map<String, Object> base) {
        return new IngestProducer(topic, DurableProducers.open(base, DEFAULT_MAX_BLOCK_MS));
    }

    /**
     * @param base the caller's properties
     * @return them with what the ingest path needs fixed: {@code acks=all}, idempotence; and
     *         {@code max.block.ms} {@value #DEFAULT_MAX_BLOCK_MS} unless given
     */
    public static Map<String, Object> producerProperties(Map<String, Object> base) {
        return DurableProducers.properties(base, DEFAULT_MAX_BLOCK_MS);
    }

    /**
     * Waits until the producer knows the topic's partitions (metadata fetched), checking again after
     * each bounded attempt. A start-up step: {@link #send} refuses while the metadata is unknown.
     *
     * @param timeout the longest wait
     * @return true when ready, false when the topic stayed unknown (absent, or the broker unreachable)
     * @throws InterruptedException when interrupted
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (!producer.partitionsFor(topic).isEmpty()) return true;
            } catch (InterruptException e) {
                throw new InterruptedException(e.getMessage());
            } catch (KafkaException e) {
                // org.apache.kafka.common.errors.TimeoutException: metadata not fetched within max.block.ms
            }
            if (System.nanoTime() - deadline >= 0) return false;
            TimeUnit.MILLISECONDS.sleep(READY_RETRY_MS);
        }
    }

    /**
     * Hands the record to the producer without waiting for I/O longer than {@code max.block.ms}.
     *
     * @param r a validated, redacted record
     * @return completes when Kafka acknowledged the record ({@code acks=all}), exceptionally when the
     *         producer gave up on it
     * @throws IngestRefusedException when the producer did not take it (nothing was queued)
     */
    public CompletionStage<RecordMetadata> send(IngestRecord r) throws IngestRefusedException {
        ProducerRecord<byte[], byte[]> rec = IngestCodec.record(topic, r);
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        // A buffer that stayed full, metadata that stayed unknown, a record over the size limits: KafkaProducer
        // reports them through the callback on the calling thread before send() returns. Such a record was never
        // queued: a refusal, not a failure. Any other callback comes later, on the producer's I/O thread.
        Thread caller = Thread.currentThread();
        boolean[] sending = {true};
        Exception[] refusal = {null};
        try {
            producer.send(rec, (md, ex) -> {
                if (ex == null) {
                    acknowledged.increment(); // before completing: whoever sees the stage done sees the count
                    done.complete(md);
                } else if (sending[0] && Thread.currentThread() == caller) {
                    refusal[0] = ex;
                } else {
                    failed.increment();
                    done.completeExceptionally(ex);
                }
            });
        } catch (KafkaException | IllegalStateException e) { // closed, fenced, interrupted: never queued
            refusal[0] = e;
        } finally {
            sending[0] = false;
        }
        if (refusal[0] != null) {
            refused.increment();
            throw new IngestRefusedException("ingest record of run " + r.runId() + " not taken: " + refusal[0], refusal[0]);
        }
        return done.minimalCompletionStage();
    }

    /** @return counters since start */
    public Stats stats() {
        return new Stats(acknowledged.sum(), failed.sum(), refused.sum());
    }

    /** Sends what is buffered now and waits for every acknowledgement (tests, shutdown). */
    public void flush() {
        producer.flush();
    }

    /**
     * @param timeout how long to wait for buffered records to be acknowledged; what is left then is
     *                failed (its stages complete exceptionally)
     */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    /** As {@link #close(Duration)} with {@value #CLOSE_TIMEOUT_MS} ms. */
    @Override
    public void close() {
        close(Duration.ofMillis(CLOSE_TIMEOUT_MS));
    }
}
