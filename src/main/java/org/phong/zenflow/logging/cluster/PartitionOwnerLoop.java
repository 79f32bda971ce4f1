package org.phong.zenflow.logging.cluster;

import org.phong.zenflow.logging.time.WorkerThreads;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.cluster.FencedPartitionWriter.Written;
import org.phong.zenflow.logging.sink.kafka.ConsumerFactory;
import org.phong.zenflow.logging.sink.postgres.ErrorClassifier;
import org.phong.zenflow.logging.time.Backoff;
import org.phong.zenflow.logging.time.Sleeper;

/**
 * The partition owner: one Kafka consumer in a group on the ingest topic, turning what the group
 * assigns this node into fenced PostgreSQL writes ({@link FencedPartitionWriter}). Runs on one thread
 * of a {@link ThreadFactory} it is given; every consumer call and every write happens on that thread
 * (the rebalance callbacks run inside {@code poll}), so the per-partition state needs no lock.
 *
 * <p><b>Ownership.</b> On assignment the loop claims each partition ({@link PartitionLedger#claim}:
 * raises the epoch, returns the ledger's next offset), seeks there and resumes it. A claim the database
 * refuses leaves the partition paused (no position taken from Kafka: {@code seekToBeginning}, never
 * fetched while paused) and is retried after backoff from the loop. On revocation or loss the loop
 * forgets the partition. The group only proposes: a write under an epoch the ledger no longer has is
 * refused ({@link FencedException}); the loop then pauses and forgets that partition (another node
 * claimed it since; a later assignment claims it again and resumes it).
 *
 * <p><b>Offsets.</b> Per owned partition the loop keeps {@code position}: the ledger's next offset as
 * its own writes left it. A poll's records of a partition become ONE write of offsets {@code position ..
 * last + 1}: decodable records become rows or run events; a record {@link IngestCodec} refuses is
 * counted, logged with its offset and consumed without a row in that same transaction (so the
 * partition never stalls on it, and the ledger still moves past it only with the records around it);
 * offsets holding no record (transaction markers, compaction) are consumed likewise. Records below
 * {@code position} are a redelivery and are dropped. Outcomes of a write:
 * <ul>
 *   <li>committed: {@code position} moves to the written next offset; the sequenced entries go to the
 *       {@link SequencedListener} (after the commit, never before). Entries PostgreSQL refused for their
 *       content were moved to {@code logs_rejected} in that same transaction by the writer (counted as
 *       {@code rejected}; they keep their seq and are heard by the listener like the stored ones);</li>
 *   <li>{@link OffsetMismatchException}: the ledger continues elsewhere (e.g. a commit whose reply was
 *       lost): seek to {@code expected()} and go on;</li>
 *   <li>any other failure (a transient database error, or a data error the writer could not pin on
 *       entries, such as a constraint of the runs table): nothing was committed; seek back to the write's
 *       first offset and retry after exponential backoff through the injected {@link Sleeper}. Never
 *       skipped: such a data error stalls the partition (logged at SEVERE) until its cause is fixed.</li>
 * </ul>
 * Kafka's committed group offsets are written only as a hint for tools (asynchronously, at most once
 * per {@code commitIntervalMs}, never on close): a claim always seeks to the ledger's offset.
 * {@code auto.offset.reset=none}: an offset Kafka no longer has is reported, not silently replaced; if
 * retention deleted records before they were stored, the loop logs that range at SEVERE, counts it
 * ({@code offsetsLost}) and continues at the log start (the next write consumes the lost offsets without
 * rows); if the ledger is ahead of the log's end (topic recreated or truncated) the loop stops that
 * partition and says so.
 *
 * <p><b>Output outbox.</b> When the listener is a {@link ConfirmingListener} (the {@link OutputPublisher}),
 * each write also records which entries it stored in the outbox ({@link OutputOutbox}, in the write's
 * transaction) and deletes the rows of the writes the listener confirmed since the partition's last write.
 * Republishing: after each claim (an assignment, so also a takeover from a dead node) and after an offset
 * mismatch (a commit whose reply was lost: the loop never told the listener about it), the partition's
 * outbox rows the listener does not {@link ConfirmingListener#holds hold} are read back from {@code logs}
 * and handed to {@link ConfirmingListener#republish}, oldest write first, before the partition's next
 * records are written, at most {@value #REPUBLISH_ENTRIES_PER_POLL} entries per partition and poll (the rest
 * at the next poll, so a large backlog never keeps the loop from polling). A failure to read them is
 * retried at the next poll; it never holds up the writes. Confirmed rows whose partition has no write to
 * carry their delete are deleted by a sweep at most once per {@code commitIntervalMs} (those seen at the
 * previous sweep and still there: while writes carry the deletes the sweep finds nothing), and at once when
 * the partition is revoked, lost or fenced (so the next owner does not republish them).
 *
 * <p><b>Stop.</b> {@link #close} ends the loop after the write in progress and closes the consumer
 * (it leaves the group: the others rebalance at once); it commits no final hint: the ledger already
 * holds every committed offset. A crash instead of a close loses nothing either: the next owner
 * claims and resumes at the ledger's offset.
 *
 * <p>No static state; counters for metrics in {@link #stats}.
 */
public final class PartitionOwnerLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PartitionOwnerLoop.class.getName());
    /** Default wait of one poll. */
    public static final long DEFAULT_POLL_MS = 500;
    /** Default first retry delay after a failed write or claim. */
    public static final long DEFAULT_RETRY_BACKOFF_MS = 100;
    /** Default cap of the retry delay (well below max.poll.interval.ms, so the member is not evicted while waiting). */
    public static final long DEFAULT_RETRY_MAX_BACKOFF_MS = 5_000;
    /** Default least interval between two commits of the group-offset hints. */
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 1_000;
    /** Default wait of {@link #close()} for the loop thread and the consumer. */
    public static final long DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
    /** Most entries republished from the output outbox per partition per poll (the size of one large write). */
    public static final int REPUBLISH_ENTRIES_PER_POLL = 5_000;

    /**
     * What the loop does.
     *
     * @param topic             the ingest topic
     * @param owner             this node's name in the ledger
     * @param pollTimeout       the longest wait of one poll
     * @param retryBackoffMs    first delay after a failed write or claim
     * @param retryMaxBackoffMs cap of that delay
     * @param commitIntervalMs  least interval between commits of the group-offset hints
     * @param closeTimeout      wait of {@link #close()} for the thread, then for the consumer
     */
    public record Options(String topic, String owner, Duration pollTimeout, long retryBackoffMs, long retryMaxBackoffMs,
                          long commitIntervalMs, Duration closeTimeout) {
        /** Validates. */
        public Options {
            if (topic == null || topic.isBlank()) throw new IllegalArgumentException("topic is required");
            if (owner == null || owner.isBlank()) throw new IllegalArgumentException("owner is required");
            if (pollTimeout == null || pollTimeout.isNegative() || pollTimeout.isZero()) throw new IllegalArgumentException("pollTimeout must be positive");
            if (retryBackoffMs < 1 || retryMaxBackoffMs < retryBackoffMs) {
                throw new IllegalArgumentException("need 1 <= retryBackoffMs <= retryMaxBackoffMs, got " + retryBackoffMs + ", " + retryMaxBackoffMs);
            }
            if (commitIntervalMs < 0) throw new IllegalArgumentException("commitIntervalMs must be >= 0");
            if (closeTimeout == null || closeTimeout.isNegative()) throw new IllegalArgumentException("closeTimeout must be >= 0");
        }

        /**
         * @param topic the ingest topic
         * @param owner this node
         * @return the defaults ({@code DEFAULT_*} of the loop)
         */
        public static Options defaults(String topic, String owner) {
            return new Options(topic, owner, Duration.ofMillis(DEFAULT_POLL_MS), DEFAULT_RETRY_BACKOFF_MS, DEFAULT_RETRY_MAX_BACKOFF_MS,
                    DEFAULT_COMMIT_INTERVAL_MS, Duration.ofMillis(DEFAULT_CLOSE_TIMEOUT_MS));
        }

        /** @return these options with another retry backoff */
        public Options withRetryBackoff(long baseMs, long maxMs) {
            return new Options(topic, owner, pollTimeout, baseMs, maxMs, commitIntervalMs, closeTimeout);
        }

        /** @return these options with another poll timeout */
        public Options withPollTimeout(Duration poll) {
            return new Options(topic, owner, poll, retryBackoffMs, retryMaxBackoffMs, commitIntervalMs, closeTimeout);
        }
    }

    /**
     * Counters since start.
     *
     * @param offsetsWritten   offsets consumed by committed writes (records stored, malformed records, empty offsets)
     * @param entriesWritten   entries stored in {@code logs} (with their seq)
     * @param writes           committed writes
     * @param malformedSkipped records that did not decode, consumed without a row
     * @param rejected         entries PostgreSQL refused for their content, moved to {@code logs_rejected} by
     *                         committed writes (not in {@code entriesWritten})
     * @param fenced           partitions given up because another node claimed them
     * @param offsetMismatches writes refused because the ledger continued elsewhere (then sought there)
     * @param retries          writes that failed otherwise and were retried from their first offset
     * @param claims           successful claims
     * @param claimFailures    claims the database refused (retried)
     * @param listenerFailures listener calls that threw
     * @param offsetsLost      offsets Kafka deleted (retention) before they were stored
     * @param ownedPartitions  partitions this loop owns now (claimed, not fenced, not revoked)
     * @param running          whether the loop thread runs
     * @param lastError        the last failure, or null
     */
    public record Stats(long offsetsWritten, long entriesWritten, long writes, long malformedSkipped, long rejected, long fenced,
                        long offsetMismatches, long retries, long claims, long claimFailures, long listenerFailures,
                        long offsetsLost, int ownedPartitions, boolean running, String lastError) {
    }

    /** An owned partition: the claim writes go under, and where the next write starts. Loop thread only. */
    private static final class Owned {
        final PartitionClaim claim;
        long position;
        int failures;
        boolean hintDue;
        /** The output outbox of the partition has rows to republish (set by the claim and by an offset mismatch). */
        boolean republishDue = true;
        /** Consecutive failures to read the outbox (the first is logged at WARNING). */
        int republishFailures;

        Owned(PartitionClaim claim) {
            this.claim = claim;
            this.position = claim.nextOffset();
        }
    }

    /** An assigned partition whose claim failed: retried at {@code retryAt}. Loop thread only. */
    private record Pending(int attempts, long retryAt) {
    }

    private final Options options;
    private final Map<String, Object> consumerProps;
    private final ConsumerFactory factory;
    private final PartitionLedger ledger;
    private final FencedPartitionWriter writer;
    private final SequencedListener listener;
    /** The listener when it confirms writes: then the loop keeps the output outbox; null otherwise. */
    private final ConfirmingListener confirming;
    private final OutputOutbox outbox;
    private final Sleeper sleeper;
    private final LongSupplier nowMillis;

    private final Map<TopicPartition, Owned> owned = new HashMap<>();
    private final Map<TopicPartition, Pending> pending = new HashMap<>();
    private long lastHintCommit;
    /** Confirmed writes the last outbox sweep saw, and when it ran (loop thread only). */
    private Map<TopicPartition, Set<Long>> sweepSeen = Map.of();
    private long lastSweep;

    private final LongAdder offsetsWritten = new LongAdder();
    private final LongAdder entriesWritten = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder fenced = new LongAdder();
    private final LongAdder mismatches = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder claims = new LongAdder();
    private final LongAdder claimFailures = new LongAdder();
    private final LongAdder listenerFailures = new LongAdder();
    private final LongAdder offsetsLost = new LongAdder();
    private volatile Set<Integer> ownedView = Set.of();
    private volatile String lastError;
    private volatile boolean stopped;
    private volatile boolean running;
    private volatile Consumer<byte[], byte[]> consumer;
    private volatile Thread thread;

    /**
     * @param options       what the loop does
     * @param consumerBase  consumer properties: at least {@code bootstrap.servers} and {@code group.id}
     * @param factory       makes the consumer from {@link #consumerProperties} ({@link ConsumerFactory#kafka()} in production)
     * @param ledger        claims partitions
     * @param writer        writes under a claim (its runs-table owner should name this node)
     * @param listener      hears every committed write's sequenced entries, or null; a {@link ConfirmingListener}
     *                      also gets the output outbox and its republishing
     * @param sleeper       waits between retries ({@code Thread::sleep} in production)
     * @param nowMillis     a monotonic clock in milliseconds (claim retries, hint interval)
     */
    public PartitionOwnerLoop(Options options, Map<String, Object> consumerBase, ConsumerFactory factory, PartitionLedger ledger,
                              FencedPartitionWriter writer, SequencedListener listener, Sleeper sleeper, LongSupplier nowMillis) {
        this.options = Objects.requireNonNull(options);
        this.consumerProps = consumerProperties(consumerBase);
        this.factory = Objects.requireNonNull(factory);
        this.ledger = Objects.requireNonNull(ledger);
        this.writer = Objects.requireNonNull(writer);
        this.listener = listener;
        this.confirming = listener instanceof ConfirmingListener cl ? cl : null;
        this.outbox = writer.outbox();
        this.sleeper = Objects.requireNonNull(sleeper);
        this.nowMillis = Objects.requireNonNull(nowMillis);
    }

    /**
     * @param base the caller's properties; {@code group.id} is required
     * @return them with what the loop's invariants fix: no auto commit (the ledger is the truth),
     *         {@code auto.offset.reset=none} (a missing offset is reported, never replaced),
     *         {@code isolation.level=read_committed} (aborted transactional records are never stored)
     */
    public static Map<String, Object> consumerProperties(Map<String, Object> base) {
        Map<String, Object> p = new HashMap<>(base);
        Object group = p.get(ConsumerConfig.GROUP_ID_CONFIG);
        if (group == null || group.toString().isBlank()) throw new IllegalArgumentException(ConsumerConfig.GROUP_ID_CONFIG + " is required");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // One fenced write per partition per poll: Kafka's default of 500 records a poll, shared by every
        // assigned partition, made writes of ~80 rows each, and the per-transaction work (fence, seq read,
        // runs upsert, offset, commit) capped a node at about 12,000 entries/s (docs/benchmark.md).
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(DEFAULT_MAX_POLL_RECORDS));
        return p;
    }

    /** Records a poll may return when the caller does not say: large COPYs, still well inside max.poll.interval.ms. */
    public static final int DEFAULT_MAX_POLL_RECORDS = 5000;

    /**
     * Starts the loop on a new thread of {@code threads}. Once only.
     *
     * @param threads Liberty's managed thread factory, or {@code Thread::new}
     */
    public synchronized void start(ThreadFactory threads) {
        if (thread != null) throw new IllegalStateException("already started");
        Thread t = threads.newThread(this::run);
        t.setName("zenflow-logging-cluster-owner-" + options.owner());
        t.setDaemon(true);
        thread = t;
        running = true;
        t.start();
    }

    /** @return the partitions this loop owns now (thread-safe snapshot) */
    public Set<Integer> ownedPartitions() {
        return ownedView;
    }

    /** @return counters since start (thread-safe) */
    public Stats stats() {
        return new Stats(offsetsWritten.sum(), entriesWritten.sum(), writes.sum(), malformed.sum(), rejected.sum(), fenced.sum(), mismatches.sum(),
                retries.sum(), claims.sum(), claimFailures.sum(), listenerFailures.sum(), offsetsLost.sum(), ownedView.size(), running,
                lastError);
    }

    // ------------------------------------------------------------------ loop thread

    private void run() {
        Consumer<byte[], byte[]> c;
        try {
            c = factory.create(consumerProps);
        } catch (RuntimeException e) {
            lastError = e.toString();
            LOG.log(Level.SEVERE, "cluster owner " + options.owner() + ": cannot create the consumer; this node consumes nothing", e);
            running = false;
            return;
        }
        consumer = c;
        try {
            c.subscribe(List.of(options.topic()), new Rebalance());
            while (!stopped) {
                try {
                    iteration(c);
                } catch (WakeupException e) {
                    // close(): the loop condition ends it
                } catch (RetriableException e) { // e.g. offsets lookups timing out while the broker is away
                    lastError = e.toString();
                    LOG.log(Level.FINE, "cluster owner " + options.owner() + ": " + e + "; polling again", e);
                    backoff(1);
                }
            }
        } catch (InterruptedException | InterruptException e) {
            if (!stopped) {
                lastError = e.toString();
                LOG.log(Level.SEVERE, "cluster owner " + options.owner() + " interrupted while running; it consumes nothing more", e);
            }
        } catch (RuntimeException | Error e) {
            lastError = e.toString();
            LOG.log(Level.SEVERE, "cluster owner " + options.owner() + " stopped; this node consumes nothing more (its partitions move "
                    + "to other nodes once it leaves the group)", e);
        } finally {
            owned.clear();
            pending.clear();
            publishView();
            running = false;
            try {
                c.close(options.closeTimeout());
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "cluster owner " + options.owner() + ": consumer close", e);
            }
        }
    }

    private void iteration(Consumer<byte[], byte[]> c) throws InterruptedException {
        retryClaims(c);
        ConsumerRecords<byte[], byte[]> polled;
        try {
            polled = c.poll(options.pollTimeout());
        } catch (InvalidOffsetException e) {
            outOfRange(c, e.partitions());
            return;
        }
        republishDue();
        int worst = 0;
        for (TopicPartition tp : polled.partitions()) {
            if (stopped) return;
            Owned o = owned.get(tp);
            if (o == null) continue; // fenced, pending or revoked: not ours to write
            if (!consume(c, tp, o, polled.records(tp))) worst = Math.max(worst, o.failures);
        }
        if (worst > 0) backoff(worst);
        commitHints(c);
        sweepConfirmed();
    }

    /** @return false when the write failed and must be retried (the consumer was sought back) */
    private boolean consume(Consumer<byte[], byte[]> c, TopicPartition tp, Owned o, List<ConsumerRecord<byte[], byte[]>> records) {
        long first = o.position;
        long end = first;
        List<IngestRecord> decoded = new ArrayList<>(records.size());
        List<String> refused = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.offset() < first) continue; // stored already: a redelivery
            end = r.offset() + 1;
            try {
                decoded.add(IngestCodec.decode(r.key(), r.value()));
            } catch (MalformedIngestRecordException e) {
                refused.add("offset " + r.offset() + ": " + e.getMessage());
            }
        }
        if (end == first) return true;
        try {
            OutputOutbox.Update update = confirming == null ? OutputOutbox.Update.NONE : new OutputOutbox.Update(true, confirming.confirmed(tp));
            Written w = writer.write(o.claim, first, end - first, decoded, update);
            if (confirming != null) confirming.forget(tp, update.confirmed()); // their rows went with this commit
            o.position = w.nextOffset();
            o.failures = 0;
            o.hintDue = true;
            writes.increment();
            offsetsWritten.add(end - first);
            entriesWritten.add(w.stored());
            rejected.add(w.rejected().size());
            if (!refused.isEmpty()) {
                malformed.add(refused.size());
                for (String why : refused) {
                    LOG.warning("cluster owner " + options.owner() + ": ingest record " + tp + " " + why
                            + "; counted as malformed and consumed without a row (still readable in Kafka until retention)");
                }
            }
            if (!w.sequenced().isEmpty()) tell(tp, first, w);
            return true;
        } catch (FencedException e) {
            fenced.increment();
            LOG.warning("cluster owner " + options.owner() + ": " + e.getMessage() + "; this node stops consuming " + tp);
            c.pause(Set.of(tp));
            releaseConfirmed(Set.of(tp));
            owned.remove(tp);
            publishView();
            return true;
        } catch (OffsetMismatchException e) {
            mismatches.increment();
            LOG.info("cluster owner " + options.owner() + ": " + e.getMessage() + "; seeking there");
            o.republishDue = true; // a write committed without the listener hearing of it (lost reply): its outbox row
            o.position = e.expected();
            c.seek(tp, e.expected());
            return true;
        } catch (SQLException | RuntimeException e) {
            retries.increment();
            o.failures++;
            lastError = e.toString();
            c.seek(tp, first);
            if (ErrorClassifier.isDataError(e)) {
                LOG.log(Level.SEVERE, "cluster owner " + options.owner() + ": PostgreSQL refuses the write of " + tp + " offsets " + first
                        + ".." + (end - 1) + " with a data error not of single entries (attempt " + o.failures
                        + "); the partition waits and retries, it never skips a record", e);
            } else {
                LOG.log(o.failures == 1 ? Level.WARNING : Level.FINE, "cluster owner " + options.owner() + ": write of " + tp + " offsets "
                        + first + ".." + (end - 1) + " failed (" + e + "); retrying from " + first + " after backoff (attempt " + o.failures + ")");
            }
            return false;
        }
    }

    private void tell(TopicPartition tp, long first, Written w) {
        if (listener == null) return;
        try {
            if (confirming != null) confirming.accept(tp, first, w.sequenced());
            else listener.accept(w.sequenced());
        } catch (RuntimeException e) {
            listenerFailures.increment();
            LOG.log(Level.WARNING, "cluster owner " + options.owner() + ": listener failed on " + w.sequenced().size()
                    + " committed entries (they are stored; the listener missed them)", e);
        }
    }

    /** Republishes the outbox rows of the partitions that have some due (loop thread, before their next write). */
    private void republishDue() {
        if (confirming == null) return;
        for (Map.Entry<TopicPartition, Owned> e : owned.entrySet()) {
            Owned o = e.getValue();
            if (!o.republishDue || stopped) continue;
            try {
                o.republishDue = !republish(e.getKey());
                o.republishFailures = 0;
            } catch (SQLException | RuntimeException ex) {
                o.republishFailures++;
                lastError = ex.toString();
                LOG.log(o.republishFailures == 1 ? Level.WARNING : Level.FINE, "cluster owner " + options.owner()
                        + ": cannot republish the output outbox of " + e.getKey() + " (" + ex + "); trying again at the next poll (attempt "
                        + o.republishFailures + ")", ex);
            }
        }
    }

    /**
     * Hands the partition's outbox rows the listener does not hold to it again, oldest first, up to
     * {@value #REPUBLISH_ENTRIES_PER_POLL} entries.
     *
     * @return true when every row was handed (or held), false when the budget ran out first
     */
    private boolean republish(TopicPartition tp) throws SQLException {
        long entries = 0;
        int rows = 0;
        for (OutputOutbox.Row row : outbox.pending(tp.topic(), tp.partition())) {
            if (confirming.holds(tp, row.firstOffset())) continue; // on its way, or confirmed and not deleted yet
            if (entries >= REPUBLISH_ENTRIES_PER_POLL) {
                logRepublished(tp, rows, entries, true);
                return false;
            }
            List<LogEntry> found = outbox.entries(row);
            confirming.republish(tp, row.firstOffset(), found, row.entries() - found.size());
            entries += found.size();
            rows++;
        }
        logRepublished(tp, rows, entries, false);
        return true;
    }

    private void logRepublished(TopicPartition tp, int rows, long entries, boolean more) {
        if (rows == 0) return;
        LOG.info("cluster owner " + options.owner() + ": republishing " + entries + " stored entries of " + rows + " write(s) of " + tp
                + " whose output was not confirmed (a previous owner died or its sends failed, or a commit reply was lost)"
                + (more ? "; more at the next poll" : ""));
    }

    /**
     * Deletes the confirmed outbox rows no write of their partition carried away since the previous sweep,
     * at most once per {@code commitIntervalMs}; a failure leaves them for the next sweep or write.
     */
    private void sweepConfirmed() {
        if (confirming == null) return;
        long now = nowMillis.getAsLong();
        if (now - lastSweep < options.commitIntervalMs()) return;
        lastSweep = now;
        Map<TopicPartition, Set<Long>> current = confirming.confirmed();
        Map<TopicPartition, Set<Long>> stale = new HashMap<>();
        for (Map.Entry<TopicPartition, Set<Long>> e : current.entrySet()) {
            Set<Long> seen = sweepSeen.getOrDefault(e.getKey(), Set.of());
            Set<Long> both = new TreeSet<>(e.getValue());
            both.retainAll(seen);
            if (!both.isEmpty()) stale.put(e.getKey(), both);
        }
        sweepSeen = current;
        deleteConfirmed(stale);
    }

    /** Deletes every confirmed row of partitions this node no longer writes, so their next owner does not republish them. */
    private void releaseConfirmed(Collection<TopicPartition> parts) {
        if (confirming == null) return;
        Map<TopicPartition, Set<Long>> mine = new HashMap<>();
        for (TopicPartition tp : parts) {
            Set<Long> c = confirming.confirmed(tp);
            if (!c.isEmpty()) mine.put(tp, c);
        }
        deleteConfirmed(mine);
    }

    private void deleteConfirmed(Map<TopicPartition, Set<Long>> confirmed) {
        if (confirmed.isEmpty()) return;
        Map<Integer, Set<Long>> byPartition = new HashMap<>();
        for (Map.Entry<TopicPartition, Set<Long>> e : confirmed.entrySet()) byPartition.put(e.getKey().partition(), e.getValue());
        try {
            outbox.delete(options.topic(), byPartition);
            for (Map.Entry<TopicPartition, Set<Long>> e : confirmed.entrySet()) confirming.forget(e.getKey(), e.getValue());
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "cluster owner " + options.owner() + ": confirmed output outbox rows not deleted (" + e
                    + "); the next write or sweep deletes them", e);
        }
    }

    private void backoff(int attempt) throws InterruptedException {
        if (!stopped) sleeper.sleep(Backoff.withJitter(options.retryBackoffMs(), options.retryMaxBackoffMs(), attempt));
    }

    /** Kafka has no record at the position of these partitions (auto.offset.reset=none). */
    private void outOfRange(Consumer<byte[], byte[]> c, Set<TopicPartition> parts) {
        for (TopicPartition tp : parts) {
            Owned o = owned.get(tp);
            if (o == null) {
                c.seekToBeginning(Set.of(tp)); // paused, unowned: any valid position will do, it is sought on the claim
                continue;
            }
            long begin = c.beginningOffsets(Set.of(tp)).get(tp);
            long endOffset = c.endOffsets(Set.of(tp)).get(tp);
            if (o.position < begin) {
                offsetsLost.add(begin - o.position);
                lastError = tp + " offsets " + o.position + ".." + (begin - 1) + " deleted by Kafka before they were stored";
                LOG.severe("cluster owner " + options.owner() + ": " + lastError + " (topic retention shorter than the outage?); "
                        + "they are lost; continuing at " + begin);
                c.seek(tp, begin); // the next write starts at o.position: the lost offsets are consumed without rows
            } else if (o.position > endOffset) {
                lastError = tp + ": the ledger is at offset " + o.position + " but the log ends at " + endOffset;
                LOG.severe("cluster owner " + options.owner() + ": " + lastError + " (topic deleted and recreated, or truncated?); "
                        + "this node stops consuming the partition: reconcile cluster_partitions with the topic by hand");
                c.pause(Set.of(tp));
                owned.remove(tp);
                publishView();
            } else {
                c.seek(tp, o.position); // the range moved while fetching: try again
            }
        }
    }

    private void commitHints(Consumer<byte[], byte[]> c) {
        long now = nowMillis.getAsLong();
        if (now - lastHintCommit < options.commitIntervalMs()) return;
        Map<TopicPartition, OffsetAndMetadata> hints = new HashMap<>();
        for (Map.Entry<TopicPartition, Owned> e : owned.entrySet()) {
            if (!e.getValue().hintDue) continue;
            hints.put(e.getKey(), new OffsetAndMetadata(e.getValue().position));
            e.getValue().hintDue = false;
        }
        if (hints.isEmpty()) return;
        lastHintCommit = now;
        c.commitAsync(hints, (offsets, ex) -> {
            if (ex != null) LOG.log(Level.FINE, "cluster owner " + options.owner() + ": group offset hint not committed (harmless)", ex);
        });
    }

    private void claim(Consumer<byte[], byte[]> c, TopicPartition tp) {
        try {
            PartitionClaim cl = ledger.claim(tp.topic(), tp.partition(), options.owner());
            claims.increment();
            pending.remove(tp);
            owned.put(tp, new Owned(cl));
            c.seek(tp, cl.nextOffset());
            c.resume(Set.of(tp));
            LOG.info("cluster owner " + options.owner() + " claimed " + tp + " under epoch " + cl.epoch() + ", resuming at offset " + cl.nextOffset());
        } catch (SQLException | RuntimeException e) {
            claimFailures.increment();
            lastError = e.toString();
            Pending p = pending.get(tp);
            int attempts = p == null ? 1 : p.attempts() + 1;
            pending.put(tp, new Pending(attempts, nowMillis.getAsLong()
                    + Backoff.withJitter(options.retryBackoffMs(), options.retryMaxBackoffMs(), attempts)));
            c.seekToBeginning(Set.of(tp)); // a position that is never fetched while paused (auto.offset.reset=none needs one)
            c.pause(Set.of(tp));
            LOG.log(attempts == 1 ? Level.WARNING : Level.FINE, "cluster owner " + options.owner() + ": cannot claim " + tp + " (" + e
                    + "); it stays paused, claiming again after backoff (attempt " + attempts + ")");
        }
        publishView();
    }

    private void retryClaims(Consumer<byte[], byte[]> c) {
        if (pending.isEmpty()) return;
        long now = nowMillis.getAsLong();
        for (TopicPartition tp : List.copyOf(pending.keySet())) {
            if (now - pending.get(tp).retryAt() >= 0) claim(c, tp);
        }
    }

    private void forget(Collection<TopicPartition> parts) {
        for (TopicPartition tp : parts) {
            owned.remove(tp);
            pending.remove(tp);
        }
        publishView();
    }

    private void publishView() {
        Set<Integer> v = new TreeSet<>();
        for (TopicPartition tp : owned.keySet()) v.add(tp.partition());
        ownedView = Set.copyOf(v);
    }

    /** The group's decisions, on the loop thread inside poll. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Consumer<byte[], byte[]> c = consumer;
            for (TopicPartition tp : partitions) claim(c, tp);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            releaseConfirmed(partitions);
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            releaseConfirmed(partitions);
            forget(partitions);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** As {@link #close(Duration)} with the options' close timeout. */
    @Override
    public void close() {
        close(options.closeTimeout());
    }

    /**
     * Stops the loop after the write in progress (a retry wait is cut short by an interrupt after
     * {@code timeout}), then the consumer leaves the group. No final hint is committed.
     *
     * @param timeout how long to wait for the loop thread before interrupting it, and again after
     */
    public void close(Duration timeout) {
        stopped = true;
        Consumer<byte[], byte[]> c = consumer;
        Runnable wakeUp = c == null ? () -> { } : c::wakeup;
        if (!WorkerThreads.stop(thread, wakeUp, timeout)) LOG.warning("cluster owner " + options.owner() + ": loop thread still running after close");
    }
}
