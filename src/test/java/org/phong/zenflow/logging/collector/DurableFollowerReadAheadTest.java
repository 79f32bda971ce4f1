package org.phong.zenflow.logging.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.journal.Journal;
import org.phong.zenflow.logging.journal.JournalTail;
import org.phong.zenflow.logging.stats.PipelineObserver;
import org.phong.zenflow.logging.testing.JournalFixtures;
import org.phong.zenflow.logging.time.ExecutorScheduler;

/**
 * The follower reads and decodes the next batch while the sink writes the current one, and the overlap
 * changes nothing of what is written: every entry once, in journal order, each batch acknowledged only once
 * stored. Real journal files and threads; the waits are failure bounds, not timings.
 */
class DurableFollowerReadAheadTest {
    private static final int BATCH = 10;

    @TempDir
    Path dir;

    @Test
    void theNextBatchIsReadWhileTheSinkWritesAndEverythingIsWrittenOnceInOrder() throws Exception {
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        Journal journal = JournalFixtures.journal(JournalFixtures.settings(dir, JournalFixtures.SMALL_SEGMENT, JournalFixtures.ROOMY,
                FsyncPolicy.INTERVAL), new ExecutorScheduler(timer), JournalFixtures.DATABASE);
        JournalFixtures.recover(journal);
        journal.start();
        List<LogEntry> in = JournalFixtures.entries(UUID.randomUUID(), UUID.randomUUID(), 3 * BATCH);
        in.forEach(journal::append);
        journal.whenDurable(journal.appendedPosition()).get(10, TimeUnit.SECONDS);
        JournalTail tail = journal.tail(JournalFixtures.DATABASE);

        List<List<LogEntry>> written = new CopyOnWriteArrayList<>();
        List<Long> cursorWhileWriting = new CopyOnWriteArrayList<>();
        List<Long> acknowledgedWhileWriting = new CopyOnWriteArrayList<>();
        LogSink sink = new LogSink() {
            @Override
            public String name() {
                return JournalFixtures.DATABASE;
            }

            @Override
            public boolean isHealthy() {
                return true;
            }

            @Override
            public int maxBatchEntries() {
                return BATCH;
            }

            @Override
            public void process(List<LogEntry> batch) {
                acknowledgedWhileWriting.add(tail.position());
                if (written.isEmpty()) {
                    // Held until the reader has read the second batch: without the read ahead, never.
                    long before = tail.cursor();
                    try {
                        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> tail.cursor() > before);
                    } catch (ConditionTimeoutException e) {
                        cursorWhileWriting.add(-1L);
                    }
                }
                cursorWhileWriting.add(tail.cursor());
                written.add(new ArrayList<>(batch));
            }
        };
        DurableFollower f = new DurableFollower(sink, tail, 10, 50, Thread::new, PipelineObserver.NONE, batch -> { });
        f.start();
        try {
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(f::caughtUp);
        } finally {
            f.stop(1_000);
            journal.close();
            timer.shutdownNow();
        }
        assertTrue(!cursorWhileWriting.contains(-1L), "the second batch was read while the first was written: " + cursorWhileWriting);
        assertEquals(in, written.stream().flatMap(List::stream).toList(), "every entry once, in journal order");
        assertEquals(3, written.size(), "batches of " + BATCH);
        for (int i = 1; i < acknowledgedWhileWriting.size(); i++) {
            assertTrue(acknowledgedWhileWriting.get(i) > acknowledgedWhileWriting.get(i - 1),
                    "a batch is acknowledged once stored, before the next is written: " + acknowledgedWhileWriting);
        }
        assertEquals(journal.appendedPosition(), tail.position(), "everything acknowledged");
    }
}
