package org.phong.zenflow.logging.health;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.config.ObservabilitySettings;
import org.phong.zenflow.logging.testing.ManualExecutor;
import org.phong.zenflow.logging.testing.ManualScheduler;

/** The background probe and heartbeat with a manual clock and a manual executor (probes run when the test says). */
class HealthMonitorTest {
    private static final long INTERVAL = 1000;
    private static final long TIMEOUT = 300;
    private final ManualScheduler clock = new ManualScheduler();
    private final ManualExecutor executor = new ManualExecutor();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final HealthMonitor monitor = new HealthMonitor(() -> {
        Exception e = failure.get();
        if (e != null) throw e;
    }, clock, executor, new ObservabilitySettings(64, 0.9, INTERVAL, TIMEOUT, 3));

    @Test
    void unreachableUntilTheFirstProbeAnswersThenFollowsEachProbe() {
        monitor.start();
        clock.runDue();
        assertFalse(monitor.database().reachable());
        assertTrue(monitor.database().reason().contains("not been probed"));
        executor.runAll();
        assertTrue(monitor.database().reachable());
        assertTrue(monitor.probedOnce());

        failure.set(new java.sql.SQLException("Connection refused"));
        clock.advance(INTERVAL);
        executor.runAll();
        assertFalse(monitor.database().reachable());
        assertTrue(monitor.database().reason().contains("Connection refused"), monitor.database().reason());

        failure.set(null);
        clock.advance(INTERVAL);
        executor.runAll();
        assertTrue(monitor.database().reachable());
    }

    @Test
    void aProbeThatHangsPastTheTimeoutMeansUnreachableAndNoSecondProbeIsStacked() {
        monitor.start();
        clock.runDue();
        executor.runAll();
        assertTrue(monitor.database().reachable());
        clock.advance(INTERVAL); // a probe is submitted and never runs: a hung database
        assertEquals(1, executor.queued());
        clock.advance(TIMEOUT - 1);
        assertTrue(monitor.database().reachable(), "not overdue yet");
        clock.advance(2);
        assertFalse(monitor.database().reachable());
        assertTrue(monitor.database().reason().contains("has not answered a probe"), monitor.database().reason());
        clock.advance(5 * INTERVAL);
        assertEquals(1, executor.queued(), "ticks do not stack probes behind a hung one");
        assertEquals(-1, monitor.schedulerStalledForMs(), "ticks still beat while the probe hangs");
    }

    @Test
    void theSchedulerIsStalledWhenTicksStopArriving() {
        monitor.start();
        clock.advance(10 * INTERVAL);
        assertEquals(-1, monitor.schedulerStalledForMs(), "a scheduler that runs the ticks is alive");
        // A scheduler whose threads are gone: it takes tasks and never runs them.
        HealthMonitor deaf = new HealthMonitor(() -> { }, new DeafScheduler(clock), executor,
                new ObservabilitySettings(64, 0.9, INTERVAL, TIMEOUT, 3));
        deaf.start();
        clock.advance(3 * INTERVAL);
        assertEquals(-1, deaf.schedulerStalledForMs(), "three beats missed is the bound, not past it");
        clock.advance(1);
        assertEquals(3 * INTERVAL + 1, deaf.schedulerStalledForMs());
        assertEquals(3 * INTERVAL, deaf.stallBoundMs());
    }

    /** Reads time from a manual clock but never runs what it is given: a scheduler whose threads are gone. */
    private record DeafScheduler(ManualScheduler clock) implements org.phong.zenflow.logging.time.Scheduler {
        @Override public long nowMillis() { return clock.nowMillis(); }
        @Override public java.time.Instant wallClock() { return clock.wallClock(); }
        @Override public Cancellable schedule(Runnable task, long delayMillis) { return () -> { }; }
    }

    @Test
    void heapUsageIsAFractionOfTheMaximum() {
        HeapUsage h = new HeapUsage(950, 1000);
        assertTrue(h.above(0.9));
        assertFalse(new HeapUsage(900, 1000).above(0.9));
        assertEquals(0, new HeapUsage(5, -1).fraction());
        HeapUsage now = HeapUsage.now();
        assertTrue(now.maxBytes() > 0 && now.usedBytes() > 0 && now.usedBytes() <= now.maxBytes(), now.toString());
    }
}
