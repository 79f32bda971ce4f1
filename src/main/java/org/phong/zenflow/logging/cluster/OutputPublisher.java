package org.phong.zenflow.logging.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
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
 * <p><b>Delivery: at least once, across crashes and takeovers</b>, through the output outbox
 * ({@link OutputOutbox}; this class is the loop's {@link ConfirmingListener}):
 * <ul>
 *   <li>The producer retries in order for {@code delivery.timeout.ms}; an entry it then gives up on,
 *       or one it refuses ({@code max.block.ms}, default here {@value #DEFAULT_MAX_BLOCK_MS} ms, a
 *       back-pressure on the loop while the buffer is full), is counted as {@code failed} and logged.</li>
 *   <li>Each write's sends are tracked together ({@link #accept(TopicPartition, long, List)}): when the last
 *       of them is acknowledged and none failed, the write is confirmed, and the loop deletes its outbox
 *       row. A write with a failed entry is never confirmed: its row stays, and the next claim of the
 *       partition (after a takeover, a rebalance or an offset mismatch) republishes it
 *       ({@link #republish}). So does the next owner for the writes of a node that died before Kafka
 *       acknowledged them, and the loop for a write whose commit reply was lost.</li>
 *   <li>Duplicates are possible: a write confirmed on a node that died before its row was deleted, or
 *       published by a fenced owner that is still alive, is published again by the next claim. Readers
 *       drop them by {@code (runId, seq)}; a live tail also fills a seq jump (a write being republished,
 *       or failed) from PostgreSQL.</li>
 * </ul>
 * Confirmation is ordered before the end of in-flight tracking, so there is no moment at which a write
 * is neither {@link #holds held} nor deleted: a republish never copies a write whose sends succeeded on this
 * node. Thread-safe; state: the counters, the writes in flight and the confirmed writes not yet forgotten
 * (both bounded by what is in flight plus one interval of the loop's sweep).
 */
public final class OutputPublisher implements ConfirmingListener, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutputPublisher.class.getName());
    /** Default longest wait for buffer space: the owner loop waits that long before counting an entry as failed. */
    public static final long DEFAULT_MAX_BLOCK_MS = 10_000;
    /** How long {@link #close()} lets buffered entries be acknowledged. */
    private static final long CLOSE_TIMEOUT_MS = 5_000;

    /**
     * Counters since start.
     *
     * @param acknowledged entries Kafka acknowledged (republished ones included)
     * @param failed       entries refused or given up on (in PostgreSQL; their write is republished at the next claim)
     * @param republished  entries read back from PostgreSQL for an outbox row and sent again
     * @param expired      entries of outbox rows that {@code logs} no longer held (retention), never republished
     */
    public record Stats(long acknowledged, long failed, long republished, long expired) {
        /** Counters of a publisher that republished nothing. */
        public Stats(long acknowledged, long failed) {
            this(acknowledged, failed, 0, 0);
        }
    }

    /** A write's sends: confirmed when {@code left} reaches 0 with no failure. */
    private static final class Tracked {
        final AtomicInteger left;
        volatile boolean failed;

        Tracked(int entries) {
            left = new AtomicInteger(entries);
        }
    }

    /** A tracked write. */
    private record WriteKey(TopicPartition source, long firstOffset) {
    }

    private final String topic;
    private final Producer<byte[], byte[]> producer;
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder republished = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final ConcurrentMap<WriteKey, Tracked> inFlight = new ConcurrentHashMap<>();
    /** Confirmed first offsets per ingest partition; a partition's set is never removed (bounded by the partitions). */
    private final ConcurrentMap<TopicPartition, Set<Long>> confirmedWrites = new ConcurrentHashMap<>();
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

    @Override
    public void accept(TopicPartition source, long firstOffset, List<LogEntry> sequenced) {
        WriteKey key = new WriteKey(source, firstOffset);
        Tracked t = new Tracked(sequenced.size());
        inFlight.put(key, t); // replaces an earlier failed attempt's tracker, whose sends are all done
        if (sequenced.isEmpty()) {
            done(key, t);
            return;
        }
        for (LogEntry e : sequenced) {
            try {
                producer.send(KafkaRecords.record(topic, e), (md, ex) -> {
                    if (ex == null) {
                        succeeded();
                    } else {
                        t.failed = true;
                        failed(e, ex);
                    }
                    if (t.left.decrementAndGet() == 0) done(key, t);
                });
            } catch (KafkaException | IllegalStateException ex) { // closed or fatal: the callback never runs
                t.failed = true;
                failed(e, ex);
                if (t.left.decrementAndGet() == 0) done(key, t);
            }
        }
    }

    /** Every send of the write has its outcome: confirm it unless one failed; then stop tracking it (in this order, see the class comment). */
    private void done(WriteKey key, Tracked t) {
        if (!t.failed) confirmedWrites.computeIfAbsent(key.source(), k -> ConcurrentHashMap.newKeySet()).add(key.firstOffset());
        inFlight.remove(key, t);
    }

    @Override
    public void republish(TopicPartition source, long firstOffset, List<LogEntry> entries, long expiredEntries) {
        republished.add(entries.size());
        expired.add(expiredEntries);
        if (expiredEntries > 0) {
            LOG.warning("output outbox row " + source + "@" + firstOffset + ": " + expiredEntries + " of its entries are no longer in "
                    + "PostgreSQL (retention dropped them before they were published); republishing the " + entries.size() + " left");
        }
        accept(source, firstOffset, entries); // an empty one is confirmed at once: its row is deleted, not retried
    }

    @Override
    public boolean holds(TopicPartition source, long firstOffset) {
        if (inFlight.containsKey(new WriteKey(source, firstOffset))) return true;
        Set<Long> c = confirmedWrites.get(source);
        return c != null && c.contains(firstOffset);
    }

    @Override
    public Set<Long> confirmed(TopicPartition source) {
        Set<Long> c = confirmedWrites.get(source);
        return c == null ? Set.of() : Set.copyOf(c);
    }

    @Override
    public Map<TopicPartition, Set<Long>> confirmed() {
        Map<TopicPartition, Set<Long>> out = new HashMap<>();
        for (Map.Entry<TopicPartition, Set<Long>> e : confirmedWrites.entrySet()) {
            Set<Long> c = Set.copyOf(e.getValue());
            if (!c.isEmpty()) out.put(e.getKey(), c);
        }
        return out;
    }

    @Override
    public void forget(TopicPartition source, Set<Long> firstOffsets) {
        Set<Long> c = confirmedWrites.get(source);
        if (c != null) c.removeAll(firstOffsets);
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
        return new Stats(acknowledged.sum(), failed.sum(), republished.sum(), expired.sum());
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
