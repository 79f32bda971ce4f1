package org.phong.zenflow.logging.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.testing.ManualExecutor;
import org.phong.zenflow.logging.testing.ManualScheduler;

/** A released run whose entries every durable sink has is forgotten (no tombstone); one not yet written keeps its tombstone. */
class ForgetPersistedRunsTest {
    private final ManualScheduler clock = new ManualScheduler();
    private final List<List<LogEntry>> out = new ArrayList<>();
    private final List<String> forgotten = new ArrayList<>();
    /** What the "database" answers: the last seq written. */
    private long lastSeqInDb;
    private final WorkflowBufferManager m = new WorkflowBufferManager(LoggingSettings.defaults(), b -> out.add(b.entries()), clock,
            r -> lastSeqInDb, ManualExecutor.DIRECT);
    private final UUID wf = UUID.randomUUID();
    private final UUID run = UUID.randomUUID();

    private void forgetting() {
        m.forgetPersistedRuns((r, last) -> forgotten.add(r + ":" + last));
    }

    private void append(int n) {
        for (int i = 0; i < n; i++) {
            m.append(LogEntry.builder().workflowId(wf).runId(run).nodeKey("n").level(LogLevel.INFO).message("m").build());
        }
    }

    @Test
    void aReleasedRunIsForgottenOnceItsLastEntryIsWrittenAndContinuesFromTheDatabase() {
        forgetting();
        m.start(wf, run);
        append(3);
        m.complete(run, RunOutcome.SUCCEEDED, last -> { });
        assertTrue(m.holds(run), "tombstone until written");
        m.persisted(run, 2);
        assertTrue(m.holds(run), "seq 3 is not written yet");
        assertEquals(List.of(), forgotten);
        m.persisted(run, 3);
        assertFalse(m.holds(run));
        assertEquals(List.of(run + ":3"), forgotten);
        assertEquals(WorkflowBufferManager.MemorySnapshot.State.UNKNOWN, m.snapshot(run, 0).state());

        lastSeqInDb = 3; // a late entry asks the database, which has everything
        append(1);
        m.flushAll();
        assertEquals(4, out.get(out.size() - 1).get(0).seq());
    }

    @Test
    void aRunWrittenBeforeItsReleaseLeavesNoTombstone() {
        forgetting();
        m.start(wf, run);
        append(2);
        m.flushAll();
        m.persisted(run, 2);
        assertEquals(List.of(), forgotten, "active runs are not forgotten");
        m.complete(run, RunOutcome.SUCCEEDED, last -> assertEquals(2, last));
        assertFalse(m.holds(run));
        assertEquals(List.of(run + ":2"), forgotten);
        assertEquals(Optional.empty(), m.lastSeq(run));
    }

    @Test
    void withoutTheDeclarationTombstonesStayUntilTheyExpire() {
        m.start(wf, run);
        append(2);
        m.complete(run, RunOutcome.SUCCEEDED, last -> { });
        m.persisted(run, 2);
        assertTrue(m.holds(run));
        assertEquals(Optional.of(2L), m.lastSeq(run));
    }
}
