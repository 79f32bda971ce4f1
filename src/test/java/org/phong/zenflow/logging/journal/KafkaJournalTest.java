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
        Awaitility.await("all " + expected + " sends acknowledged").atMost(Duration.ofMillis(WAIT_MS))
                .pollInterval(Duration.ofMillis(1)).pollDelay(Duration.ZERO)
                .until(() -> {
                    while (m.completeNext()) {
                        // acknowledge everything sent so far
                    }
                    return m.history().size() >= expected;
                });
    }

    /** Acknowledges every send until Kafka's position is at the journal's end: the sink has nothing left to send. */
    private static void drainToJournalEnd(MockProducer<byte[], byte[]> m, KafkaLogSink k) {
        Awaitility.await("Kafka's position at the journal's end").atMost(Duration.ofMillis(WAIT_MS))
                .pollInterval(Duration.ofMillis(1)).pollDelay(Duration.ZERO)
                .until(() -> {
                    while (m.completeNext()) {
                        // acknowledge everything sent so far
                    }
                    return k.stats().journalBacklogBytes() == 0;
                });
    }

    @Test
    void aRestartReplaysToKafkaExactlyWhatItHadNotAcknowledgedInRunOrderAndPostgresIsUnaffected() throws Exception {
        List<MockProducer<byte[], byte[]>> firstProducers = new CopyOnWriteArrayList<>();
        CollectingSink pg = CollectingSink.durable("pg");
        KafkaLogSink k1 = kafka(false, 100_000, 1L << 30, firstProducers);
        LoggingPipeline first = pipeline(pg, k1, 1L << 30, 1 << 20);
        UUID wf = UUID.randomUUID();
        List<UUID> runs = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        route(first, wf, runs, 200, "");
        await("PostgreSQL has every entry while Kafka acknowledges nothing", () -> pg.entryCount() == 600);
        await("admission released", () -> first.admission().inFlight() == 0);
        assertEquals(DegradationLevel.NORMAL, first.degradation().evaluate().level());
        await("Kafka got every entry from the journal", () -> !firstProducers.isEmpty() && firstProducers.get(0).history().size() == 600);
        MockProducer<byte[], byte[]> m1 = firstProducers.get(0);
        for (int i = 0; i < 250; i++) assertTrue(m1.completeNext());   // Kafka acknowledged 250, then the process dies
        await("250 acknowledged", () -> k1.stats().ackedPosition() == 250);
        long acked = first.journal().appendedPosition() - k1.stats().journalBacklogBytes();
        await("the Kafka position saved", () -> {
            try {
                return savedKafkaPosition(dir) == acked;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        List<String> delivered = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : m1.history().subList(0, 250)) delivered.add(key(r));
        first.journal().abandon();  // kill -9: nothing more written, nothing deleted
        pipelines.forget(first);
        first.shutdown(100);
        sinks.remove(k1);
        k1.close(0);

        List<MockProducer<byte[], byte[]>> secondProducers = new CopyOnWriteArrayList<>();
        CollectingSink pg2 = CollectingSink.durable("pg");
        KafkaLogSink k2 = kafka(true, 100_000, 1L << 30, secondProducers);
        LoggingPipeline second = pipeline(pg2, k2, 1L << 30, 1 << 20);
        await("the other 350 reach Kafka", () -> !secondProducers.isEmpty() && secondProducers.get(0).history().size() >= 350);
        // Nothing more may come once Kafka's position is at the journal's end (the broker acknowledges every send at once).
        // Its position is now the end of the old segment: the new segment's header is no backlog.
        await("caught up after the replay", () -> k2.stats().journalBacklogBytes() == 0);
        List<ProducerRecord<byte[], byte[]>> again = secondProducers.get(0).history();
        assertEquals(350, again.size(), "only what Kafka had not acknowledged");
        Set<String> all = new HashSet<>(delivered);
        for (ProducerRecord<byte[], byte[]> r : again) assertTrue(all.add(key(r)), "exactly once: " + key(r));
        assertEquals(600, all.size());
        List<ProducerRecord<byte[], byte[]>> both = new ArrayList<>(m1.history().subList(0, 250));
        both.addAll(again);
        Map<String, List<Long>> byRun = perRunInOrder(both);
        for (UUID run : runs) assertEquals(200, byRun.get(run.toString()).size());
        // new entries of the same runs come after the replayed ones
        route(second, wf, runs, 10, "");
        await("new entries reach Kafka", () -> secondProducers.get(0).history().size() == 380);
        List<ProducerRecord<byte[], byte[]>> after = new ArrayList<>(both);
        after.addAll(secondProducers.get(0).history().subList(350, 380));
        for (List<Long> seqs : perRunInOrder(after).values()) assertEquals(210, seqs.size());
        await("the Kafka backlog in the journal is gone", () -> k2.stats().journalBacklogBytes() == 0);
        assertEquals(0, k2.stats().dropped());
        await("PostgreSQL path as usual", () -> second.admission().inFlight() == 0 && pg2.entryCount() >= 30);
    }

    @Test
    void aFullRingStopsTakingAndReadsForwardFromTheJournalWithoutDropping() throws Exception {
        List<MockProducer<byte[], byte[]>> producers = new CopyOnWriteArrayList<>();
        CollectingSink pg = CollectingSink.durable("pg");
        KafkaLogSink k = kafka(false, 50, 1L << 30, producers);
        LoggingPipeline p = pipeline(pg, k, 1L << 30, 1 << 20);
        UUID wf = UUID.randomUUID();
        List<UUID> runs = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        route(p, wf, runs, 300, "");
        await("PostgreSQL has every entry", () -> pg.entryCount() == 900);
        await("the ring is full", () -> !producers.isEmpty() && producers.get(0).history().size() == 50);
        // No signal tells "the sink stopped taking": the count must stay at 50 for a while (it never goes down).
        Awaitility.await("no more than the ring holds is taken").during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .untilAsserted(() -> assertEquals(50, producers.get(0).history().size(), "no more than the ring holds is taken"));
        assertEquals(50, k.stats().backlog());
        assertEquals(0, k.stats().dropped());
        assertTrue(k.stats().journalBacklogBytes() > 0);
        assertEquals(0, p.admission().inFlight(), "Kafka holds no place in flight");
        assertEquals(DegradationLevel.NORMAL, p.degradation().evaluate().level());

        completeAll(producers.get(0), 900);   // the broker takes them: the sink reads forward from the journal
        List<ProducerRecord<byte[], byte[]>> h = producers.get(0).history();
        assertEquals(900, h.size());
        Set<String> keys = new HashSet<>();
        for (ProducerRecord<byte[], byte[]> r : h) assertTrue(keys.add(key(r)), "once: " + key(r));
        for (List<Long> seqs : perRunInOrder(h).values()) assertEquals(300, seqs.size());
        assertEquals(0, k.stats().dropped());
        await("acknowledged to the journal", () -> k.stats().journalBacklogBytes() == 0);
    }

    @Test
    void aDeadBrokerPastItsJournalShareMovesKafkasPositionCountsTheSkipAndNeverFillsTheJournal() throws Exception {
        List<MockProducer<byte[], byte[]>> producers = new CopyOnWriteArrayList<>();
        CollectingSink pg = CollectingSink.durable("pg");
        long share = KafkaSettings.MIN_JOURNAL_MAX_BYTES;
        long journalMax = 4 * share;
        KafkaLogSink k = kafka(false, 100, share, producers);
        LoggingPipeline p = pipeline(pg, k, journalMax, 64 * 1024);
        UUID wf = UUID.randomUUID();
        List<UUID> runs = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        String pad = " " + "x".repeat(1000);
        int perRun = 2000; // ~6 MB routed: 6 times Kafka's share, 1.5 times the whole journal
        long peakBytes = 0;
        for (int i = 0; i < perRun; i += 50) {
            for (int j = 0; j < 50; j++) {
                for (UUID run : runs) assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, "m" + (i + j) + pad)));
            }
            int routed = (i + 50) * runs.size();
            // The journal holds about 4,000 of these entries: the test keeps PostgreSQL within 500 of the input.
            await("PostgreSQL keeps up", () -> pg.entryCount() >= routed - 500);
            peakBytes = Math.max(peakBytes, p.journalStats().bytesOnDisk());
            Thread.sleep(2);
        }
        int total = perRun * runs.size();
        await("PostgreSQL has every entry", () -> pg.entryCount() == total);
        await("admission released", () -> p.admission().inFlight() == 0);
        assertEquals(0, p.journalStats().unjournaledEntries(), "the journal took every entry: never full");
        assertFalse(p.journalStats().full());
        assertTrue(peakBytes < journalMax, "journal peak " + peakBytes + " of " + journalMax);
        assertEquals(DegradationLevel.NORMAL, p.degradation().evaluate().level());
        KafkaSinkStats s = k.stats();
        assertTrue(s.journalSkipped() > 0, "Kafka's position jumped");
        assertEquals(s.journalSkipped(), s.dropped(), "skipped entries are counted as dropped");
        assertTrue(s.journalBacklogBytes() <= share + 64 * 1024, "backlog " + s.journalBacklogBytes());

        // the broker comes back: what Kafka gets is in run order, and got + skipped = everything
        long skippedBefore = s.journalSkipped();
        completeAll(producers.get(0), (int) (total - skippedBefore));
        // Anything sent beyond that (a duplicate) is in the history once Kafka's position is at the journal's end.
        drainToJournalEnd(producers.get(0), k);
        List<ProducerRecord<byte[], byte[]>> h = producers.get(0).history();
        perRunInOrder(h);
        Set<String> keys = new HashSet<>();
        for (ProducerRecord<byte[], byte[]> r : h) assertTrue(keys.add(key(r)), "once: " + key(r));
        assertEquals(total, keys.size() + k.stats().journalSkipped());
        for (LogEntry e : pg.entries()) assertTrue(e.seq() >= 1 && e.seq() <= perRun);
    }
}
