package org.phong.zenflow.logging.cluster;

import static org.awaitility.Awaitility.await;
import static org.phong.zenflow.logging.cluster.ClusterRig.bootstrap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.cluster.IngestRecord.Entry;
import org.phong.zenflow.logging.cluster.PartitionOwnerLoopTest.Workload;
import org.phong.zenflow.logging.config.SecuritySettings;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;
import org.phong.zenflow.logging.redact.Redactor;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.stats.PipelineObserver;
import org.phong.zenflow.logging.testing.ExactlyOnce;
import org.phong.zenflow.logging.testing.Closing;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cluster mode as the server runs it, minus CDI: three {@link ClusterNode}s in one JVM, on one forked
 * KRaft broker (6-partition ingest topic) and one embedded PostgreSQL, each behind its own forwarding
 * {@link LogRouter} (the entry point the engine and HTTP call). Each run's start, entry batches and end go
 * through different nodes, a batch only after the previous one was acknowledged (what a client of
 * {@code ?wait=durable} does; records of one run from two producers are ordered only by that). The verdict
 * reads the logs table to its end and compares entry by entry by a unique message ({@link ExactlyOnce}).
 */
@ExtendWith(ClusterRig.class)
class ClusterNodeTest {
    private static final Duration DONE_WITHIN = Duration.ofSeconds(45);
    private static final int PARTITIONS = 6;
    private static final int RUNS = 36;
    private static final int BATCHES = 5;
    private static final int BATCH = 8;
    @RegisterExtension
    final Closing closing = new Closing();


    /** One node and its entry point. */
    private record Node(ClusterNode node, LogRouter router) {
    }

    private Node node(DataSource ds, String in, String out, String name, Map<String, Object> consumer) throws InterruptedException {
        return node(ds, in, out, name, consumer, ClusterNode.Producers.KAFKA);
    }

    /**
     * Real ingest producers; an output publisher whose producer takes every send and completes none: what a
     * node killed after its commits and before Kafka acknowledged their output leaves behind.
     */
    private static final ClusterNode.Producers UNACKNOWLEDGED_OUTPUT = new ClusterNode.Producers() {
        @Override
        public IngestProducer ingest(String topic, Map<String, Object> properties) {
            return ClusterNode.Producers.KAFKA.ingest(topic, properties);
        }

        @Override
        public OutputPublisher output(String topic, Map<String, Object> properties) {
            return new OutputPublisher(topic, new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()));
        }
    };

    private Node node(DataSource ds, String in, String out, String name, Map<String, Object> consumer, ClusterNode.Producers producers)
            throws InterruptedException {
        Map<String, Object> c = new HashMap<>(Map.of("max.poll.records", "100", "session.timeout.ms", "10000", "heartbeat.interval.ms", "1000"));
        c.putAll(consumer);
        ClusterNode n = ClusterNode.builder().topics(in, out).groupId("g-" + in).node(name).kafka(Map.of("bootstrap.servers", bootstrap()))
                .producerProperties(Map.of("linger.ms", "2")).consumerProperties(c).dataSource(ds).threads(Thread::new)
                .loop(100, 20, 200).readyTimeout(Duration.ofSeconds(30)).producers(producers).build();
        closing.add(n);
        n.start();
        return new Node(n, LogRouter.forwarding(n, Redactor.from(SecuritySettings.defaults()), PipelineObserver.NONE));
    }

    private List<Node> cluster(DataSource ds, String in, String out, Map<String, Object> lastNodeConsumer) throws InterruptedException {
        List<Node> nodes = List.of(node(ds, in, out, "node-a", Map.of()), node(ds, in, out, "node-b", Map.of()),
                node(ds, in, out, "node-c", lastNodeConsumer));
        await("the group spread the 6 partitions over the 3 nodes").atMost(DONE_WITHIN).until(() -> {
            int sum = 0;
            for (Node n : nodes) {
                if (n.node().ownedPartitions().isEmpty()) return false;
                sum += n.node().ownedPartitions().size();
            }
            return sum == PARTITIONS;
        });
        return nodes;
    }

    /**
     * Sends the workload in rounds: round 0 every run's start, rounds 1..BATCHES a batch of each run, the
     * last round every end; within a round each run goes through a node of its own choosing, and a round
     * starts only when every record of the previous one has an outcome. A record is sent again (same node)
     * while the router rejects it, so a run's records are produced in their order.
     */
    private static final class Driver {
        final Workload w = new Workload(RUNS);
        final List<UUID> runs = new ArrayList<>(w.messages.keySet());
        /** Messages whose produce was acknowledged; the others of {@link #sent} were not (a halted node's). */
        final Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final Set<String> sent = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final Set<UUID> endsAcknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final Set<Integer> nodesUsed = new HashSet<>();
        int rejected;

        /** @return the round's outcomes, not waited for */
        List<CompletableFuture<?>> round(int round, List<Node> live) throws InterruptedException {
            List<CompletableFuture<?>> outcomes = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                UUID run = runs.get(i);
                // start on one node, each batch on the next, the end on yet another: never two rounds of a run in a row on one node
                int pick = (i + round) % live.size();
                nodesUsed.add(pick);
                Node n = live.get(pick);
                if (round == 0) {
                    LogRouter.Routed r;
                    while ((r = n.router().offerRunStarted(new WorkflowRunStarted(w.workflow, run))).result() != RouteResult.ACCEPTED) pause();
                    w.records++;
                    outcomes.add(r.acknowledged().toCompletableFuture());
                } else if (round <= BATCHES) {
                    for (IngestRecord rec : w.entries(List.of(run), BATCH)) {
                        LogEntry e = ((Entry) rec).entry();
                        LogRouter.Routed r;
                        while ((r = n.router().routeTracked(e)).result() != RouteResult.ACCEPTED) pause();
                        sent.add(e.message());
                        // The stage that records the outcome, not the acknowledgement itself: a future runs its dependents
                        // last-registered first, so settle()'s would otherwise complete before the record is made.
                        outcomes.add(r.acknowledged().toCompletableFuture().thenRun(() -> acknowledged.add(e.message())));
                    }
                } else {
                    w.ended.add(run);
                    w.records++;
                    outcomes.add(n.router().runCompleted(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED)).thenRun(() -> endsAcknowledged.add(run)));
                }
            }
            return outcomes;
        }

        void pause() throws InterruptedException {
            rejected++;
            Thread.sleep(5);
        }

        static void settle(List<CompletableFuture<?>> outcomes) throws Exception {
            CompletableFuture.allOf(outcomes.stream().map(f -> f.handle((v, ex) -> null)).toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** The sum of the ingest topic's end offsets: what the ledger holds once every record is consumed. */
    private static long endOffsets(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap()), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo p : c.partitionsFor(topic)) tps.add(new TopicPartition(topic, p.partition()));
            return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Waits until the ledger consumed every offset of the topic and the logs table stopped changing. */
    private static void awaitConsumed(DataSource ds, String topic) throws Exception {
        long end = endOffsets(topic);
        await("ledger offsets = " + end).atMost(DONE_WITHIN).pollInterval(Duration.ofMillis(200))
                .until(() -> PartitionOwnerLoopTest.ledgerTotal(ds, topic) >= end);
        long rows = PartitionOwnerLoopTest.rows(ds);
        Thread.sleep(1_000);
        assertEquals(rows, PartitionOwnerLoopTest.rows(ds), "the table stopped changing");
        assertEquals(end, PartitionOwnerLoopTest.ledgerTotal(ds, topic), "every offset consumed once");
    }

    @Test
    void threeNodesStoreEveryRunExactlyOnceGapFreeWhicheverNodesTookItsRecords() throws Exception {
        DataSource ds = ClusterRig.freshDatabase();
        String in = ClusterRig.topic("ingest", PARTITIONS);
        KafkaBrokerLauncher.createTopic(bootstrap(), "output-" + in, PARTITIONS);
        List<Node> nodes = cluster(ds, in, "output-" + in, Map.of());
        Driver d = new Driver();
        for (int round = 0; round <= BATCHES + 1; round++) Driver.settle(d.round(round, nodes));
        assertEquals(d.sent, d.acknowledged, "every entry acknowledged");
        assertEquals(RUNS, d.endsAcknowledged.size());
        assertEquals(3, d.nodesUsed.size());

        awaitConsumed(ds, in);
        assertEquals(d.w.records, PartitionOwnerLoopTest.ledgerTotal(ds, in), "every produced record is one offset");
        PartitionOwnerLoopTest.assertExactlyOnceInOrder(ds, d.w);
        long stored = 0;
        long produced = 0;
        for (Node n : nodes) {
            ClusterNode.Status s = n.node().status();
            assertTrue(s.problems().isEmpty(), s.problems().toString());
            assertEquals("ready", s.producerState());
            assertTrue(s.loop().entriesWritten() > 0, n.node().node() + " stored its share");
            assertEquals(0, s.loop().fenced() + s.loop().malformedSkipped() + s.producer().failed(), s.toString());
            stored += s.loop().entriesWritten();
            produced += s.producer().acknowledged();
        }
        assertEquals(d.w.entries(), stored, "each entry stored by one owner");
        assertEquals(d.w.records, produced, "each record produced once");
    }

    @Test
    void aNodeHaltedMidLoadLosesNoAcknowledgedEntryAndTheOthersTakeOverItsPartitions() throws Exception {
        DataSource ds = ClusterRig.freshDatabase();
        String in = ClusterRig.topic("ingest", PARTITIONS);
        KafkaBrokerLauncher.createTopic(bootstrap(), "output-" + in, PARTITIONS);
        // node-c dies as a process does: its consumer does not say goodbye, the group waits out its session (6 s, the broker's least)
        List<Node> nodes = cluster(ds, in, "output-" + in, Map.of("internal.leave.group.on.close", "false", "session.timeout.ms", "6000"));
        Node halted = nodes.get(2);
        List<Node> survivors = nodes.subList(0, 2);
        Driver d = new Driver();
        for (int round = 0; round <= 2; round++) Driver.settle(d.round(round, nodes));
        await("node-c stored some of its share").atMost(DONE_WITHIN).until(() -> halted.node().status().loop().entriesWritten() > 0);
        List<CompletableFuture<?>> inFlight = d.round(3, nodes); // node-c's part of this round is in its producer when it dies
        halted.node().halt(Duration.ZERO);
        Driver.settle(inFlight);
        // halt does not wait for the loop thread: it ends once its write in progress returns (interrupted)
        await("node-c's owner loop ended").atMost(DONE_WITHIN).until(() -> !halted.node().status().loop().running());
        for (int round = 4; round <= BATCHES + 1; round++) Driver.settle(d.round(round, survivors));
        assertEquals(RUNS, d.endsAcknowledged.size(), "every end acknowledged (the survivors sent them)");
        await("the survivors own every partition").atMost(DONE_WITHIN)
                .until(() -> survivors.get(0).node().ownedPartitions().size() + survivors.get(1).node().ownedPartitions().size() == PARTITIONS);

        awaitConsumed(ds, in);
        Set<String> unconfirmed = new HashSet<>(d.sent);
        unconfirmed.removeAll(d.acknowledged);
        ExactlyOnce verdict = new ExactlyOnce().mustArrive(d.acknowledged).mayArrive(unconfirmed);
        Map<UUID, List<String>> stored = PartitionOwnerLoopTest.storedGapFree(ds, verdict);
        verdict.verdict().assertExact("stored entries after node-c halted");
        for (Map.Entry<UUID, List<String>> e : d.w.messages.entrySet()) {
            List<String> producedAcked = e.getValue().stream().filter(d.acknowledged::contains).toList();
            List<String> storedAcked = stored.getOrDefault(e.getKey(), List.of()).stream().filter(d.acknowledged::contains).toList();
            assertEquals(producedAcked, storedAcked, "run " + e.getKey() + ": its acknowledged entries in produced order");
        }
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT run_id, entries, last_seq, outcome, ended FROM runs");
             ResultSet rs = ps.executeQuery()) {
            int n = 0;
            while (rs.next()) {
                n++;
                UUID run = rs.getObject(1, UUID.class);
                int k = stored.getOrDefault(run, List.of()).size();
                assertEquals(k, rs.getLong(2), "entries of " + run);
                assertEquals(k, rs.getLong(3), "last seq of " + run);
                assertEquals("SUCCEEDED", rs.getString(4), "outcome of " + run);
                assertNotNull(rs.getTimestamp(5), "ended " + run);
            }
            assertEquals(RUNS, n, "one runs row per run");
        }
        for (Node s : survivors) assertTrue(s.node().status().problems().isEmpty(), s.node().status().problems().toString());
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT owner, count(*) FROM cluster_partitions WHERE topic = ? GROUP BY owner")) {
            ps.setString(1, in);
            Map<String, Long> byOwner = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) byOwner.put(rs.getString(1), rs.getLong(2));
            }
            assertEquals(Set.of("node-a", "node-b"), byOwner.keySet(), "the ledger names only the survivors as owners: " + byOwner);
        }
        assertTrue(halted.node().status().problems().contains("cluster node stopped"));
    }

    /**
     * The outbox across a takeover: node-a stores part of the load, none of its output is acknowledged
     * (its producer never completes a send), and it dies (halted; its consumer does not leave the group).
     * node-b takes every partition over once the group evicts node-a, republishes from PostgreSQL every entry
     * node-a stored, and stores and publishes the rest. The output topic, read to its end, then holds every
     * stored (runId, seq) with its message, compared entry by entry with the logs table, and the outbox is
     * empty. Exactly once here: node-a published nothing, and node-b republishes a row only while it neither
     * has it in flight nor confirmed it (a duplicate needs a confirmed row whose delete died with its node).
     */
    @Test
    void entriesANodeStoredButNeverPublishedAreRepublishedByTheNodeThatTakesItsPartitionsOver() throws Exception {
        DataSource ds = ClusterRig.freshDatabase();
        String in = ClusterRig.topic("ingest", PARTITIONS);
        String out = "output-" + in;
        KafkaBrokerLauncher.createTopic(bootstrap(), out, PARTITIONS);
        Node a = node(ds, in, out, "node-a", Map.of("internal.leave.group.on.close", "false", "session.timeout.ms", "6000"),
                UNACKNOWLEDGED_OUTPUT);
        await("node-a owns every partition").atMost(DONE_WITHIN).until(() -> a.node().ownedPartitions().size() == PARTITIONS);
        Driver d = new Driver();
        for (int round = 0; round <= 2; round++) Driver.settle(d.round(round, List.of(a)));
        awaitConsumed(ds, in);
        long storedByA = a.node().status().loop().entriesWritten();
        assertEquals(PartitionOwnerLoopTest.rows(ds), storedByA);
        assertEquals(0, a.node().status().output().acknowledged(), "nothing node-a stored reached the output topic");
        assertTrue(PartitionOwnerLoopTest.count(ds, "SELECT count(*) FROM cluster_unpublished") > 0, "node-a's writes are in the outbox");

        a.node().halt(Duration.ZERO);
        await("node-a's owner loop ended").atMost(DONE_WITHIN).until(() -> !a.node().status().loop().running());
        Node b = node(ds, in, out, "node-b", Map.of());
        await("node-b owns every partition").atMost(DONE_WITHIN).until(() -> b.node().ownedPartitions().size() == PARTITIONS);
        for (int round = 3; round <= BATCHES + 1; round++) Driver.settle(d.round(round, List.of(b)));
        assertEquals(d.sent, d.acknowledged, "every entry acknowledged");
        awaitConsumed(ds, in);
        PartitionOwnerLoopTest.assertExactlyOnceInOrder(ds, d.w);
        PartitionOwnerLoopTest.awaitOutboxEmpty(ds);

        OutputPublisher.Stats output = b.node().status().output();
        assertEquals(storedByA, output.republished(), "node-b republished every entry node-a stored, once");
        assertEquals(d.w.entries(), output.acknowledged(), "node-b's output: node-a's entries and its own");
        assertEquals(0, output.failed() + output.expired(), output.toString());
        PartitionOwnerLoopTest.outputVerdict(ds, out, false).assertExact("output topic after the takeover");
    }

    @Test
    void aNodeWhoseBrokersAreUnreachableRefusesAtOnceAndSaysWhy() throws Exception {
        DataSource ds = ClusterRig.freshDatabase();
        ClusterNode n = ClusterNode.builder().topics("ingest-x", "output-x").groupId("g-x").node("lonely")
                .kafka(Map.of("bootstrap.servers", "127.0.0.1:" + ClusterRig.freePort())).dataSource(ds).threads(Thread::new)
                .readyTimeout(Duration.ofMillis(200)).build();
        closing.add(n);
        n.start();
        LogRouter router = LogRouter.forwarding(n, Redactor.NONE, PipelineObserver.NONE);
        long t0 = System.nanoTime();
        RouteResult r = router.route(LogEntry.builder().workflowId(UUID.randomUUID()).runId(UUID.randomUUID()).nodeKey("n")
                .ts(java.time.Instant.now()).level(LogLevel.ERROR).message("m").build());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(RouteResult.REJECTED, r, "metadata unknown: refused, never queued");
        assertTrue(ms < 1_000, "route() waited " + ms + " ms; it may wait max.block.ms (10 ms), not for the brokers");
        ClusterNode.Status s = n.status();
        assertFalse(s.producerReady());
        assertEquals(1, s.producer().refused());
        assertEquals(1, s.problems().size(), s.problems().toString());
        assertTrue(s.problems().get(0).contains("bootstrap.servers"), s.problems().toString());
    }
}
