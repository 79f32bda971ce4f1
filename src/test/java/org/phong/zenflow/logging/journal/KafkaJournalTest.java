package org.phong.zenflow.logging.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.KafkaSettings;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.degradation.DegradationLevel;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.sink.kafka.KafkaLogSink;
import org.phong.zenflow.logging.sink.kafka.KafkaSinkStats;
import org.phong.zenflow.logging.testing.CollectingSink;
import org.phong.zenflow.logging.testing.JournalFixtures;
import org.phong.zenflow.logging.testing.PipelineFixture;
import org.phong.zenflow.logging.testing.Entries;

/**
 * The Kafka sink in journal mode: a real pipeline with a real journal on temp files, a collecting durable
 * sink standing for PostgreSQL, and kafka-clients' MockProducer standing for the broker (a producer whose
 * sends are never completed is a dead broker). Timeouts are generous failure bounds, not timings.
 */
class KafkaJournalTest {
    private static final long WAIT_MS = 30_000;
    private static final JsonProvider JSON = JsonProvider.provider();

    @TempDir
    Path dir;
    private final PipelineFixture pipelines = new PipelineFixture();
    private final List<KafkaLogSink> sinks = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        pipelines.close();
        for (KafkaLogSink s : sinks) s.close(0);
    }

    /** A Kafka sink on MockProducers (autoComplete: a live broker; otherwise sends wait for completeNext). */
    private KafkaLogSink kafka(boolean autoComplete, int ring, long journalShare, List<MockProducer<byte[], byte[]>> producers) {
        Properties p = new Properties();
        p.setProperty(KafkaSettings.MAX_BACKLOG_ENTRIES, Integer.toString(ring));
        p.setProperty(KafkaSettings.RETRY_BACKOFF_MS, "1");
        p.setProperty(KafkaSettings.RETRY_MAX_BACKOFF_MS, "5");
        p.setProperty(KafkaSettings.CLOSE_TIMEOUT_MS, "0");
        p.setProperty(KafkaSettings.JOURNAL_MAX_BYTES, Long.toString(journalShare));
        KafkaLogSink s = KafkaLogSink.start(KafkaSettings.fromProperties(p), Thread::new, props -> {
            MockProducer<byte[], byte[]> m = new MockProducer<>(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
            producers.add(m);
            return m;
        }, Optional::empty, System::nanoTime);
        sinks.add(s);
        return s;
    }

    private LoggingPipeline pipeline(CollectingSink pg, KafkaLogSink kafka, long journalMax, long segment) {
        return pipelines.start(pipelines.builder(LoggingSettings.defaults(), List.of(pg, kafka))
                .journal(JournalFixtures.pipelineSettings(dir, journalMax, segment)));
    }

    /** One pipeline of a test: a collecting durable sink standing for PostgreSQL, the Kafka sink, the producers it made. */
    private record Rig(LoggingPipeline pipeline, CollectingSink pg, KafkaLogSink kafka, List<MockProducer<byte[], byte[]>> producers) {
    }

    /** A pipeline with a journal of {@code journalMax} bytes in {@code segment}-byte segments; see {@link #kafka}. */
    private Rig rig(boolean autoComplete, int ring, long journalShare, long journalMax, long segment) {
        List<MockProducer<byte[], byte[]>> producers = new CopyOnWriteArrayList<>();
        CollectingSink pg = CollectingSink.durable("pg");
        KafkaLogSink k = kafka(autoComplete, ring, journalShare, producers);
        return new Rig(pipeline(pg, k, journalMax, segment), pg, k, producers);
    }

    /** A fresh workflow and three fresh runs of it (see {@link #routeToThreeRuns}). */
    private record Traffic(UUID wf, List<UUID> runs) {
    }

    /** Routes {@code perRun} entries into each of three fresh runs of a fresh workflow, the runs taking turns. */
    private static Traffic routeToThreeRuns(LoggingPipeline p, int perRun) {
        Traffic t = new Traffic(UUID.randomUUID(), threeRuns());
        route(p, t.wf(), t.runs(), perRun, "");
        return t;
    }

    private static List<UUID> threeRuns() {
        return List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    }

    private static void await(String what, BooleanSupplier done) {
        Awaitility.await(what).atMost(Duration.ofMillis(WAIT_MS)).pollInterval(Duration.ofMillis(5))
                .until(done::getAsBoolean);
    }

    private static String key(ProducerRecord<byte[], byte[]> r) {
        JsonObject o = JSON.createReader(new StringReader(new String(r.value(), StandardCharsets.UTF_8))).readObject();
        return o.getString("runId") + "/" + o.getJsonNumber("seq").longValue();
    }

    /** Asserts each run's records are in strictly increasing seq order; returns run -> seqs. */
    private static Map<String, List<Long>> perRunInOrder(List<ProducerRecord<byte[], byte[]>> records) {
        Map<String, List<Long>> byRun = new HashMap<>();
        for (ProducerRecord<byte[], byte[]> r : records) {
            String[] k = key(r).split("/");
            List<Long> seqs = byRun.computeIfAbsent(k[0], x -> new ArrayList<>());
            long seq = Long.parseLong(k[1]);
            if (!seqs.isEmpty()) assertTrue(seq > seqs.get(seqs.size() - 1), "run " + k[0] + " reordered: " + seq + " after " + seqs);
            seqs.add(seq);
        }
        return byRun;
    }

    private static long savedKafkaPosition(Path dir) throws Exception {
        Path f = dir.resolve("positions.properties");
        if (!Files.exists(f)) return -1;
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(f)) {
            p.load(in);
        }
        String v = p.getProperty(KafkaLogSink.NAME);
        return v == null ? -1 : Long.parseLong(v);
    }

    private static void route(LoggingPipeline p, UUID wf, List<UUID> runs, int perRun, String pad) {
        for (int i = 0; i < perRun; i++) {
            for (UUID run : runs) assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, "m" + i + pad)));
        }
    }

    /** Acknowledges sends as they come until {@code expected} were sent and every one is acknowledged. */
    private static void completeAll(MockProducer<byte[], byte[]> m, int expected) {
        acknowledgeUntil(m, "all " + expected + " sends acknowledged", () -> m.history().size() >= expected);
    }

    /** Acknowledges every send until Kafka's position is at the journal's end: the sink has nothing left to send. */
    private static void drainToJournalEnd(MockProducer<byte[], byte[]> m, KafkaLogSink k) {
        acknowledgeUntil(m, "Kafka's position at the journal's end", () -> k.stats().journalBacklogBytes() == 0);
    }

    /** Acknowledges every send made so far, again and again, until {@code done}. */
    private static void acknowledgeUntil(MockProducer<byte[], byte[]> m, String what, BooleanSupplier done) {
        Awaitility.await(what).atMost(Duration.ofMillis(WAIT_MS))
                .pollInterval(Duration.ofMillis(1)).pollDelay(Duration.ZERO)
                .until(() -> {
                    while (m.completeNext()) {
                        // acknowledge everything sent so far
                    }
                    return done.getAsBoolean();
                });
    }

    @Test
    void aRestartReplaysToKafkaExactlyWhatItHadNotAcknowledgedInRunOrderAndPostgresIsUnaffected() throws Exception {
        Rig first = rig(false, 100_000, 1L << 30, 1L << 30, 1 << 20);
        Traffic sent = routeToThreeRuns(first.pipeline, 200);
        await("PostgreSQL has every entry while Kafka acknowledges nothing", () -> first.pg.entryCount() == 600);
        await("admission released", () -> first.pipeline.admission().inFlight() == 0);
        assertEquals(DegradationLevel.NORMAL, first.pipeline.degradation().evaluate().level());
        await("Kafka got every entry from the journal", () -> !first.producers.isEmpty() && first.producers.get(0).history().size() == 600);
        MockProducer<byte[], byte[]> m1 = first.producers.get(0);
        for (int i = 0; i < 250; i++) assertTrue(m1.completeNext());   // Kafka acknowledged 250, then the process dies
        await("250 acknowledged", () -> first.kafka.stats().ackedPosition() == 250);
        long acked = first.pipeline.journal().appendedPosition() - first.kafka.stats().journalBacklogBytes();
        await("the Kafka position saved", () -> {
            try {
                return savedKafkaPosition(dir) == acked;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        List<String> delivered = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : m1.history().subList(0, 250)) delivered.add(key(r));
        first.pipeline.journal().abandon();  // kill -9: nothing more written, nothing deleted
        pipelines.forget(first.pipeline);
        first.pipeline.shutdown(100);
        sinks.remove(first.kafka);
        first.kafka.close(0);

        Rig second = rig(true, 100_000, 1L << 30, 1L << 30, 1 << 20);
        await("the other 350 reach Kafka", () -> !second.producers.isEmpty() && second.producers.get(0).history().size() >= 350);
        // Nothing more may come once Kafka's position is at the journal's end (the broker acknowledges every send at once).
        // Its position is now the end of the old segment: the new segment's header is no backlog.
        await("caught up after the replay", () -> second.kafka.stats().journalBacklogBytes() == 0);
        List<ProducerRecord<byte[], byte[]>> again = second.producers.get(0).history();
        assertEquals(350, again.size(), "only what Kafka had not acknowledged");
        Set<String> all = new HashSet<>(delivered);
        for (ProducerRecord<byte[], byte[]> r : again) assertTrue(all.add(key(r)), "exactly once: " + key(r));
        assertEquals(600, all.size());
        List<ProducerRecord<byte[], byte[]>> both = new ArrayList<>(m1.history().subList(0, 250));
        both.addAll(again);
        Map<String, List<Long>> byRun = perRunInOrder(both);
        for (UUID run : sent.runs()) assertEquals(200, byRun.get(run.toString()).size());
        // new entries of the same runs come after the replayed ones
        route(second.pipeline, sent.wf(), sent.runs(), 10, "");
        await("new entries reach Kafka", () -> second.producers.get(0).history().size() == 380);
        List<ProducerRecord<byte[], byte[]>> after = new ArrayList<>(both);
        after.addAll(second.producers.get(0).history().subList(350, 380));
        for (List<Long> seqs : perRunInOrder(after).values()) assertEquals(210, seqs.size());
        await("the Kafka backlog in the journal is gone", () -> second.kafka.stats().journalBacklogBytes() == 0);
        assertEquals(0, second.kafka.stats().dropped());
        await("PostgreSQL path as usual", () -> second.pipeline.admission().inFlight() == 0 && second.pg.entryCount() >= 30);
    }

    @Test
    void aFullRingStopsTakingAndReadsForwardFromTheJournalWithoutDropping() throws Exception {
        Rig r = rig(false, 50, 1L << 30, 1L << 30, 1 << 20);
        routeToThreeRuns(r.pipeline, 300);
        await("PostgreSQL has every entry", () -> r.pg.entryCount() == 900);
        await("the ring is full", () -> !r.producers.isEmpty() && r.producers.get(0).history().size() == 50);
        // No signal tells "the sink stopped taking": the count must stay at 50 for a while (it never goes down).
        Awaitility.await("no more than the ring holds is taken").during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .untilAsserted(() -> assertEquals(50, r.producers.get(0).history().size(), "no more than the ring holds is taken"));
        assertEquals(50, r.kafka.stats().backlog());
        assertEquals(0, r.kafka.stats().dropped());
        assertTrue(r.kafka.stats().journalBacklogBytes() > 0);
        assertEquals(0, r.pipeline.admission().inFlight(), "Kafka holds no place in flight");
        assertEquals(DegradationLevel.NORMAL, r.pipeline.degradation().evaluate().level());

        completeAll(r.producers.get(0), 900);   // the broker takes them: the sink reads forward from the journal
        List<ProducerRecord<byte[], byte[]>> h = r.producers.get(0).history();
        assertEquals(900, h.size());
        Set<String> keys = new HashSet<>();
        for (ProducerRecord<byte[], byte[]> rec : h) assertTrue(keys.add(key(rec)), "once: " + key(rec));
        for (List<Long> seqs : perRunInOrder(h).values()) assertEquals(300, seqs.size());
        assertEquals(0, r.kafka.stats().dropped());
        await("acknowledged to the journal", () -> r.kafka.stats().journalBacklogBytes() == 0);
    }

    @Test
    void aDeadBrokerPastItsJournalShareMovesKafkasPositionCountsTheSkipAndNeverFillsTheJournal() throws Exception {
        long share = KafkaSettings.MIN_JOURNAL_MAX_BYTES;
        long journalMax = 4 * share;
        Rig r = rig(false, 100, share, journalMax, 64 * 1024);
        UUID wf = UUID.randomUUID();
        List<UUID> runs = threeRuns();
        String pad = " " + "x".repeat(1000);
        int perRun = 2000; // ~6 MB routed: 6 times Kafka's share, 1.5 times the whole journal
        long peakBytes = 0;
        for (int i = 0; i < perRun; i += 50) {
            for (int j = 0; j < 50; j++) {
                for (UUID run : runs) assertEquals(RouteResult.ACCEPTED, r.pipeline.router().route(Entries.info(wf, run, "m" + (i + j) + pad)));
            }
            int routed = (i + 50) * runs.size();
            // The journal holds about 4,000 of these entries: the test keeps PostgreSQL within 500 of the input.
            await("PostgreSQL keeps up", () -> r.pg.entryCount() >= routed - 500);
            peakBytes = Math.max(peakBytes, r.pipeline.journalStats().bytesOnDisk());
            Thread.sleep(2);
        }
        int total = perRun * runs.size();
        await("PostgreSQL has every entry", () -> r.pg.entryCount() == total);
        await("admission released", () -> r.pipeline.admission().inFlight() == 0);
        assertEquals(0, r.pipeline.journalStats().unjournaledEntries(), "the journal took every entry: never full");
        assertFalse(r.pipeline.journalStats().full());
        assertTrue(peakBytes < journalMax, "journal peak " + peakBytes + " of " + journalMax);
        assertEquals(DegradationLevel.NORMAL, r.pipeline.degradation().evaluate().level());
        KafkaSinkStats s = r.kafka.stats();
        assertTrue(s.journalSkipped() > 0, "Kafka's position jumped");
        assertEquals(s.journalSkipped(), s.dropped(), "skipped entries are counted as dropped");
        assertTrue(s.journalBacklogBytes() <= share + 64 * 1024, "backlog " + s.journalBacklogBytes());

        // the broker comes back: what Kafka gets is in run order, and got + skipped = everything
        long skippedBefore = s.journalSkipped();
        completeAll(r.producers.get(0), (int) (total - skippedBefore));
        // Anything sent beyond that (a duplicate) is in the history once Kafka's position is at the journal's end.
        drainToJournalEnd(r.producers.get(0), r.kafka);
        List<ProducerRecord<byte[], byte[]>> h = r.producers.get(0).history();
        perRunInOrder(h);
        Set<String> keys = new HashSet<>();
        for (ProducerRecord<byte[], byte[]> rec : h) assertTrue(keys.add(key(rec)), "once: " + key(rec));
        assertEquals(total, keys.size() + r.kafka.stats().journalSkipped());
        for (LogEntry e : r.pg.entries()) assertTrue(e.seq() >= 1 && e.seq() <= perRun);
    }
}
