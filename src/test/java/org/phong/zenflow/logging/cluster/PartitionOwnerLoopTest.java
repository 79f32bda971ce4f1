package org.phong.zenflow.logging.cluster;

import static org.awaitility.Awaitility.await;
import static org.phong.zenflow.logging.cluster.ClusterRig.bootstrap;
import static org.phong.zenflow.logging.cluster.ClusterRig.freshDatabase;
import static org.phong.zenflow.logging.cluster.ClusterRig.topic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringReader;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.cluster.IngestRecord.Ended;
import org.phong.zenflow.logging.cluster.IngestRecord.Entry;
import org.phong.zenflow.logging.cluster.IngestRecord.Started;
import org.phong.zenflow.logging.codec.JsonSupport;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;
import org.phong.zenflow.logging.devkafka.SharedKafkaBroker;
import org.phong.zenflow.logging.sink.kafka.KafkaRecords;
import org.phong.zenflow.logging.testing.ExactlyOnce;
import org.phong.zenflow.logging.time.Sleeper;
import org.phong.zenflow.logging.testing.Closing;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cluster mode's Kafka half against a real single-node KRaft broker (forked, ephemeral ports; shared with the
 * other broker test classes of the run through {@link ClusterRig} and {@link SharedKafkaBroker}) and an
 * embedded PostgreSQL: records produced through {@link IngestProducer} are stored by {@link
 * PartitionOwnerLoop}s exactly once, each run numbered 1..k gap-free in produced order, whatever happens
 * to the owners (a second node joining, a node stopping mid-stream, a stale owner fenced, a poison record,
 * database failures before and after a commit), and {@link OutputPublisher} puts every sequenced entry on
 * the output topic. Every verdict compares entry by entry by a unique message ({@link ExactlyOnce}).
 */
@ExtendWith(ClusterRig.class)
class PartitionOwnerLoopTest {
    private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
    private static final Duration DONE_WITHIN = Duration.ofSeconds(45);
    /** How long a finished count must stay unchanged (a late duplicate would show up in it). */
    private static final long STABLE_MS = 1_500;
    @RegisterExtension
    final Closing closing = new Closing();

    // ------------------------------------------------------------------ the parts under test

    private PartitionOwnerLoop loop(DataSource ds, String topic, String group, String node, SequencedListener listener,
                                    Sleeper sleeper) {
        return loop(ds, ds, topic, group, node, listener, sleeper);
    }

    /** A node: its writer on {@code writes}, its ledger on {@code ds}. */
    private PartitionOwnerLoop loop(DataSource ds, DataSource writes, String topic, String group, String node, SequencedListener listener,
                                    Sleeper sleeper) {
        return ClusterRig.startLoop(closing, ds, writes, topic, group, node, listener, sleeper);
    }

    private IngestProducer producer(String topic) throws InterruptedException {
        return ClusterRig.startProducer(closing, topic);
    }

    private static List<CompletableFuture<RecordMetadata>> send(IngestProducer p, List<IngestRecord> records) throws InterruptedException {
        return ClusterRig.sendInOrder(p, records);
    }

    static List<RecordMetadata> acknowledged(List<CompletableFuture<RecordMetadata>> acks) throws Exception {
        List<RecordMetadata> out = new ArrayList<>();
        for (CompletableFuture<RecordMetadata> a : acks) out.add(a.get(30, TimeUnit.SECONDS));
        return out;
    }

    // ------------------------------------------------------------------ the workload and the verdict

    /** Runs with unique messages: what was produced, per run in produced order. */
    static final class Workload {
        final UUID workflow = UUID.randomUUID();
        final Map<UUID, List<String>> messages = new LinkedHashMap<>();
        final Set<UUID> ended = new java.util.HashSet<>();
        int records;

        Workload(int runs) {
            for (int i = 0; i < runs; i++) messages.put(UUID.randomUUID(), new ArrayList<>());
        }

        List<IngestRecord> starts() {
            List<IngestRecord> out = new ArrayList<>();
            for (UUID run : messages.keySet()) out.add(new Started(workflow, run, T0));
            records += out.size();
            return out;
        }

        /** {@code perRun} entries of every run, runs interleaved. */
        List<IngestRecord> entries(int perRun) {
            return entries(messages.keySet(), perRun);
        }

        List<IngestRecord> entries(Iterable<UUID> runs, int perRun) {
            List<IngestRecord> out = new ArrayList<>();
            for (int i = 0; i < perRun; i++) {
                for (UUID run : runs) {
                    List<String> m = messages.get(run);
                    String msg = run + " #" + m.size() + " " + UUID.randomUUID();
                    m.add(msg);
                    out.add(new Entry(LogEntry.builder().workflowId(workflow).runId(run).nodeKey("n" + (m.size() % 3)).ts(T0.plusMillis(m.size()))
                            .level(m.size() % 7 == 0 ? LogLevel.ERROR : LogLevel.INFO).message(msg)
                            .metadata("{\"i\":" + m.size() + "}").build()));
                }
            }
            records += out.size();
            return out;
        }

        List<IngestRecord> ends() {
            List<IngestRecord> out = new ArrayList<>();
            for (UUID run : messages.keySet()) {
                out.add(new Ended(run, RunOutcome.SUCCEEDED, T0.plusSeconds(60)));
                ended.add(run);
            }
            records += out.size();
            return out;
        }

        int entries() {
            return messages.values().stream().mapToInt(List::size).sum();
        }
    }

    static long count(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long rows(DataSource ds) throws SQLException {
        return count(ds, "SELECT count(*) FROM logs");
    }

    static long ledgerTotal(DataSource ds, String topic) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT coalesce(sum(next_offset), 0) FROM cluster_partitions WHERE topic = ?")) {
            ps.setString(1, topic);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Waits until the table holds {@code rows} entries and the ledger {@code offsets} offsets, and the count stays put. */
    static void awaitStored(DataSource ds, String topic, long rows, long offsets) throws Exception {
        await("logs rows = " + rows + ", ledger offsets = " + offsets).atMost(DONE_WITHIN).pollInterval(Duration.ofMillis(200))
                .until(() -> rows(ds) >= rows && ledgerTotal(ds, topic) >= offsets);
        Thread.sleep(STABLE_MS);
        assertEquals(rows, rows(ds), "the count stopped changing at what was produced");
        assertEquals(offsets, ledgerTotal(ds, topic), "every produced offset consumed once");
    }

    /**
     * Reads {@code logs} to its end in (run, seq) order: each run's messages in seq order, asserting every run's
     * seqs are 1..k without a gap; every message goes to {@code verdict}.
     */
    static Map<UUID, List<String>> storedGapFree(DataSource ds, ExactlyOnce verdict) throws SQLException {
        Map<UUID, List<String>> stored = new HashMap<>();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT run_id, seq, message FROM logs ORDER BY run_id, seq");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                UUID run = rs.getObject(1, UUID.class);
                List<String> m = stored.computeIfAbsent(run, r -> new ArrayList<>());
                assertEquals(m.size() + 1, rs.getLong(2), "run " + run + ": seq gap-free from 1");
                m.add(rs.getString(3));
                verdict.read(rs.getString(3));
            }
        }
        return stored;
    }

    /**
     * Entry by entry: every produced message stored exactly once (nothing lost, nothing twice, nothing
     * foreign), each run's seqs exactly 1..k in produced order, its runs row counting k and ended.
     */
    static void assertExactlyOnceInOrder(DataSource ds, Workload w) throws SQLException {
        ExactlyOnce verdict = new ExactlyOnce();
        for (List<String> m : w.messages.values()) verdict.mustArrive(m);
        Map<UUID, List<String>> stored = storedGapFree(ds, verdict);
        verdict.verdict().assertExact("stored entries");
        for (Map.Entry<UUID, List<String>> e : w.messages.entrySet()) {
            assertEquals(e.getValue(), stored.get(e.getKey()), "run " + e.getKey() + " in seq order is its produced order");
        }
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT run_id, entries, last_seq, outcome, ended, started FROM runs");
             ResultSet rs = ps.executeQuery()) {
            int n = 0;
            while (rs.next()) {
                n++;
                UUID run = rs.getObject(1, UUID.class);
                int k = w.messages.get(run).size();
                assertEquals(k, rs.getLong(2), "entries of " + run);
                assertEquals(k, rs.getLong(3), "last seq of " + run);
                assertNotNull(rs.getTimestamp(6), "started " + run);
                if (w.ended.contains(run)) {
                    assertEquals("SUCCEEDED", rs.getString(4));
                    assertNotNull(rs.getTimestamp(5), "ended " + run);
                }
            }
            assertEquals(w.messages.size(), n, "one runs row per run");
        }
    }

    // ------------------------------------------------------------------ tests

    /** (a) + (e): one node stores everything exactly once in order; the output topic holds every sequenced entry once. */
    @Test
    void oneOwnerStoresEveryRunGapFreeAndPublishesEverySequencedEntry() throws Exception {
        DataSource ds = freshDatabase();
        String in = topic("ingest", 3);
        String out = topic("output", 3);
        OutputPublisher publisher = ClusterRig.startPublisher(closing, out);
        PartitionOwnerLoop a = loop(ds, in, "g-" + in, "node-a", publisher, Thread::sleep);
        IngestProducer p = producer(in);
        Workload w = new Workload(6);
        List<CompletableFuture<RecordMetadata>> acks = send(p, w.starts());
        acks.addAll(send(p, w.entries(100)));
        acks.addAll(send(p, w.ends()));
        acknowledged(acks);

        awaitStored(ds, in, w.entries(), w.records);
        assertExactlyOnceInOrder(ds, w);
        PartitionOwnerLoop.Stats s = a.stats();
        assertEquals(w.entries(), s.entriesWritten());
        assertEquals(w.records, s.offsetsWritten());
        assertEquals(0, s.malformedSkipped() + s.fenced() + s.retries() + s.listenerFailures(), s.toString());
        assertEquals(Set.of(0, 1, 2), a.ownedPartitions());
        assertEquals(new IngestProducer.Stats(w.records, 0, 0), p.stats());

        // (e) The output topic, read to its end: every (runId, seq) exactly once, in seq order, with the stored entry's message.
        publisher.flush();
        assertEquals(new OutputPublisher.Stats(w.entries(), 0), publisher.stats());
        outputVerdict(ds, out, true).assertExact("output topic");
        awaitOutboxEmpty(ds); // every write confirmed: its row went with a later write or the idle sweep

        // The group offsets are only a hint, but they are committed: they reach the ledger's offsets.
        try (Admin admin = KafkaBrokerLauncher.admin(bootstrap())) {
            await("group offset hints").atMost(DONE_WITHIN).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets("g-" + in).partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS);
                return m.values().stream().mapToLong(OffsetAndMetadata::offset).sum() == w.records;
            });
        }
    }

    /** (b) Two nodes share the partitions; one stops in the middle of the stream; the other takes over: exactly once, gap-free. */
    @Test
    void twoOwnersShareTheTopicAndTheSurvivorTakesOverMidStream() throws Exception {
        DataSource ds = freshDatabase();
        String in = topic("ingest", 4);
        String group = "g-" + in;
        PartitionOwnerLoop a = loop(ds, in, group, "node-a", null, Thread::sleep);
        await("node-a owns the topic").atMost(DONE_WITHIN).until(() -> a.ownedPartitions().size() == 4);
        PartitionOwnerLoop b = loop(ds, in, group, "node-b", null, Thread::sleep);
        await("both nodes own partitions").atMost(DONE_WITHIN)
                .until(() -> !a.ownedPartitions().isEmpty() && !b.ownedPartitions().isEmpty()
                        && a.ownedPartitions().size() + b.ownedPartitions().size() == 4);

        IngestProducer p = producer(in);
        Workload w = new Workload(12);
        List<IngestRecord> first = new ArrayList<>(w.starts());
        first.addAll(w.entries(100));
        List<IngestRecord> whileClosing = w.entries(50);
        List<IngestRecord> afterClosed = new ArrayList<>(w.entries(50));
        afterClosed.addAll(w.ends());
        CountDownLatch firstSent = new CountDownLatch(1);
        CountDownLatch closing = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        ExecutorService producing = Executors.newSingleThreadExecutor();
        try {
            Future<List<CompletableFuture<RecordMetadata>>> sent = producing.submit(() -> {
                List<CompletableFuture<RecordMetadata>> acks = send(p, first);
                firstSent.countDown();
                assertTrue(closing.await(60, TimeUnit.SECONDS));
                for (int i = 0; i < whileClosing.size(); i += 40) { // trickles in while node-a goes away
                    acks.addAll(send(p, whileClosing.subList(i, Math.min(whileClosing.size(), i + 40))));
                    Thread.sleep(10);
                }
                assertTrue(closed.await(60, TimeUnit.SECONDS));
                acks.addAll(send(p, afterClosed));                // only node-b is left to store these
                return acks;
            });
            assertTrue(firstSent.await(30, TimeUnit.SECONDS));
            await("both nodes wrote").atMost(DONE_WITHIN).until(() -> a.stats().entriesWritten() > 0 && b.stats().entriesWritten() > 0);
            closing.countDown();
            a.close(); // mid-stream: no final commit of the group offsets, its partitions move to node-b
            assertFalse(a.stats().running());
            closed.countDown();
            acknowledged(sent.get(60, TimeUnit.SECONDS));
        } finally {
            producing.shutdownNow();
        }

        awaitStored(ds, in, w.entries(), w.records);
        assertExactlyOnceInOrder(ds, w);
        await("node-b owns the topic").atMost(DONE_WITHIN).until(() -> b.ownedPartitions().size() == 4);
        assertEquals(w.entries(), a.stats().entriesWritten() + b.stats().entriesWritten(), "each entry written by one node once");
        assertEquals(4, count(ds, "SELECT count(*) FROM cluster_partitions WHERE owner = 'node-b'"), "node-b claimed every partition last");
    }

    /** (c) A stale owner: another claim raises the epoch under it; its next write is fenced, it stops that partition, nothing twice. */
    @Test
    void aStaleOwnerIsFencedStopsThePartitionAndDuplicatesNothing() throws Exception {
        DataSource ds = freshDatabase();
        String in = topic("ingest", 2);
        String group = "g-" + in;
        PartitionOwnerLoop a = loop(ds, in, group, "node-a", null, Thread::sleep);
        await("node-a owns the topic").atMost(DONE_WITHIN).until(() -> a.ownedPartitions().size() == 2);
        IngestProducer p = producer(in);
        Workload w = new Workload(8);
        List<IngestRecord> first = new ArrayList<>(w.starts());
        first.addAll(w.entries(20));
        List<RecordMetadata> md = acknowledged(send(p, first));
        awaitStored(ds, in, w.entries(), w.records);
        Map<UUID, Integer> partitionOf = new HashMap<>();
        for (int i = 0; i < first.size(); i++) partitionOf.put(first.get(i).runId(), md.get(i).partition());
        assertEquals(2, Set.copyOf(partitionOf.values()).size(), "8 runs over 2 partitions use both");

        // node-x claims partition 0 behind node-a's back (a rebalance node-a has not noticed yet).
        PartitionClaim x = new PartitionLedger(ds).claim(in, 0, "node-x");
        List<UUID> onZero = partitionOf.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList();
        List<UUID> onOne = partitionOf.entrySet().stream().filter(e -> e.getValue() == 1).map(Map.Entry::getKey).toList();
        int entriesBefore = w.entries();
        int offsetsBefore = w.records;
        List<IngestRecord> second = new ArrayList<>(w.entries(30));
        second.addAll(w.ends());
        acknowledged(send(p, second));
        int onOneLater = 0;
        for (IngestRecord r : second) if (onOne.contains(r.runId())) onOneLater++;
        int onOneEntriesLater = (int) second.stream().filter(r -> r instanceof Entry && onOne.contains(r.runId())).count();
        await("node-a fenced on partition 0").atMost(DONE_WITHIN).until(() -> a.stats().fenced() == 1);
        awaitStored(ds, in, entriesBefore + onOneEntriesLater, offsetsBefore + onOneLater);
        assertEquals(Set.of(1), a.ownedPartitions(), "node-a stopped partition 0 and kept partition 1");
        PartitionClaim now = new PartitionLedger(ds).current(in, 0).orElseThrow();
        assertEquals(x, now, "partition 0 did not move after node-x's claim: node-a's write was refused whole");
        ExactlyOnce sofar = new ExactlyOnce();
        for (UUID run : onZero) sofar.mustArrive(w.messages.get(run).subList(0, 20));
        for (UUID run : onOne) sofar.mustArrive(w.messages.get(run));
        try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT message FROM logs")) {
            while (rs.next()) sofar.read(rs.getString(1));
        }
        sofar.verdict().assertExact("stored while partition 0 is fenced");

        // A real rebalance (node-b joins) hands partition 0 out again: its new claim resumes at node-x's offset.
        loop(ds, in, group, "node-b", null, Thread::sleep);
        awaitStored(ds, in, w.entries(), w.records);
        assertExactlyOnceInOrder(ds, w);
        assertTrue(new PartitionLedger(ds).current(in, 0).orElseThrow().epoch() > x.epoch());
    }

    /** (d) Poison records in the middle of a partition are counted and consumed without a row; the records after them are stored. */
    @Test
    void malformedRecordsAreCountedAndSkippedAndTheRecordsAfterThemAreStored() throws Exception {
        DataSource ds = freshDatabase();
        String in = topic("ingest", 1);
        PartitionOwnerLoop a = loop(ds, in, "g-" + in, "node-a", null, Thread::sleep);
        Workload w = new Workload(1);
        UUID run = w.messages.keySet().iterator().next();
        byte[] key = IngestCodec.key(run);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (IngestRecord r : w.starts()) records.add(IngestCodec.record(in, r));
        for (IngestRecord r : w.entries(10)) records.add(IngestCodec.record(in, r));
        records.add(new ProducerRecord<>(in, key, "not json".getBytes(StandardCharsets.UTF_8)));
        records.add(new ProducerRecord<>(in, key, new String(IngestCodec.value(new Ended(run, RunOutcome.FAILED, T0)), StandardCharsets.UTF_8)
                .replace("\"v\":1", "\"v\":9").getBytes(StandardCharsets.UTF_8)));
        records.add(new ProducerRecord<>(in, IngestCodec.key(UUID.randomUUID()), IngestCodec.value(new Ended(run, RunOutcome.FAILED, T0))));
        records.add(new ProducerRecord<>(in, key, null));
        int poison = 4;
        for (IngestRecord r : w.entries(10)) records.add(IngestCodec.record(in, r));
        for (IngestRecord r : w.ends()) records.add(IngestCodec.record(in, r));
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap(), "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) raw.send(r).get(30, TimeUnit.SECONDS);
        }
        awaitStored(ds, in, w.entries(), w.records + poison);
        assertExactlyOnceInOrder(ds, w);
        assertEquals(poison, a.stats().malformedSkipped());
        assertEquals(w.records + poison, a.stats().offsetsWritten());
        assertEquals(0, a.stats().retries());
        assertEquals(0, count(ds, "SELECT count(*) FROM runs WHERE outcome = 'FAILED'"), "no poison reached the runs table");
    }

    /**
     * Database failures: claims refused (the partition waits paused and is claimed later), writes whose
     * connection is refused (nothing committed: retried from the same offset after backoff, through the
     * injected sleeper) and a commit whose reply is lost (committed: the retry meets the ledger's newer
     * offset and seeks there). Nothing lost, nothing twice.
     */
    @Test
    void databaseFailuresAreRetriedFromTheFirstOffsetWithoutLossOrDuplicate() throws Exception {
        DataSource ds = freshDatabase();
        FlakyDataSource flaky = new FlakyDataSource(ds);
        String in = topic("ingest", 1);
        List<Long> sleeps = new CopyOnWriteArrayList<>();
        List<LogEntry> heard = new CopyOnWriteArrayList<>();
        flaky.refuseConnections.set(2); // the first two claims: the partition waits paused, the claim is retried
        PartitionOwnerLoop a = loop(flaky, flaky, in, "g-" + in, "node-a", heard::addAll, ms -> sleeps.add(ms));
        IngestProducer p = producer(in);
        Workload w = startAndStore(ds, p, in, 3, 10);
        assertEquals(2, a.stats().claimFailures());
        assertEquals(1, a.stats().claims());
        assertEquals(0, a.stats().retries());

        flaky.refuseConnections.set(3);
        acknowledged(send(p, w.entries(10)));
        awaitStored(ds, in, w.entries(), w.records);
        assertEquals(3, a.stats().retries());
        assertEquals(3, sleeps.size(), "one backoff per failed attempt, none real");
        assertTrue(sleeps.get(0) >= 10 && sleeps.get(0) <= 20 && sleeps.get(2) >= 40 && sleeps.get(2) <= 80, sleeps.toString());

        List<IngestRecord> third = storeWithALostCommitReply(flaky, ds, p, in, w);
        assertEquals(4, a.stats().retries());
        assertEquals(1, a.stats().offsetMismatches(), "the retry of the committed write found the ledger past it");
        assertEquals(0, flaky.refuseConnections.get() + flaky.loseCommitReplies.get(), "every planted failure happened");
        // The listener hears committed writes only, once each; the write whose reply was lost it never hears.
        Set<String> distinct = new java.util.HashSet<>();
        for (LogEntry e : heard) assertTrue(distinct.add(e.runId() + ":" + e.seq()), "heard twice: " + e.runId() + ":" + e.seq());
        assertTrue(heard.size() < w.entries() && heard.size() >= w.entries() - third.size(), heard.size() + " of " + w.entries());
    }

    /**
     * A commit whose reply is lost: the loop learns of it only as an offset mismatch, never told the
     * publisher, and republishes it from the outbox (read back from PostgreSQL); the output topic then holds
     * every stored (runId, seq) exactly once (nothing here can publish a write twice) and the outbox empties.
     * An outbox row whose entries retention already dropped is counted as expired and deleted at the claim,
     * not retried.
     */
    @Test
    void aWriteWhoseCommitReplyWasLostIsRepublishedFromTheOutbox() throws Exception {
        DataSource ds = freshDatabase();
        FlakyDataSource flaky = new FlakyDataSource(ds);
        String in = topic("ingest", 1);
        String out = topic("output", 1);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO cluster_unpublished"
                + " (topic, partition, first_offset, run_ids, from_seq, to_seq) VALUES (?, 0, 1000000, ARRAY[?::uuid], '{1}', '{5}')")) {
            ps.setString(1, in);
            ps.setString(2, UUID.randomUUID().toString()); // a write of a previous life whose 5 rows retention dropped
            ps.executeUpdate();
        }
        OutputPublisher publisher = ClusterRig.startPublisher(closing, out);
        PartitionOwnerLoop a = loop(flaky, flaky, in, "g-" + in, "node-a", publisher, Thread::sleep);
        IngestProducer p = producer(in);
        Workload w = startAndStore(ds, p, in, 3, 10);

        storeWithALostCommitReply(flaky, ds, p, in, w);
        assertEquals(0, flaky.loseCommitReplies.get(), "the planted failure happened");
        assertEquals(1, a.stats().offsetMismatches());
        awaitOutboxEmpty(ds);
        publisher.flush();
        OutputPublisher.Stats s = publisher.stats();
        long lost = w.entries() - a.stats().entriesWritten(); // the write whose reply was lost is not counted as written
        assertTrue(lost > 0, "the lost write stored entries");
        assertEquals(new OutputPublisher.Stats(w.entries(), 0, lost, 5), s, "the lost write republished once, the expired row counted");
        outputVerdict(ds, out, false).assertExact("output topic after a lost commit reply");
    }

    // ------------------------------------------------------------------ helpers

    /** Produces {@code runs} runs' starts and {@code perRun} entries of each, and waits until they are stored. */
    private static Workload startAndStore(DataSource ds, IngestProducer p, String in, int runs, int perRun) throws Exception {
        Workload w = new Workload(runs);
        List<IngestRecord> first = new ArrayList<>(w.starts());
        first.addAll(w.entries(perRun));
        acknowledged(send(p, first));
        awaitStored(ds, in, w.entries(), w.records);
        return w;
    }

    /**
     * Plants one lost commit reply, produces 10 more entries of every run and the runs' ends, and waits until
     * everything is stored exactly once in order. @return what it produced
     */
    private static List<IngestRecord> storeWithALostCommitReply(FlakyDataSource flaky, DataSource ds, IngestProducer p, String in, Workload w)
            throws Exception {
        flaky.loseCommitReplies.set(1);
        List<IngestRecord> rest = new ArrayList<>(w.entries(10));
        rest.addAll(w.ends());
        acknowledged(send(p, rest));
        awaitStored(ds, in, w.entries(), w.records);
        assertExactlyOnceInOrder(ds, w);
        return rest;
    }

    /** Waits until every outbox row is deleted (each write confirmed, and its delete committed). */
    static void awaitOutboxEmpty(DataSource ds) {
        await("the output outbox emptied").atMost(DONE_WITHIN).pollInterval(Duration.ofMillis(200))
                .until(() -> count(ds, "SELECT count(*) FROM cluster_unpublished") == 0);
    }

    /**
     * Reads the output topic to its end and compares it entry by entry with the logs table: each record keyed
     * by its run, in the sink's format, carrying the stored entry's message for its (runId, seq).
     *
     * @param inOrder also require each run's records in strictly increasing seq (no republish, no duplicate)
     * @return the verdict over the (runId, seq) ids: every stored one must arrive
     */
    static ExactlyOnce.Verdict outputVerdict(DataSource ds, String out, boolean inOrder) throws SQLException {
        Map<String, String> stored = new HashMap<>();
        try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT run_id, seq, message FROM logs")) {
            while (rs.next()) stored.put(rs.getObject(1, UUID.class) + ":" + rs.getLong(2), rs.getString(3));
        }
        ExactlyOnce published = new ExactlyOnce().mustArrive(stored.keySet());
        Map<UUID, Long> lastSeq = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readToEnd(out)) {
            JsonObject o = json(r.value());
            UUID run = UUID.fromString(o.getString("runId"));
            long seq = o.getJsonNumber("seq").longValue();
            String id = run + ":" + seq;
            published.read(id);
            assertEquals(run.toString(), new String(r.key(), StandardCharsets.US_ASCII), "keyed by run");
            assertEquals(KafkaRecords.FORMAT, new String(r.headers().lastHeader(KafkaRecords.FORMAT_HEADER).value(), StandardCharsets.UTF_8));
            if (stored.containsKey(id)) assertEquals(stored.get(id), o.getString("message"), id);
            if (inOrder) assertTrue(seq > lastSeq.getOrDefault(run, 0L), "a run's records in seq order on its partition");
            lastSeq.put(run, seq);
        }
        return published.verdict();
    }

    private static JsonObject json(byte[] value) {
        try (var r = JsonSupport.JSON.createReader(new StringReader(new String(value, StandardCharsets.UTF_8)))) {
            return r.readObject();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ClusterRig.bootstrap(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + DONE_WITHIN.toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "output topic read to its end in time");
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) out.add(r);
            }
        }
        return out;
    }

    /**
     * A data source whose failures the test plants: refused connections, commits whose reply is lost, and
     * savepoints whose connection breaks (only a write isolating refused entries takes savepoints).
     */
    static final class FlakyDataSource implements DataSource {
        final AtomicInteger refuseConnections = new AtomicInteger();
        final AtomicInteger loseCommitReplies = new AtomicInteger();
        final AtomicInteger breakSavepoints = new AtomicInteger();
        private final DataSource real;

        FlakyDataSource(DataSource real) {
            this.real = real;
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (refuseConnections.getAndUpdate(n -> Math.max(0, n - 1)) > 0) throw new SQLException("planted: connection refused", "08001");
            Connection c = real.getConnection();
            InvocationHandler h = (proxy, m, args) -> {
                if (m.getName().equals("setSavepoint") && breakSavepoints.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new SQLException("planted: connection lost at a savepoint", "08006");
                }
                try {
                    Object r = m.invoke(c, args);
                    if (m.getName().equals("commit") && loseCommitReplies.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw new SQLException("planted: connection lost after the commit", "08006");
                    }
                    return r;
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            };
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
