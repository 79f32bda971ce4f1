package org.phong.zenflow.logging.journal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.degradation.DegradationLevel;
import org.phong.zenflow.logging.router.RouteResult;
import org.phong.zenflow.logging.testing.CollectingSink;
import org.phong.zenflow.logging.testing.JournalFixtures;
import org.phong.zenflow.logging.testing.PipelineFixture;
import org.phong.zenflow.logging.testing.Entries;

/**
 * The pipeline with its journal on real threads and real files: the durability waits, a crash and
 * restart that replays exactly the entries the sink did not have, and a journal that cannot be
 * written (level 3, entries still delivered). Timeouts here are generous failure bounds, not timings.
 */
class JournaledPipelineTest {
    private static final long WAIT_S = 20;

    @TempDir
    Path dir;
    private final PipelineFixture pipelines = new PipelineFixture();

    @AfterEach
    void stop() throws InterruptedException {
        pipelines.close();
    }

    private LoggingPipeline pipeline(CollectingSink sink, Path journalDir, long lastSeqInDb) {
        return pipelines.start(pipelines.builder(LoggingSettings.defaults(), List.of(sink))
                .sequenceLookup(run -> lastSeqInDb)
                .journal(JournalFixtures.pipelineSettings(journalDir, JournalFixtures.ROOMY, 1 << 20)));
    }

    @Test
    void durableInTheJournalDoesNotWaitForTheSinkButPersistedDoes() throws Exception {
        CollectingSink sink = CollectingSink.durable("pg").block();
        LoggingPipeline p = pipeline(sink, dir, 0);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        for (int i = 0; i < 50; i++) assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, "m" + i)));
        assertEquals(50L, p.durability().whenRunDurable(run).get(WAIT_S, TimeUnit.SECONDS));
        CompletableFuture<Long> persisted = p.durability().whenRunPersisted(run);
        assertTrue(sink.awaitEntered(TimeUnit.SECONDS.toMillis(WAIT_S)), "the wait flushed the run's batch");
        assertFalse(persisted.isDone(), "the sink holds the batch");
        sink.unblock();
        assertEquals(50L, persisted.get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(50, sink.entryCount());
        assertEquals(51L, p.durability().routeDurably(Entries.info(wf, run, "one more")).get(WAIT_S, TimeUnit.SECONDS));
    }

    @Test
    void aCrashLosesNothingDurableAndTheRestartReplaysItOnceAndContinuesTheSeq() throws Exception {
        CollectingSink down = CollectingSink.durable("pg").failAlways(true);
        LoggingPipeline first = pipeline(down, dir, 0);
        UUID wf = UUID.randomUUID();
        List<UUID> runs = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        for (int i = 0; i < 200; i++) for (UUID run : runs) first.router().route(Entries.info(wf, run, "m" + i));
        for (UUID run : runs) assertEquals(200L, first.durability().whenRunDurable(run).get(WAIT_S, TimeUnit.SECONDS));
        first.journal().abandon(); // the process dies: nothing more is written, the lock is gone
        pipelines.forget(first);
        first.shutdown(100);

        CollectingSink up = CollectingSink.durable("pg");
        LoggingPipeline second = pipeline(up, dir, 0);
        assertEquals(600, second.recoveryReport().toReplay());
        await("the replay reaches the sink").atMost(Duration.ofSeconds(WAIT_S)).until(() -> up.entryCount() >= 600);
        Set<String> keys = new HashSet<>();
        for (LogEntry e : up.entries()) assertTrue(keys.add(e.runId() + "/" + e.seq()), "once: " + e);
        assertEquals(600, keys.size());
        for (UUID run : runs) for (int s = 1; s <= 200; s++) assertTrue(keys.contains(run + "/" + s));
        assertEquals(0, second.admission().inFlight(), "replayed entries hold no place in flight");

        // the database (lookup) knows nothing yet, the journal does: the run continues at 201
        assertEquals(201L, second.durability().routeDurably(Entries.info(wf, runs.get(0), "after restart"))
                .get(WAIT_S, TimeUnit.SECONDS));
        // and once the sink has passed the old segments they are deleted
        await("the sink passes the old segments").atMost(Duration.ofSeconds(WAIT_S))
                .until(() -> second.journalStats().sinkBacklogEntries().get("pg") == 0);
    }

    @Test
    void anUnwritableJournalIsLevelThreeAndEntriesStillReachTheSink() throws Exception {
        Path blocked = dir.resolve("not-a-dir");
        Files.writeString(blocked, "x");
        CollectingSink sink = CollectingSink.durable("pg");
        LoggingPipeline p = pipeline(sink, blocked, 0);
        assertEquals(DegradationLevel.JOURNAL_UNAVAILABLE, p.degradation().evaluate().level());
        assertTrue(p.journalStats().problem().contains(blocked.toString()), p.journalStats().problem());
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        for (int i = 0; i < 10; i++) assertEquals(RouteResult.ACCEPTED, p.router().route(Entries.info(wf, run, "m" + i)));
        // "durable" falls back to "in the sink" when the journal cannot promise it
        assertEquals(10L, p.durability().whenRunDurable(run).get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(10, sink.entryCount());
        assertEquals(10, p.journalStats().unjournaledEntries());

        Files.delete(blocked); // the operator fixes the directory: the retry picks it up
        await("the journal is writable again").atMost(Duration.ofSeconds(WAIT_S)).until(() -> p.journalStats().available());
        assertEquals(DegradationLevel.NORMAL, p.degradation().evaluate().level());
    }
}
