package org.phong.zenflow.logging.router;

import static org.junit.jupiter.api.Assertions.*;
import static org.phong.zenflow.logging.config.LoggingSettings.*;
import static org.phong.zenflow.logging.router.RouteResult.*;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.config.BackpressureStrategy;
import org.phong.zenflow.logging.stats.PipelineObserver.DropReason;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.ManualScheduler;
import org.phong.zenflow.logging.testing.TestSettings;

/** capacity 100, threshold 0.5 (50 entries), reserve 10, cooldown 1000 ms. */
class AdmissionControlTest {
    private final ManualScheduler clock = new ManualScheduler();
    private final UUID wfA = UUID.randomUUID();
    private final UUID wfB = UUID.randomUUID();

    private AdmissionControl control(BackpressureStrategy s) {
        return new AdmissionControl(TestSettings.of(QUEUE_CAPACITY, "100", BACKPRESSURE_THRESHOLD, "0.5",
                RESERVE_CAPACITY, "10", SOURCE_COOLDOWN_MS, "1000", BACKPRESSURE_STRATEGY, s.name()), clock);
    }

    private static RouteResult admit(AdmissionControl a, UUID wf, LogLevel level) {
        return a.admit(Entries.of(wf, level));
    }

    private static void fill(AdmissionControl a, UUID wf, LogLevel level, int n) {
        for (int i = 0; i < n; i++) assertEquals(ACCEPTED, admit(a, wf, level), "fill #" + i);
    }

    @ParameterizedTest
    @EnumSource(BackpressureStrategy.class)
    void belowThresholdEverythingIsAdmitted(BackpressureStrategy s) {
        AdmissionControl a = control(s);
        LogLevel[] levels = LogLevel.values();
        for (int i = 0; i < 50; i++) assertEquals(ACCEPTED, admit(a, i % 2 == 0 ? wfA : wfB, levels[i % 4]), "entry " + i);
        assertEquals(50, a.inFlight());
        assertEquals(0, a.droppedTotal());
        assertEquals(s, a.strategy());
        assertEquals(100, a.capacity());
    }

    @ParameterizedTest
    @EnumSource(BackpressureStrategy.class)
    void warnAndErrorAreNeverDroppedUseTheReserveThenAreRejected(BackpressureStrategy s) {
        AdmissionControl a = control(s);
        // one workflow floods WARN/ERROR up to capacity + reserve: all admitted, none dropped
        for (int i = 0; i < 110; i++) assertEquals(ACCEPTED, admit(a, wfA, i % 2 == 0 ? LogLevel.WARN : LogLevel.ERROR), "#" + i);
        assertEquals(REJECTED, admit(a, wfA, LogLevel.WARN));
        assertEquals(REJECTED, admit(a, wfB, LogLevel.ERROR));
        assertEquals(2, a.rejected());
        assertEquals(0, a.droppedTotal());
        // at capacity every DEBUG/INFO is dropped for CAPACITY, whatever the strategy
        assertEquals(DROPPED, admit(a, wfB, LogLevel.INFO));
        assertEquals(DROPPED, admit(a, wfB, LogLevel.DEBUG));
        assertEquals(1, a.dropped(DropReason.CAPACITY, LogLevel.INFO));
        assertEquals(1, a.dropped(DropReason.CAPACITY, LogLevel.DEBUG));
        assertEquals(110, a.inFlight());
        // release balances admission
        a.release(wfA, 110);
        assertEquals(0, a.inFlight());
        assertEquals(ACCEPTED, admit(a, wfB, LogLevel.DEBUG));
    }

    @ParameterizedTest
    @EnumSource(BackpressureStrategy.class)
    void warnAndErrorAreAdmittedBetweenThresholdAndCapacityEvenForAHeavyWorkflow(BackpressureStrategy s) {
        AdmissionControl a = control(s);
        fill(a, wfA, LogLevel.INFO, 45);
        fill(a, wfB, LogLevel.INFO, 5);
        for (int i = 0; i < 50; i++) assertEquals(ACCEPTED, admit(a, wfA, LogLevel.WARN));
        assertEquals(0, a.droppedTotal());
    }

    @Test
    void dropDebugFirst() {
        AdmissionControl a = control(BackpressureStrategy.DROP_DEBUG_FIRST);
        fill(a, wfA, LogLevel.DEBUG, 50);
        assertEquals(DROPPED, admit(a, wfA, LogLevel.DEBUG));
        assertEquals(1, a.dropped(DropReason.DEBUG_FIRST, LogLevel.DEBUG));
        fill(a, wfA, LogLevel.INFO, 50); // INFO admitted up to capacity
        assertEquals(100, a.inFlight());
        assertEquals(DROPPED, admit(a, wfA, LogLevel.INFO));
        assertEquals(DROPPED, admit(a, wfA, LogLevel.DEBUG));
        assertEquals(1, a.dropped(DropReason.CAPACITY, LogLevel.INFO));
        assertEquals(1, a.dropped(DropReason.CAPACITY, LogLevel.DEBUG));
        assertEquals(1, a.dropped(DropReason.DEBUG_FIRST, LogLevel.DEBUG));
        assertEquals(0, a.dropped(DropReason.DEBUG_FIRST, LogLevel.INFO));
        assertEquals(3, a.droppedTotal());
        assertEquals(ACCEPTED, admit(a, wfA, LogLevel.WARN));
        a.release(wfA, 52); // back to 49
        assertEquals(ACCEPTED, admit(a, wfA, LogLevel.DEBUG));
    }

    /** At a constant load, exactly (capacity - load) / (capacity - threshold) of DEBUG/INFO are kept. */
    private int keptOf100AtLoad(int load) {
        AdmissionControl a = control(BackpressureStrategy.SAMPLE_HIGH_VOLUME);
        fill(a, wfA, LogLevel.WARN, load);
        int kept = 0;
        for (int i = 0; i < 100; i++) {
            RouteResult r = admit(a, wfB, i % 2 == 0 ? LogLevel.INFO : LogLevel.DEBUG);
            if (r == ACCEPTED) {
                kept++;
                a.release(wfB, 1); // keep the load constant
            } else {
                assertEquals(DROPPED, r);
            }
        }
        DropReason reason = load >= 100 ? DropReason.CAPACITY : DropReason.SAMPLED;
        assertEquals(100 - kept, a.dropped(reason, LogLevel.INFO) + a.dropped(reason, LogLevel.DEBUG));
        assertEquals(100 - kept, a.droppedTotal());
        assertEquals(load, a.inFlight());
        return kept;
    }

    @Test
    void sampleHighVolumeKeepsAFractionFallingLinearly() {
        assertEquals(100, keptOf100AtLoad(0));
        assertEquals(100, keptOf100AtLoad(49));
        assertEquals(100, keptOf100AtLoad(50), 1);
        assertEquals(50, keptOf100AtLoad(75), 1);
        assertEquals(20, keptOf100AtLoad(90), 1);
        assertEquals(2, keptOf100AtLoad(99), 1);
        assertEquals(0, keptOf100AtLoad(100));
    }

    @Test
    void sampleHighVolumeIsDeterministic() {
        assertEquals(keptOf100AtLoad(83), keptOf100AtLoad(83));
    }

    @Test
    void shedLoadByWorkflowDropsOnlyTheWorkflowOverItsFairShare() {
        AdmissionControl a = control(BackpressureStrategy.SHED_LOAD_BY_WORKFLOW);
        fill(a, wfA, LogLevel.INFO, 40);
        fill(a, wfB, LogLevel.INFO, 10); // load 50 = threshold, fair share 25
        assertEquals(DROPPED, admit(a, wfA, LogLevel.INFO));
        assertEquals(DROPPED, admit(a, wfA, LogLevel.DEBUG));
        assertEquals(ACCEPTED, admit(a, wfB, LogLevel.INFO));
        assertEquals(ACCEPTED, admit(a, wfB, LogLevel.DEBUG));
        assertEquals(ACCEPTED, admit(a, UUID.randomUUID(), LogLevel.DEBUG), "a workflow with nothing in flight is under its share");
        assertEquals(1, a.dropped(DropReason.WORKFLOW_SHED, LogLevel.INFO));
        assertEquals(1, a.dropped(DropReason.WORKFLOW_SHED, LogLevel.DEBUG));
        // once A's entries are released it is admitted again
        a.release(wfA, 30);
        fill(a, wfB, LogLevel.WARN, 27); // load 50 again, A holds 10
        assertEquals(ACCEPTED, admit(a, wfA, LogLevel.INFO));
        // shedding is not a per-workflow cooldown: nothing remembered
        assertEquals(0, clock.pendingTasks());
    }

    @Test
    void circuitBreakSourcesKeepsATrippedWorkflowCutForTheCooldown() {
        AdmissionControl a = control(BackpressureStrategy.CIRCUIT_BREAK_SOURCES);
        fill(a, wfA, LogLevel.INFO, 40);
        fill(a, wfB, LogLevel.INFO, 10);
        assertEquals(DROPPED, admit(a, wfA, LogLevel.INFO)); // trips A's circuit at t=0
        assertEquals(ACCEPTED, admit(a, wfB, LogLevel.INFO));
        // A falls well under its share, the load stays above the threshold
        a.release(wfA, 35);
        fill(a, wfB, LogLevel.WARN, 34); // load 50, A 5, B 45
        clock.advance(999);
        assertEquals(DROPPED, admit(a, wfA, LogLevel.DEBUG), "still within cooldown");
        assertEquals(ACCEPTED, admit(a, wfA, LogLevel.WARN), "WARN passes an open circuit");
        assertEquals(2, a.dropped(DropReason.SOURCE_CIRCUIT_OPEN, LogLevel.INFO) + a.dropped(DropReason.SOURCE_CIRCUIT_OPEN, LogLevel.DEBUG));
        clock.advance(1);
        assertEquals(ACCEPTED, admit(a, wfA, LogLevel.INFO), "cooldown over and under its share");
    }

    @Test
    void circuitBreakSourcesCutsEvenBelowFairShareWhileOpen() {
        AdmissionControl a = control(BackpressureStrategy.CIRCUIT_BREAK_SOURCES);
        fill(a, wfA, LogLevel.INFO, 40);
        fill(a, wfB, LogLevel.INFO, 10);
        assertEquals(DROPPED, admit(a, wfA, LogLevel.INFO));
        a.release(wfA, 40); // A has nothing in flight
        fill(a, wfB, LogLevel.WARN, 40);
        assertEquals(DROPPED, admit(a, wfA, LogLevel.INFO));
        clock.advance(1000);
        assertEquals(ACCEPTED, admit(a, wfA, LogLevel.INFO));
    }

    @Test
    void hasRoomForCountsUpToTheThreshold() {
        AdmissionControl a = control(BackpressureStrategy.DROP_DEBUG_FIRST);
        assertTrue(a.hasRoomFor(50));
        assertFalse(a.hasRoomFor(51));
        fill(a, wfA, LogLevel.INFO, 10);
        assertTrue(a.hasRoomFor(40));
        assertFalse(a.hasRoomFor(41));
        a.release(wfA, 10);
        assertTrue(a.hasRoomFor(50));
    }
}
