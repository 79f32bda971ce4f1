package org.phong.zenflow.logging.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.sink.kafka.KafkaRecords;

/**
 * Publishes what a partition owner committed to the output topic, in the Kafka sink's format
 * ({@link KafkaRecords}: key = run id text, value = the entry's JSON with its seq, header
 * {@code zenflow-format: log-entry+json;v=1}), through one idempotent {@code acks=all} producer: a
 * {@link SequencedListener} for {@link PartitionOwnerLoop}.
 *
 * <p><b>Order</b>: the loop calls it after each commit, in commit order, on one thread; one idempotent
 * producer keeps each output partition in send order, so a run's entries appear in seq order.
 *
 * <p><b>Delivery: at least once while the process lives, and no more than that</b>:
 * <ul>
 *   <li>The producer retries in order for {@code delivery.timeout.ms}; an entry it then gives up on,
 *       or one it refuses ({@code max.block.ms}, default here {@value #DEFAULT_MAX_BLOCK_MS} ms, a
 *       back-pressure on the loop while the buffer is full), is counted as {@code failed} and logged:
 *       it is in PostgreSQL, and a reader sees a jump in the run's seq.</li>
 *   <li>Entries committed but not yet acknowledged when the process dies (or committed by a write
 *       whose commit reply was lost, which the loop only learns as an offset mismatch) are never
 *       published: nothing republishes from the ledger after a takeover. A live tail must therefore
 *       fill a seq jump from PostgreSQL (its history path) and drop duplicates by {@code (runId, seq)}.</li>
 * </ul>
 * Thread-safe; state: the counters.
 */
public final class OutputPublisher implements SequencedListener, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutputPublisher.class.getName());
    /** Default longest wait for buffer space: the owner loop waits that long before counting an entry as failed. */
    public static final long DEFAULT_MAX_BLOCK_MS = 10_000;
    /** How long {@link #close()} lets buffered entries be acknowledged. */
    private static final long CLOSE_TIMEOUT_MS = 5_000;

    /**
     * Counters since start.
     *
     * @param acknowledged entries Kafka acknowledged
     * @param failed       entries refused or given up on (not on the output topic; in PostgreSQL)
     */
    public record Stats(long acknowledged, long failed) {
    }

    private final String topic;
    private final Producer<byte[], byte[]> producer;
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder failed = new LongAdder();
    /** Whether the last outcome was a failure: the first failure after a success is logged at WARNING, the rest at FINE. */
    private volatile boolean failing;

    /**
     * @param topic    the output topic
     * @param producer a producer configured by {@link #producerProperties} (tests may pass any)
     */
    public OutputPublisher(String topic, Producer<byte[], byte[]> producer) {
        this.topic = Objects.requireNonNull(topic);
        this.producer = Objects.requireNonNull(producer);
    }

    /**
     * @param topic the output topic
     * @param base  producer properties (at least {@code bootstrap.servers})
     * @return a publisher on a real {@link KafkaProducer}
     */
    public static OutputPublisher create(String topic, Map<String, Object> base) {
        return new OutputPublisher(topic, DurableProducers.open(base, DEFAULT_MAX_BLOCK_MS));
    }

    /**
     * @param base the caller's properties
     * @return them with {@code acks=all} and idempotence fixed, {@code max.block.ms}
     *         {@value #DEFAULT_MAX_BLOCK_MS} unless given
     */
    public static Map<String, Object> producerProperties(Map<String, Object> base) {
        return DurableProducers.properties(base, DEFAULT_MAX_BLOCK_MS);
    }

    @Override
    public void accept(List<LogEntry> sequenced) {
        for (LogEntry e : sequenced) {
            try {
                producer.send(KafkaRecords.record(topic, e), (md, ex) -> {
                    if (ex == null) succeeded();
                    else failed(e, ex);
                });
            } catch (KafkaException | IllegalStateException ex) { // closed or fatal: the callback never runs
                failed(e, ex);
            }
        }
    }

    private void succeeded() {
        acknowledged.increment();
        if (failing) failing = false;
    }

    private void failed(LogEntry e, Throwable ex) {
        failed.increment();
        Level level = failing ? Level.FINE : Level.WARNING;
        failing = true;
        LOG.log(level, () -> "entry " + e.runId() + "/" + e.seq() + " not published to " + topic + " (" + ex
                + "); it is stored in PostgreSQL; " + failed.sum() + " not published so far");
    }

    /** @return counters since start */
    public Stats stats() {
        return new Stats(acknowledged.sum(), failed.sum());
    }

    /** Sends what is buffered now and waits for every outcome (tests, shutdown). */
    public void flush() {
        producer.flush();
    }

    /** @param timeout how long to wait for buffered entries; what is left then is failed */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    /** As {@link #close(Duration)} with {@value #CLOSE_TIMEOUT_MS} ms. */
    @Override
    public void close() {
        close(Duration.ofMillis(CLOSE_TIMEOUT_MS));
    }
}
