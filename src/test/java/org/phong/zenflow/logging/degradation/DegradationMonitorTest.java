package org.phong.zenflow.logging.degradation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.config.DegradationSettings;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.ManualExecutor;
import org.phong.zenflow.logging.testing.ManualScheduler;

/** The state machine with injected conditions and heap: levels, precedence, hysteresis, level 4's measures. */
class DegradationMonitorTest {
    private final ManualScheduler clock = new ManualScheduler();
    private final AtomicBoolean db = new AtomicBoolean();
    private final AtomicBoolean journal = new AtomicBoolean();
    private final AtomicReference<Double> heap = new AtomicReference<>(0.5);
    private final LoggingSettings settings = LoggingSettings.defaults();
    private final WorkflowBufferManager buffers = new WorkflowBufferManager(settings, b -> { }, clock, r -> 0, ManualExecutor.DIRECT);
    private final DegradationSettings ds = new DegradationSettings(500, 0.9, 0.75, 10, 20);
    private final DegradationMonitor m = new DegradationMonitor(ds, clock, heap::get, db::get, journal::get, buffers,
            settings.ringBufferSize());

    @Test
    void theMostSevereConditionSetsTheLevelAndRecoveryIsAutomatic() {
        assertEquals(DegradationLevel.NORMAL, m.evaluate().level());
        db.set(true);
        assertEquals(DegradationLevel.DATABASE_FAILING, m.evaluate().level());
        journal.set(true);
        assertEquals(DegradationLevel.JOURNAL_UNAVAILABLE, m.evaluate().level());
        heap.set(0.95);
        DegradationState s = m.evaluate();
        assertEquals(DegradationLevel.MEMORY_PRESSURE, s.level());
        assertEquals(4, s.level().number());
        assertTrue(s.databaseFailing() && s.journalUnavailable() && s.memoryPressure());
        heap.set(0.5);
        journal.set(false);
        db.set(false);
        assertEquals(DegradationLevel.NORMAL, m.evaluate().level());
        assertEquals(4, m.transitions());
        assertEquals(4, m.evaluate().level() == DegradationLevel.NORMAL ? m.transitions() : -1, "no transition without a change");
    }

    @Test
    void memoryPressureHasHysteresis() {
        heap.set(0.85);
        assertFalse(m.evaluate().memoryPressure(), "below the high watermark");
        heap.set(0.9);
        assertTrue(m.evaluate().memoryPressure());
        heap.set(0.8);
        assertTrue(m.evaluate().memoryPressure(), "still above the low watermark");
        heap.set(0.7);
        assertFalse(m.evaluate().memoryPressure());
    }

    @Test
    void levelFourSamplesDebugAndInfoButNeverWarnOrErrorAndShrinksRings() {
        UUID wf = UUID.randomUUID();
        for (int i = 0; i < 100; i++) assertTrue(m.keep(Entries.of(wf, LogLevel.DEBUG)), "no sampling at level 1");
        heap.set(0.95);
        m.evaluate();
        assertEquals(20, buffers.ringLimit());
        int kept = 0;
        for (int i = 0; i < 1000; i++) if (m.keep(Entries.of(wf, i % 2 == 0 ? LogLevel.DEBUG : LogLevel.INFO))) kept++;
        assertEquals(100, kept, "one in sample-keep-every");
        assertEquals(900, m.sampledOut());
        for (int i = 0; i < 1000; i++) {
            assertTrue(m.keep(Entries.of(wf, LogLevel.WARN)));
            assertTrue(m.keep(Entries.of(wf, LogLevel.ERROR)));
        }
        heap.set(0.5);
        m.evaluate();
        assertEquals(settings.ringBufferSize(), buffers.ringLimit(), "rings back to normal");
        assertTrue(m.keep(Entries.of(wf, LogLevel.DEBUG)));
    }

    @Test
    void thePeriodicCheckRunsOnTheSharedScheduler() {
        m.start();
        db.set(true);
        clock.advance(499);
        assertEquals(DegradationLevel.NORMAL, m.state().level());
        clock.advance(1);
        assertEquals(DegradationLevel.DATABASE_FAILING, m.state().level());
        m.stop();
    }
}
