package org.phong.zenflow.logging.sink.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.api.SinkBatch;
import org.phong.zenflow.logging.config.InvalidConfigurationException;
import org.phong.zenflow.logging.config.KafkaSettings;
import org.phong.zenflow.logging.journal.JournalFollower;
import org.phong.zenflow.logging.journal.JournalTail;
import org.phong.zenflow.logging.time.Backoff;

/**
 * Publishes every entry to Kafka (format and invariants: package-info). {@link #process} only appends
 * to the sink's bounded {@link PositionRing} and returns, so neither the collector, nor PostgreSQL, nor
 * the router ever waits for Kafka. One sender thread of the sink's own sends positions in order through
 * an idempotent {@code acks=all} producer; delivery results come back on the producer's I/O thread and
 * move the acknowledged position. A failed send stops the sender; once nothing is in flight it rewinds to
 * the first unacknowledged position and sends from there, after backoff, with a fresh producer when the
 * failure was not retriable. Non-durable for the collector: the pipeline never waits for it.
 */
public final class KafkaLogSink implements LogSink, JournalFollower, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaLogSink.class.getName());
    /** The sink's name in metrics, health and the status. */
    public static final String NAME = "kafka";
    /** How long the sender waits for work before re-checking its state. */
    private static final long POLL_MS = 200;
    /** How long the topic check may wait for the broker in one attempt. */
    private static final long TOPIC_CHECK_TIMEOUT_MS = 10_000;
    /** Kafka's default max.request.size, used when the property is not set. */
    private static final int DEFAULT_MAX_REQUEST_SIZE = 1_048_576;
    /** Per-record overhead allowed for in the size check (record header, key, headers). */
    private static final int RECORD_OVERHEAD_BYTES = 256;
    /** Journal mode: most records read from the journal into the ring at a time. */
    private static final int JOURNAL_READ_BATCH = 4096;
    /** Journal mode: the reader's wait when nothing new is written to the journal (it is written every fsync interval). */
    private static final long JOURNAL_IDLE_POLL_MS = 5;

    /** Makes a producer from the final properties (the real one, or a test's). */
    @FunctionalInterface
    public interface ProducerFactory {
        Producer<byte[], byte[]> create(Map<String, Object> properties);
    }

    /** Whether the topic can take records; empty when ready, else why not. */
    @FunctionalInterface
    public interface TopicCheck {
        Optional<String> check() throws InterruptedException;
    }

    private final KafkaSettings settings;
    private final Map<String, Object> producerProps;
    private final ProducerFactory factory;
    private final TopicCheck topicCheck;
    private final LongSupplier nanoClock;
    private final PositionRing ring;
    private final int maxRecordBytes;
    private final Thread sender;
    private final ThreadFactory threads;
    /** Journal mode: the reader of the sink's journal position on, or null (memory mode). */
    private volatile JournalTail tail;
    private volatile Thread reader;
    private final LongAdder unjournaled = new LongAdder();
    private volatile boolean unjournaledLogged;
    private volatile boolean caughtUpWaited;

    private final LongAdder failedSends = new LongAdder();
    private final LongAdder resent = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private volatile int consecutiveFailures;
    private volatile String lastError;
    private volatile boolean topicReady;
    private volatile boolean stopped;
    private volatile boolean overflowing;
    private volatile LongConsumer latencyObserver = n -> { };
    private volatile LongConsumer ackListener = p -> { };
    /** Touched by the sender thread only (and by close() after it has stopped). */
    private Producer<byte[], byte[]> producer;

    private KafkaLogSink(KafkaSettings settings, ThreadFactory threads, ProducerFactory factory, TopicCheck topicCheck,
                         LongSupplier nanoClock) {
        this.settings = settings;
        this.producerProps = producerProperties(settings);
        this.factory = factory;
        this.topicCheck = topicCheck;
        this.nanoClock = nanoClock;
        this.ring = new PositionRing(settings.maxBacklogEntries(), nanoClock);
        Object mrs = producerProps.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        this.maxRecordBytes = (mrs == null ? DEFAULT_MAX_REQUEST_SIZE : Integer.parseInt(mrs.toString().trim())) - RECORD_OVERHEAD_BYTES;
        this.threads = threads;
        this.sender = threads.newThread(this::run);
        sender.setName("zenflow-logging-kafka-sender");
        sender.setDaemon(true);
    }

    /**
     * Starts a sink on a real {@link KafkaProducer}.
     *
     * @param settings validated settings
     * @param threads  makes the sender thread (Liberty's managed thread factory, or {@code Thread::new})
     * @return the running sink
     */
    public static KafkaLogSink start(KafkaSettings settings, ThreadFactory threads) {
        Map<String, Object> props = producerProperties(settings);
        return start(settings, threads,
                p -> new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()),
                () -> TopicGuard.ensure(props, settings.topic(), settings.topicPartitions(), settings.topicReplication(),
                        TOPIC_CHECK_TIMEOUT_MS),
                System::nanoTime);
    }

    /** Starts a sink on any producer (tests: kafka-clients' MockProducer) and topic check. */
    public static KafkaLogSink start(KafkaSettings settings, ThreadFactory threads, ProducerFactory factory,
                                     TopicCheck topicCheck, LongSupplier nanoClock) {
        validate(settings);
        KafkaLogSink s = new KafkaLogSink(settings, threads, factory, topicCheck, nanoClock);
        s.sender.start();
        return s;
    }

    /**
     * Checks the final producer properties the way the producer will (types, ranges), so that a bad
     * {@code zenflow.logging.kafka.producer.*} value stops the deployment instead of the sender thread.
     *
     * @throws InvalidConfigurationException naming the key
     */
    public static void validate(KafkaSettings s) {
        Map<String, Object> p = producerProperties(s);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try {
            ProducerConfig.configDef().parse(p); // validates like the producer, without its INFO dump of every value
        } catch (ConfigException e) {
            String msg = String.valueOf(e.getMessage());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("configuration ([a-z0-9.]+)").matcher(msg);
            String key = m.find() ? KafkaSettings.PRODUCER_PREFIX + m.group(1) : KafkaSettings.PRODUCER_PREFIX + "*";
            throw new InvalidConfigurationException(key, msg, "a valid value of that Kafka producer property");
        }
    }

    /** @return the producer properties: the pass-through plus what the sink's invariants fix */
    public static Map<String, Object> producerProperties(KafkaSettings s) {
        Map<String, Object> p = new HashMap<>(s.producerProperties());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, s.compression());
        p.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(s.lingerMs()));
        return p;
    }

    // ------------------------------------------------------------------ LogSink (collector's drain thread)

    /** A batch that says nothing of the journal: as {@link #process(SinkBatch)} with every entry journaled. */
    @Override
    public void process(List<LogEntry> entries) {
        process(SinkBatch.of(entries));
    }

    /**
     * Memory mode: appends the batch to the backlog; what does not fit is dropped for Kafka and counted.
     * Journal mode: nothing to do for journaled entries (the reader takes them from the journal, in journal
     * order); entries the journal could not take (unavailable or full, level 3) are dropped for Kafka and
     * counted, since taking them here would let them overtake their run's journaled entries. Never blocks.
     */
    @Override
    public void process(SinkBatch batch) {
        if (tail != null) {
            countUnjournaled(batch.unjournaled());
            return;
        }
        List<LogEntry> entries = batch.entries();
        int taken = ring.append(entries);
        int lost = entries.size() - taken;
        if (lost > 0) {
            dropped.add(lost);
            if (!overflowing) {
                overflowing = true;
                LOG.warning("Kafka backlog full (" + settings.maxBacklogEntries() + " entries, " + KafkaSettings.MAX_BACKLOG_ENTRIES
                        + "): entries are dropped for Kafka only (PostgreSQL still gets them) and counted; last error: " + lastError);
            }
        } else if (overflowing) {
            overflowing = false;
            LOG.info("Kafka backlog has room again; " + dropped.sum() + " entries dropped for Kafka so far (metric " + "dropped)");
        }
    }

    private void countUnjournaled(int n) {
        if (n == 0) return;
        unjournaled.add(n);
        if (!unjournaledLogged) {
            unjournaledLogged = true;
            LOG.warning("The journal does not take entries (level 3): entries it does not hold are dropped for Kafka only and counted "
                    + "(dropped); PostgreSQL still gets them");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    // ------------------------------------------------------------------ JournalFollower (journal mode)

    @Override
    public long journalMaxBytes() {
        return settings.journalMaxBytes();
    }

    /**
     * Switches to journal mode: from now on the sink's backlog is the journal from its acknowledged
     * position on; a reader thread of its own reads it forward into the ring while the ring has room.
     */
    @Override
    public void attach(JournalTail t) {
        if (tail != null) throw new IllegalStateException("already attached to a journal");
        tail = t;
        Thread r = threads.newThread(this::readJournal);
        r.setName("zenflow-logging-kafka-journal-reader");
        r.setDaemon(true);
        reader = r;
        r.start();
        LOG.info("Kafka sink reads the journal from position " + t.position() + " (" + t.backlogBytes()
                + " bytes behind the end; share " + settings.journalMaxBytes() + " bytes, " + KafkaSettings.JOURNAL_MAX_BYTES + ")");
    }

    @Override
    public void awaitCaughtUp() {
        JournalTail t = tail;
        if (t == null) return;
        caughtUpWaited = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.closeTimeoutMs());
        while (!stopped && sender.isAlive() && !(t.caughtUp() && ring.view().backlog() == 0)) {
            if (System.nanoTime() - deadline > 0) {
                LOG.warning("Kafka has not acknowledged everything in the journal within " + settings.closeTimeoutMs() + " ms ("
                        + t.backlogBytes() + " bytes behind): the rest is sent after the next start, from the saved position");
                return;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(JOURNAL_IDLE_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Journal mode: reads the journal forward into the ring, never past its room; applies the share bound. */
    private void readJournal() {
        JournalTail t = tail;
        List<LogEntry> got = new java.util.ArrayList<>(JOURNAL_READ_BATCH);
        long[] ends = new long[JOURNAL_READ_BATCH];
        int failures = 0;
        try {
            while (!stopped) {
                try {
                    int room = ring.awaitRoom(JOURNAL_IDLE_POLL_MS);
                    if (stopped) break;
                    if (room == 0) {             // full: Kafka takes nothing now; the journal holds the rest, within its share
                        t.enforceShare();
                        continue;
                    }
                    got.clear();
                    int n = t.read(Math.min(room, JOURNAL_READ_BATCH), got, ends);
                    failures = 0;
                    if (n == 0) {
                        TimeUnit.MILLISECONDS.sleep(JOURNAL_IDLE_POLL_MS);
                        continue;
                    }
                    int taken = ring.append(got, ends); // only this thread appends in journal mode: the room is there
                    if (taken != n && !stopped) throw new IllegalStateException("ring took " + taken + " of " + n + " journal entries");
                } catch (java.io.IOException e) {
                    lastError = e.toString();
                    long delay = Backoff.withJitter(settings.retryBackoffMs(), settings.retryMaxBackoffMs(), ++failures);
                    LOG.log(failures == 1 ? Level.WARNING : Level.FINE, "Kafka cannot read the journal (" + e + "); again in " + delay + " ms");
                    TimeUnit.MILLISECONDS.sleep(delay);
                }
            }
        } catch (InterruptedException | InterruptException e) {
            if (!stopped) LOG.log(Level.SEVERE, "Kafka journal reader interrupted while running; Kafka gets no more entries", e);
        } catch (RuntimeException | Error e) {
            lastError = e.toString();
            LOG.log(Level.SEVERE, "Kafka journal reader stopped; Kafka gets no more entries (the health check reports it)", e);
            stopped = true;
        } finally {
            t.close();
        }
    }

    /** process() only appends to the ring (a lock held for the copy): the collector calls it directly. */
    @Override
    public boolean acceptsInline() {
        return true;
    }

    @Override
    public boolean isHealthy() {
        return stats().healthy();
    }

    // ------------------------------------------------------------------ sender thread

    private void run() {
        try {
            awaitTopic();
            producer = factory.create(producerProps);
            while (!stopped) {
                Throwable f = ring.pendingFailure();
                if (f != null) {
                    recover(f);
                    continue;
                }
                PositionRing.Next n = ring.next(POLL_MS);
                if (n != null) send(n);
            }
        } catch (InterruptedException | InterruptException e) {
            if (!stopped) { // not close(): the sender is gone, which the health check must report at once
                lastError = e.toString();
                LOG.log(Level.SEVERE, "Kafka sender interrupted while running; Kafka gets no more entries", e);
                stopped = true;
            }
        } catch (RuntimeException | Error e) {
            lastError = e.toString();
            LOG.log(Level.SEVERE, "Kafka sender stopped; Kafka gets no more entries (the health check reports it)", e);
            stopped = true;
        }
    }

    private void awaitTopic() throws InterruptedException {
        int attempt = 0;
        while (!stopped) {
            Optional<String> notReady = topicCheck.check();
            if (notReady.isEmpty()) {
                topicReady = true;
                if (attempt > 0) LOG.info("Kafka topic " + settings.topic() + " ready after " + attempt + " checks");
                return;
            }
            lastError = notReady.get();
            attempt++;
            long delay = Backoff.withJitter(settings.retryBackoffMs(), settings.retryMaxBackoffMs(), attempt);
            LOG.log(attempt == 1 ? Level.WARNING : Level.FINE, "Kafka topic " + settings.topic() + " not ready (" + lastError
                    + "); entries wait in the Kafka backlog; checking again in " + delay + " ms");
            TimeUnit.MILLISECONDS.sleep(delay);
        }
    }

    private void send(PositionRing.Next n) {
        long p = n.position();
        ProducerRecord<byte[], byte[]> r = KafkaRecords.record(settings.topic(), n.entry());
        if (r.value().length + r.key().length > maxRecordBytes) {
            reject(p, n.entry(), "its record of " + r.value().length + " bytes exceeds max.request.size");
            return;
        }
        long t0 = nanoClock.getAsLong();
        try {
            producer.send(r, (md, ex) -> {
                if (ex == null) onAcked(p, t0);
                else onFailed(p, n.entry(), ex);
            });
        } catch (InterruptException e) {
            ring.failed(p, e);
            throw e;
        } catch (RuntimeException e) { // buffer full or no metadata within max.block.ms, producer closed/fatal
            onFailed(p, n.entry(), e);
        }
    }

    private void onAcked(long p, long t0) {
        long moved = ring.acked(p);
        if (consecutiveFailures != 0) consecutiveFailures = 0;
        latencyObserver.accept(nanoClock.getAsLong() - t0);
        if (moved > 0) moved(moved);
    }

    /** The acknowledged position moved: tell the listeners and, in journal mode, the journal (in order, one max per move). */
    private void moved(long acked) {
        JournalTail t = tail;
        if (t != null) t.acknowledge(ring.ackedToken());
        ackListener.accept(acked);
    }

    private void onFailed(long p, LogEntry e, Throwable ex) {
        if (ex instanceof RecordTooLargeException || ex instanceof InvalidRecordException) {
            reject(p, e, ex.toString());
            return;
        }
        failedSends.increment();
        consecutiveFailures++;
        lastError = ex.toString();
        ring.failed(p, ex);
    }

    /** An entry Kafka can never take: counted as lost for Kafka, and the position moves past it. */
    private void reject(long p, LogEntry e, String why) {
        lastError = why;
        LOG.warning("Kafka cannot take entry " + e.runId() + "/" + e.seq() + ": " + why + "; counted as rejected (PostgreSQL has it)");
        long moved = ring.acked(p); // passed, not delivered: 'sent' excludes it (stats)
        rejected.increment();
        if (moved > 0) moved(moved);
    }

    /** After a failure: let every in-flight send finish, replace a broken producer, back off, rewind. */
    private void recover(Throwable f) throws InterruptedException {
        int attempt = Math.max(1, consecutiveFailures);
        boolean retriable = f instanceof RetriableException;
        LOG.log(attempt == 1 ? Level.WARNING : Level.FINE, "Kafka send failed (" + f + "); the sink resends from its first "
                + "unacknowledged entry" + (retriable ? "" : " with a new producer"));
        if (!retriable) producer.close(Duration.ZERO); // aborts what it holds: their callbacks report failures
        while (!stopped && !ring.awaitSettled(POLL_MS)) {
            // in-flight sends complete once the broker answers (the producer retries them in order)
        }
        if (stopped) return;
        if (!retriable) producer = factory.create(producerProps);
        TimeUnit.MILLISECONDS.sleep(Backoff.withJitter(settings.retryBackoffMs(), settings.retryMaxBackoffMs(), attempt));
        resent.add(ring.rewind());
    }

    // ------------------------------------------------------------------ observation and lifecycle

    /** @param observer hears the send-to-acknowledgement time of every entry, in nanoseconds */
    public void onLatency(LongConsumer observer) {
        this.latencyObserver = observer;
    }

    /**
     * @param listener hears the acknowledged position whenever it moves (every position up to it is in
     *                 Kafka); the journal keeps this as the Kafka sink's position
     */
    public void onAcknowledged(LongConsumer listener) {
        this.ackListener = listener;
    }

    /** @return a snapshot */
    public KafkaSinkStats stats() {
        PositionRing.View v = ring.view();
        long oldestMs = TimeUnit.NANOSECONDS.toMillis(v.oldestUnackedNanos());
        boolean healthy = !stopped && topicReady && consecutiveFailures == 0 && oldestMs < settings.unhealthyAfterMs();
        JournalTail t = tail;
        long skipped = t == null ? 0 : t.skipped();
        return new KafkaSinkStats(Math.max(0, v.ackedTotal() - rejected.sum()), failedSends.sum(), resent.sum(), v.inFlight(), v.backlog(),
                dropped.sum() + unjournaled.sum() + skipped, rejected.sum(), v.acked(), v.appended(), oldestMs, topicReady, healthy,
                lastError, t != null, t == null ? 0 : t.backlogBytes(), skipped);
    }

    /** @return the settings in force */
    public KafkaSettings settings() {
        return settings;
    }

    /**
     * Waits (at most {@code timeoutMs}) for Kafka to acknowledge everything the sink holds, then stops
     * the sender and closes the producer. Entries still unacknowledged then are lost for Kafka (logged).
     */
    public boolean close(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        boolean empty = false;
        JournalTail t = tail;
        try {
            // journal mode: awaitCaughtUp (before the journal closed) already waited; what is left stays in the journal
            // a stopped sender acknowledges nothing more: no wait, but what it left is not delivered
            empty = sender.isAlive() ? ring.awaitEmpty(t != null && caughtUpWaited ? 0 : timeoutMs) : ring.view().backlog() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped = true;
        ring.close();
        Thread r = reader;
        if (r != null) r.interrupt();
        sender.interrupt();
        try {
            sender.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Producer<byte[], byte[]> p = producer;
        if (p != null) p.close(Duration.ofMillis(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        KafkaSinkStats s = stats();
        if (empty) LOG.info("Kafka sink closed: every entry it took is in Kafka (" + s.sent() + " sent)");
        else if (t != null) LOG.warning("Kafka sink closed with " + s.backlog() + " entries read from the journal not acknowledged "
                + "by Kafka; they stay in the journal and are sent after the next start (from position " + t.position() + ")");
        else LOG.severe("Kafka sink closed with " + s.backlog() + " entries not acknowledged by Kafka (PostgreSQL has them)");
        return empty;
    }

    @Override
    public void close() {
        close(settings.closeTimeoutMs());
    }
}
