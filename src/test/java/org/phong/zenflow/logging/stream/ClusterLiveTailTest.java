package org.phong.zenflow.logging.stream;

import static org.awaitility.Awaitility.await;
import static org.phong.zenflow.logging.cluster.ClusterRig.bootstrap;
import static org.phong.zenflow.logging.cluster.ClusterRig.freshDatabase;
import static org.phong.zenflow.logging.cluster.ClusterRig.topic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.cluster.ClusterRig;
import org.phong.zenflow.logging.cluster.IngestProducer;
import org.phong.zenflow.logging.cluster.IngestRecord;
import org.phong.zenflow.logging.cluster.OutputPublisher;
import org.phong.zenflow.logging.cluster.PartitionOwnerLoop;
import org.phong.zenflow.logging.cluster.SequencedListener;
import org.phong.zenflow.logging.config.ConfigReader;
import org.phong.zenflow.logging.config.StreamSettings;
import org.phong.zenflow.logging.devkafka.SharedKafkaBroker;
import org.phong.zenflow.logging.sink.kafka.ConsumerFactory;
import org.phong.zenflow.logging.sink.kafka.KafkaRecords;
import org.phong.zenflow.logging.sink.postgres.PostgresLogReader;
import org.phong.zenflow.logging.sink.postgres.RunHistory;
import org.phong.zenflow.logging.sink.postgres.RunsTableReader;
import org.phong.zenflow.logging.stream.StreamHubTest.Recorder;
import org.phong.zenflow.logging.time.ExecutorScheduler;
import org.phong.zenflow.logging.time.MonotonicClock;
import org.phong.zenflow.logging.testing.Closing;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cross-node live tail against a real single-node KRaft broker (forked, ephemeral ports) and an embedded
 * PostgreSQL, both the run's shared {@link ClusterRig} (the broker is {@link SharedKafkaBroker}'s), as
 * {@code PartitionOwnerLoopTest} runs them: "node A" is a {@link
 * PartitionOwnerLoop} that stores what {@link IngestProducer} sends and publishes it with an {@link
 * OutputPublisher}; "node B" has no buffers and no partitions, only a {@link StreamHub} in cluster mode
 * fed by its own {@link OutputTopicFollower}. Clients of node B that connect before, during and after
 * the load, and one that leaves mid-run and reconnects with {@code afterSeq}, must each receive exactly
 * {@code afterSeq+1..N} of their run in order, each entry the one produced with that seq (compared by
 * its unique message), then {@code run-ended}; entries published twice reach them once, and entries
 * never published reach them from PostgreSQL.
 */
@ExtendWith(ClusterRig.class)
class ClusterLiveTailTest {
    private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
    private static final Duration DONE_WITHIN = Duration.ofSeconds(40);
    private static final int RUNS = 4;
    private static final int CHUNKS = 6;
    private static final int PER_CHUNK = 40;
    private static final int N = CHUNKS * PER_CHUNK;
    /** The owner's write that is committed but never published. */
    private static final int WITHHELD_WRITE = 5;
    @RegisterExtension
    final Closing closing = new Closing();

    // ------------------------------------------------------------------ node A: stores and publishes

    private void ownerNode(DataSource ds, String in, SequencedListener listener) {
        ClusterRig.startLoop(closing, ds, ds, in, "g-" + in, "node-a", listener, Thread::sleep);
    }

    private IngestProducer producer(String in) throws InterruptedException {
        return ClusterRig.startProducer(closing, in);
    }

    private static void send(IngestProducer p, List<IngestRecord> records) throws Exception {
        for (var a : ClusterRig.sendInOrder(p, records)) a.get(30, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ node B: follows and serves

    /** Node B's hub and follower; returns the follower once it is positioned at the topic's end. */
    private Node tailNode(DataSource ds, String out) {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        ExecutorService pumps = Executors.newFixedThreadPool(2);
        closing.add(() -> {
            pumps.shutdownNow();
            timers.shutdownNow();
        });
        Properties p = new Properties();
        p.setProperty(StreamSettings.HISTORY_PAGE_SIZE, "50"); // several pages per history
        StreamSettings settings = StreamSettings.from(ConfigReader.overProperties(p));
        PostgresLogReader reader = new PostgresLogReader(ds);
        RunsTableReader runs = new RunsTableReader(ds);
        StreamHub hub = new StreamHub(settings, new ExecutorScheduler(timers), pumps,
                (runId, afterSeq, limit) -> RunHistory.entries(RunHistory.page(reader, runId, afterSeq, limit, null, null)));
        hub.attachCluster(ids -> runs.ended(ids).stream()
                .map(r -> new RunEndSource.Ended(r.runId(), r.lastSeq(), r.outcome())).toList(), 300);
        closing.add(hub::stop);
        OutputTopicFollower f = new OutputTopicFollower(OutputTopicFollower.Options.defaults(out).withPartitionRecheck(1_000),
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ConsumerConfig.CLIENT_ID_CONFIG, "node-b"),
                ConsumerFactory.kafka(), hub, Thread::sleep, MonotonicClock::nowMillis);
        closing.add(f);
        f.start(Thread::new);
        await("follower at the output topic's end").atMost(DONE_WITHIN).until(() -> f.stats().positioned());
        return new Node(hub, f);
    }

    private record Node(StreamHub hub, OutputTopicFollower follower) {
    }

    /** A client: what it asked for and what it received. */
    private record Client(String what, UUID run, long afterSeq, Recorder r, Subscription sub) {
    }

    private static Client connect(StreamHub hub, String what, UUID run, long afterSeq) {
        Recorder r = new Recorder();
        return new Client(what, run, afterSeq, r, hub.subscribe(run, afterSeq, null, r));
    }

    // ------------------------------------------------------------------ the workload and the verdict

    /** Messages by run, seq i+1 at index i (one owner numbers each run in produced order). */
    private final Map<UUID, List<String>> messages = new LinkedHashMap<>();
    private final UUID workflow = UUID.randomUUID();

    private List<IngestRecord> entries(int perRun) {
        List<IngestRecord> out = new ArrayList<>();
        for (int i = 0; i < perRun; i++) {
            for (Map.Entry<UUID, List<String>> e : messages.entrySet()) {
                List<String> m = e.getValue();
                String msg = e.getKey() + " #" + (m.size() + 1) + " " + UUID.randomUUID();
                m.add(msg);
                out.add(new IngestRecord.Entry(LogEntry.builder().workflowId(workflow).runId(e.getKey()).nodeKey("n" + (m.size() % 3))
                        .ts(T0.plusMillis(m.size())).level(m.size() % 7 == 0 ? LogLevel.ERROR : LogLevel.INFO).message(msg).build()));
            }
        }
        return out;
    }

    /**
     * Entry by entry: the client received exactly afterSeq+1..N of its run, in order, each the entry
     * produced with that seq, then run-ended (lastSeq N) and close 1000.
     */
    private void assertExact(Client c) {
        Recorder r = c.r();
        List<String> m = messages.get(c.run());
        List<String> got = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        Frame last;
        synchronized (r.frames) {
            for (Frame f : r.frames) {
                if (f instanceof Frame.Logs l) {
                    for (EncodedEntry e : l.entries()) {
                        seqs.add(e.seq());
                        got.add(e.entry().message());
                        assertEquals(c.run(), e.entry().runId(), c.what());
                    }
                }
            }
            last = r.frames.get(r.frames.size() - 1);
        }
        List<Long> want = new ArrayList<>();
        for (long s = c.afterSeq() + 1; s <= N; s++) want.add(s);
        assertEquals(want, seqs, c.what() + ": afterSeq+1..N, in order, once each");
        assertEquals(m.subList((int) c.afterSeq(), N), got, c.what() + ": each seq carries the entry produced with it");
        assertEquals(new Frame.RunEnded(N, RunOutcome.SUCCEEDED), last, c.what() + ": run-ended after the last entry");
        assertEquals(Outbound.NORMAL, r.closeCode, c.what());
    }

    private static void awaitClosed(List<Client> clients) {
        await("every client's session ended").atMost(DONE_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> clients.stream().allMatch(c -> c.r().closeCode != -1));
    }

    // ------------------------------------------------------------------ test

    /**
     * One scenario (one broker start is most of the cost): clients before, during and after the load,
     * one leaving and resuming; the owner's publisher publishes every third write twice (at least once)
     * and never publishes the fifth (a crash between commit and publish); a duplicate record and a record
     * with a foreign key are written to the output topic by hand.
     */
    @Test
    void clientsOfAnotherNodeGetEveryRunExactlyOnceInOrderThenItsEnd() throws Exception {
        DataSource ds = freshDatabase();
        String in = topic("ingest", 3);
        String out = topic("output", 3);
        OutputPublisher publisher = ClusterRig.startPublisher(closing, out);
        List<List<LogEntry>> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
        ownerNode(ds, in, sequenced -> {
            writes.add(sequenced);
            int n = writes.size();
            if (n == WITHHELD_WRITE) return; // committed, never published: node B must read it from PostgreSQL
            publisher.accept(sequenced);
            if (n % 3 == 0) publisher.accept(sequenced); // at least once: a write published twice
        });
        Node b = tailNode(ds, out);
        IngestProducer p = producer(in);
        for (int i = 0; i < RUNS; i++) messages.put(UUID.randomUUID(), new ArrayList<>());
        List<UUID> runs = List.copyOf(messages.keySet());

        List<Client> clients = new ArrayList<>();
        for (UUID run : runs) clients.add(connect(b.hub(), "before " + run, run, 0));
        Client leaving = connect(b.hub(), "leaves mid-run", runs.get(0), 0);
        List<IngestRecord> starts = new ArrayList<>();
        for (UUID run : runs) starts.add(new IngestRecord.Started(workflow, run, T0));
        send(p, starts);
        for (int chunk = 0; chunk < CHUNKS; chunk++) {
            send(p, entries(PER_CHUNK));
            if (chunk == 1) {
                await("the leaving client got entries live").atMost(DONE_WITHIN).until(() -> !leaving.r().seqs().isEmpty());
                leaving.sub().closedByPeer(); // the client went away; it has what its recorder holds
                List<Long> had = leaving.r().seqs();
                long resumeAt = had.get(had.size() - 1);
                assertEquals(resumeAt, had.size(), "received 1..k before leaving");
                assertEquals(messages.get(runs.get(0)).subList(0, had.size()), messagesOf(leaving.r()));
                clients.add(connect(b.hub(), "reconnected with afterSeq=" + resumeAt, runs.get(0), resumeAt));
            }
            if (chunk == 2) {
                for (UUID run : runs) clients.add(connect(b.hub(), "during " + run, run, 0));
                // By hand: the first write's first entry again (a producer retry after a lost ack looks the
                // same), and a record whose key is no run id.
                try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap(), "acks", "all"),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
                    raw.send(KafkaRecords.record(out, writes.get(0).get(0))).get(30, TimeUnit.SECONDS);
                    raw.send(new ProducerRecord<>(out, "no run id".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8)))
                            .get(30, TimeUnit.SECONDS);
                }
            }
            Thread.sleep(150);
        }
        List<IngestRecord> ends = new ArrayList<>();
        for (UUID run : runs) ends.add(new IngestRecord.Ended(run, RunOutcome.SUCCEEDED, T0.plusSeconds(60)));
        send(p, ends);
        awaitClosed(clients);
        for (Client c : clients) assertExact(c);

        // After the runs ended: history only, then the end from the runs table.
        List<Client> late = new ArrayList<>();
        for (UUID run : runs) {
            late.add(connect(b.hub(), "after " + run, run, 0));
            late.add(connect(b.hub(), "after, afterSeq=" + N / 2 + " " + run, run, N / 2));
        }
        late.add(connect(b.hub(), "after, afterSeq=N", runs.get(1), N));
        awaitClosed(late);
        for (Client c : late) assertExact(c);

        OutputTopicFollower.Stats fs = b.follower().stats();
        assertTrue(writes.size() > WITHHELD_WRITE, "a write was withheld from the output topic: " + writes.size() + " writes");
        assertTrue(fs.handed() >= (long) RUNS * N / 2, "most entries came live through the follower: " + fs);
        assertTrue(fs.duplicates() > 0, "writes published twice and the record written again were dropped by the follower: " + fs);
        assertEquals(1, fs.malformed(), "the record without a run id key: " + fs);
        assertEquals(3, fs.partitions());
        assertTrue(b.hub().gapFills() > 0, "the withheld write reached the clients from PostgreSQL");
        assertEquals(0, b.hub().openSessions());
    }

    private static List<String> messagesOf(Recorder r) {
        List<String> out = new ArrayList<>();
        synchronized (r.frames) {
            for (Frame f : r.frames) if (f instanceof Frame.Logs l) for (EncodedEntry e : l.entries()) out.add(e.entry().message());
        }
        return out;
    }
}
