package org.phong.zenflow.logging.stream;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.phong.zenflow.logging.time.Sleeper;
import org.phong.zenflow.logging.time.WorkerThreads;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.codec.JsonSupport;
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.sink.kafka.ConsumerFactory;
import org.phong.zenflow.logging.sink.kafka.KafkaRecords;

/**
 * Cluster mode's feed of the {@link StreamHub}: follows the output topic (where partition owners
 * publish what they committed, in the Kafka sink's format) and hands the entries of the runs watched
 * on this node to the hub, so any node serves any run's live tail.
 *
 * <p><b>Reading.</b> One {@link Consumer} on one thread, with a manual {@code assign} of every partition
 * of the topic and no consumer group: every node reads everything, nothing is committed, no rebalance
 * ever pauses the tail. It starts at the end offsets of the moment it starts (what was published before
 * is in PostgreSQL, where a session's history comes from). Partitions added later are found by a
 * metadata re-check every {@code partitionRecheckMs} and read from their beginning (all their records
 * are newer than the start). Records deleted by retention before they were read ({@code
 * auto.offset.reset=latest}) are skipped: the sessions fill the hole from PostgreSQL.
 *
 * <p><b>Per record</b>, on the follower's thread: the key (run id text, 36 ASCII bytes) is parsed
 * without building a string and looked up among the watched runs; only those records are decoded
 * ({@link LogEntryJson}). A run's records are on one partition in seq order, except duplicates (the
 * output is at least once: a publisher's retry or a batch published twice); a record whose seq is not
 * above the last one handed for its run is dropped here, and a session skips anything at or below
 * what it covered anyway. The hub appends the entry once to the run's feed and never blocks: a session
 * whose backlog passes its bound is closed 1013, the others and this thread go on.
 *
 * <p><b>What this does not guarantee, and who does</b>: a record lost between an owner's commit and its
 * publish, one published before this follower started, or one skipped by retention shows up in a session
 * as a seq jump (or as a run end past what it has); the session reads the hole from PostgreSQL (see
 * package-info). The follower therefore needs no replay and no state beyond the last seq per watched run.
 *
 * <p>Stop: {@link #close} wakes the consumer up and waits for the thread, which closes the consumer.
 */
public final class OutputTopicFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutputTopicFollower.class.getName());
    /** The length of a UUID's text: 8-4-4-4-12 hex digits. */
    private static final int UUID_TEXT = 36;
    /** Default longest wait of one poll (latency does not depend on it: a poll returns when records arrive). */
    public static final long DEFAULT_POLL_MS = 200;
    /** Default interval between re-reads of the topic's partitions (partitions are rarely added). */
    public static final long DEFAULT_PARTITION_RECHECK_MS = 30_000;
    /** Default pause after a broker failure, or while the topic has no partitions. */
    public static final long DEFAULT_RETRY_BACKOFF_MS = 500;
    /** Default wait of {@link #close()} for the thread, then for the consumer; also the metadata wait. */
    public static final long DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

    /**
     * What the follower does.
     *
     * @param topic              the output topic
     * @param pollTimeout        the longest wait of one poll
     * @param partitionRecheckMs how often the topic's partitions are re-read (partitions added later)
     * @param retryBackoffMs     the pause after a failure of the broker, or while the topic has no partitions
     * @param closeTimeout       wait of {@link #close()} for the thread, then for the consumer
     */
    public record Options(String topic, Duration pollTimeout, long partitionRecheckMs, long retryBackoffMs, Duration closeTimeout) {
        /** Validates. */
        public Options {
            if (topic == null || topic.isBlank()) throw new IllegalArgumentException("topic is required");
            Objects.requireNonNull(pollTimeout, "pollTimeout");
            Objects.requireNonNull(closeTimeout, "closeTimeout");
            if (partitionRecheckMs < 1 || retryBackoffMs < 1) throw new IllegalArgumentException("intervals must be at least 1 ms");
        }

        /**
         * @param topic the output topic
         * @return the {@code DEFAULT_*} timings of {@link OutputTopicFollower}
         */
        public static Options defaults(String topic) {
            return new Options(topic, Duration.ofMillis(DEFAULT_POLL_MS), DEFAULT_PARTITION_RECHECK_MS, DEFAULT_RETRY_BACKOFF_MS,
                    Duration.ofMillis(DEFAULT_CLOSE_TIMEOUT_MS));
        }

        /** @return these options with another partition re-check interval */
        public Options withPartitionRecheck(long ms) {
            return new Options(topic, pollTimeout, ms, retryBackoffMs, closeTimeout);
        }
    }

    /**
     * Counters since start.
     *
     * @param records    records read
     * @param handed     entries handed to the hub
     * @param duplicates records of a watched run dropped for a seq already handed
     * @param malformed  records that did not decode (foreign key, other format, bad JSON): skipped
     * @param failures   broker failures survived (each followed by a pause)
     * @param partitions partitions assigned now
     * @param positioned true once the start position (the end offsets) is fixed
     */
    public record Stats(long records, long handed, long duplicates, long malformed, long failures, int partitions,
                        boolean positioned) {
    }

    private final Options options;
    private final Map<String, Object> consumerProps;
    private final ConsumerFactory factory;
    private final StreamHub hub;
    private final Sleeper sleeper;
    private final LongSupplier nowMillis;
    private final LongAdder records = new LongAdder();
    private final LongAdder handed = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private volatile int partitionCount;
    private volatile boolean positioned;
    private volatile boolean stopped;
    private volatile Thread thread;
    private volatile Consumer<byte[], byte[]> consumer;

    // ---- follower thread only
    private final Set<TopicPartition> assigned = new HashSet<>();
    /** The last seq handed per watched run (pruned to the watched runs at every partition re-check). */
    private final Map<UUID, Long> lastHanded = new HashMap<>();
    private long nextRecheckMs = Long.MIN_VALUE;

    /**
     * @param options      the topic and timings
     * @param consumerBase consumer properties (at least {@code bootstrap.servers}); see {@link #consumerProperties}
     * @param factory      makes the consumer from {@link #consumerProperties} ({@link ConsumerFactory#kafka()} in production)
     * @param hub          the hub in cluster mode ({@link StreamHub#attachCluster})
     * @param sleeper      pauses after failures ({@code Thread::sleep} in production)
     * @param nowMillis    a monotonic clock in milliseconds (partition re-checks)
     */
    public OutputTopicFollower(Options options, Map<String, Object> consumerBase, ConsumerFactory factory, StreamHub hub,
                               Sleeper sleeper, LongSupplier nowMillis) {
        this.options = Objects.requireNonNull(options);
        this.consumerProps = consumerProperties(consumerBase);
        this.factory = Objects.requireNonNull(factory);
        this.hub = Objects.requireNonNull(hub);
        this.sleeper = Objects.requireNonNull(sleeper);
        this.nowMillis = Objects.requireNonNull(nowMillis);
    }

    /**
     * @param base the caller's properties
     * @return them without {@code group.id} (no group: every node reads every partition), without auto
     *         commit (nothing to commit), {@code auto.offset.reset=latest} (records gone to retention are
     *         skipped; sessions fill holes from PostgreSQL)
     */
    public static Map<String, Object> consumerProperties(Map<String, Object> base) {
        Map<String, Object> p = new HashMap<>(base);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        return p;
    }

    /**
     * Starts following on a new thread of {@code threads}. Once only.
     *
     * @param threads Liberty's managed thread factory, or {@code Thread::new}
     */
    public synchronized void start(ThreadFactory threads) {
        if (thread != null) throw new IllegalStateException("already started");
        Thread t = threads.newThread(this::run);
        t.setName("zenflow-logging-output-follower");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** @return counters since start (thread-safe) */
    public Stats stats() {
        return new Stats(records.sum(), handed.sum(), duplicates.sum(), malformed.sum(), failures.sum(), partitionCount, positioned);
    }

    // ------------------------------------------------------------------ the loop (follower thread)

    private void run() {
        Consumer<byte[], byte[]> c;
        try {
            c = factory.create(consumerProps);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Cannot create the consumer of the output topic " + options.topic() + "; no cross-node live tail", e);
            return;
        }
        consumer = c;
        try {
            while (!stopped) {
                try {
                    long now = nowMillis.getAsLong();
                    if (now >= nextRecheckMs) {
                        refreshPartitions(c);
                        lastHanded.keySet().removeIf(run -> !hub.watches(run));
                        nextRecheckMs = now + options.partitionRecheckMs();
                    }
                    if (assigned.isEmpty()) {
                        nextRecheckMs = Long.MIN_VALUE; // no partition yet: look again after the pause
                        sleeper.sleep(options.retryBackoffMs());
                        continue;
                    }
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(options.pollTimeout())) handle(r);
                } catch (WakeupException e) {
                    if (stopped) break; // else a stray wakeup: poll again
                } catch (InterruptException e) {
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (KafkaException | IllegalStateException e) {
                    failures.increment();
                    LOG.log(Level.WARNING, "Output topic " + options.topic() + ": " + e + "; retrying in " + options.retryBackoffMs() + " ms", e);
                    try {
                        sleeper.sleep(options.retryBackoffMs());
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        } finally {
            try {
                c.close(options.closeTimeout());
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Closing the output topic's consumer", e);
            }
        }
    }

    /**
     * Assigns every partition of the topic. The first assignment starts at the end offsets, fixed at
     * once ({@code position}), so "started" means a definite point; partitions that appear later are
     * read from their beginning.
     */
    private void refreshPartitions(Consumer<byte[], byte[]> c) {
        List<PartitionInfo> infos = c.partitionsFor(options.topic(), options.closeTimeout());
        if (infos == null || infos.isEmpty()) return; // the topic does not exist (yet)
        Set<TopicPartition> all = new HashSet<>();
        for (PartitionInfo i : infos) all.add(new TopicPartition(i.topic(), i.partition()));
        if (all.equals(assigned) || !all.containsAll(assigned)) {
            if (!all.containsAll(assigned)) LOG.warning("Output topic " + options.topic() + " lost partitions; keeping " + assigned);
            return;
        }
        List<TopicPartition> added = new ArrayList<>(all);
        added.removeAll(assigned);
        boolean first = assigned.isEmpty();
        c.assign(all); // partitions already assigned keep their positions
        assigned.addAll(added);
        partitionCount = assigned.size();
        if (first) {
            c.seekToEnd(added);
            for (TopicPartition tp : added) c.position(tp, options.closeTimeout());
            positioned = true;
        } else {
            c.seekToBeginning(added);
            LOG.info("Output topic " + options.topic() + ": following " + added.size() + " new partition(s) from their beginning");
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        records.increment();
        UUID run = runIdOf(r.key());
        if (run == null) {
            malformed.increment();
            return;
        }
        if (!hub.watches(run)) return; // the common case: nobody here watches it, nothing decoded
        LogEntry e = decode(r);
        if (e == null || !e.runId().equals(run)) {
            malformed.increment();
            return;
        }
        Long last = lastHanded.get(run);
        if (last != null && e.seq() <= last) {
            duplicates.increment();
            return;
        }
        lastHanded.put(run, e.seq());
        hub.offerRemote(e);
        handed.increment();
    }

    /** @return the sequenced entry, or null when the record is not the sink's format */
    private LogEntry decode(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(KafkaRecords.FORMAT_HEADER);
        if (h != null && !KafkaRecords.FORMAT.equals(new String(h.value(), StandardCharsets.UTF_8))) return null;
        if (r.value() == null) return null;
        try (JsonReader reader = JsonSupport.JSON.createReader(new StringReader(new String(r.value(), StandardCharsets.UTF_8)))) {
            JsonObject o = reader.readObject();
            JsonNumber seq = o.getJsonNumber("seq");
            if (seq == null || !seq.isIntegral() || seq.longValue() < 1) return null;
            return LogEntryJson.fromJson(o).withSeq(seq.longValue());
        } catch (RuntimeException ex) { // JSON errors, ClassCastException, InvalidLogEntryException
            LOG.log(Level.FINE, () -> "Output topic record at " + r.topic() + "-" + r.partition() + "@" + r.offset() + " skipped: " + ex);
            return null;
        }
    }

    /**
     * Parses a run id key (UUID text, 8-4-4-4-12 hex digits, either case) without building a string.
     *
     * @param key the record key
     * @return the run id, or null when the key is not one
     */
    static UUID runIdOf(byte[] key) {
        if (key == null || key.length != UUID_TEXT) return null;
        long msb = 0;
        long lsb = 0;
        int digits = 0;
        for (int i = 0; i < UUID_TEXT; i++) {
            byte b = key[i];
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (b != '-') return null;
                continue;
            }
            int v = Character.digit(b, 16);
            if (v < 0) return null;
            if (digits < 16) msb = (msb << 4) | v;
            else lsb = (lsb << 4) | v;
            digits++;
        }
        return new UUID(msb, lsb);
    }

    // ------------------------------------------------------------------ lifecycle

    /** As {@link #close(Duration)} with the options' close timeout. */
    @Override
    public void close() {
        close(options.closeTimeout());
    }

    /**
     * Stops following: wakes the consumer up, waits for the thread (which closes the consumer), and
     * interrupts it after {@code timeout}.
     *
     * @param timeout how long to wait for the thread before interrupting it, and again after
     */
    public void close(Duration timeout) {
        stopped = true;
        Consumer<byte[], byte[]> c = consumer;
        Runnable wakeUp = c == null ? () -> { } : c::wakeup;
        if (!WorkerThreads.stop(thread, wakeUp, timeout)) LOG.warning("output topic follower still running after close");
    }
}
