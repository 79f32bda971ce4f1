package org.phong.zenflow.logging.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.testing.ManualScheduler;
import org.phong.zenflow.logging.testing.TestSettings;

/** The memory estimate follows what the buffers hold and falls back to zero when runs end. */
class WorkflowBufferManagerMemoryTest {

    @Test
    void estimateGrowsWithBufferedEntriesNamesTheLargestRunAndDropsWhenRunsComplete() {
        LoggingSettings s = TestSettings.of(LoggingSettings.DEFAULT_BATCH_SIZE, "1000", LoggingSettings.MAX_BATCH_SIZE, "1000",
                LoggingSettings.RING_BUFFER_SIZE, "10");
        ManualScheduler clock = new ManualScheduler();
        List<List<LogEntry>> out = new ArrayList<>();
        WorkflowBufferManager m = new WorkflowBufferManager(s, b -> out.add(b.entries()), clock, r -> 0, Runnable::run);
        assertEquals(0, m.estimateMemory().totalBytes());

        UUID wf = UUID.randomUUID();
        UUID small = UUID.randomUUID();
        UUID big = UUID.randomUUID();
        m.start(wf, small);
        m.start(wf, big);
        m.snapshot(big, 0); // watched: it keeps a ring
        for (int i = 0; i < 5; i++) m.append(entry(wf, small, "x".repeat(100)));
        for (int i = 0; i < 50; i++) m.append(entry(wf, big, "y".repeat(1000)));

        WorkflowBufferManager.MemoryEstimate e = m.estimateMemory();
        assertEquals(big, e.largestRun());
        // 50 pending + 10 in the ring, each at least its 1,000-char message.
        assertTrue(e.largestRunBytes() >= 60 * 1000, e.toString());
        assertTrue(e.totalBytes() > e.largestRunBytes(), e.toString());

        long[] last = new long[1];
        m.complete(big, RunOutcome.SUCCEEDED, v -> last[0] = v);
        m.complete(small, RunOutcome.SUCCEEDED, v -> last[0] = v);
        assertEquals(0, m.estimateMemory().totalBytes(), "released runs hold nothing");
    }

    private static LogEntry entry(UUID wf, UUID run, String message) {
        return LogEntry.builder().workflowId(wf).runId(run).nodeKey("n").level(LogLevel.INFO).message(message).build();
    }
}
