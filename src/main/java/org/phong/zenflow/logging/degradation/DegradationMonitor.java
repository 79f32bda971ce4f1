package org.phong.zenflow.logging.degradation;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.config.DegradationSettings;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * The state machine of package-info: evaluates the conditions, swaps the immutable state, logs each
 * level change once, and applies level 4's measures (sampling at the router, smaller rings).
 */
public final class DegradationMonitor implements LogRouter.Sampler {
    private static final Logger LOG = Logger.getLogger(DegradationMonitor.class.getName());

    private final DegradationSettings settings;
    private final Scheduler scheduler;
    private final MemoryProbe memory;
    private final BooleanSupplier databaseFailing;
    private final BooleanSupplier journalUnavailable;
    private final WorkflowBufferManager buffers;
    private final int normalRing;
    private final AtomicReference<DegradationState> state;
    private final AtomicLong sampleCounter = new AtomicLong();
    private final LongAdder sampledOut = new LongAdder();
    private final AtomicLong transitions = new AtomicLong();
    private volatile boolean running;
    private volatile Scheduler.Cancellable tick;

    /**
     * @param settings           interval, watermarks, sampling, ring size under pressure
     * @param scheduler          the shared timer and clock
     * @param memory             the heap probe
     * @param databaseFailing    true while a durable sink fails
     * @param journalUnavailable true while the journal is failed or full
     * @param buffers            whose rings shrink under memory pressure
     * @param normalRing         the ring size outside memory pressure
     */
    public DegradationMonitor(DegradationSettings settings, Scheduler scheduler, MemoryProbe memory,
                              BooleanSupplier databaseFailing, BooleanSupplier journalUnavailable,
                              WorkflowBufferManager buffers, int normalRing) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.memory = memory;
        this.databaseFailing = databaseFailing;
        this.journalUnavailable = journalUnavailable;
        this.buffers = buffers;
        this.normalRing = normalRing;
        this.state = new AtomicReference<>(DegradationState.initial(scheduler.nowMillis()));
    }

    /** Starts the periodic evaluation. */
    public void start() {
        running = true;
        schedule();
    }

    /** Stops it. */
    public void stop() {
        running = false;
        Scheduler.Cancellable t = tick;
        if (t != null) t.cancel();
    }

    private void schedule() {
        if (!running) return;
        tick = scheduler.schedule(() -> {
            try {
                evaluate();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Degradation evaluation failed", e);
            } finally {
                schedule();
            }
        }, settings.checkIntervalMs());
    }

    /**
     * Reads the conditions and moves the machine. Safe from any thread; concurrent evaluations
     * settle on one state and only the winner of a level change logs it.
     *
     * @return the state in force after this evaluation
     */
    public DegradationState evaluate() {
        while (true) {
            DegradationState before = state.get();
            double heap = memory.heapFraction();
            boolean pressure = before.memoryPressure() ? heap >= settings.memoryLow() : heap >= settings.memoryHigh();
            boolean db = databaseFailing.getAsBoolean();
            boolean journal = journalUnavailable.getAsBoolean();
            DegradationLevel level = pressure ? DegradationLevel.MEMORY_PRESSURE
                    : journal ? DegradationLevel.JOURNAL_UNAVAILABLE
                    : db ? DegradationLevel.DATABASE_FAILING
                    : DegradationLevel.NORMAL;
            String reason = reason(db, journal, pressure, heap);
            long since = level == before.level() ? before.sinceMs() : scheduler.nowMillis();
            DegradationState after = new DegradationState(level, db, journal, pressure, heap, reason, since);
            if (!state.compareAndSet(before, after)) continue;
            if (before.memoryPressure() != pressure) buffers.ringLimit(pressure ? settings.pressureRingSize() : normalRing);
            if (before.level() != level) {
                transitions.incrementAndGet();
                Level logLevel = level == DegradationLevel.NORMAL ? Level.INFO : Level.WARNING;
                LOG.log(logLevel, "Degradation level " + before.level().number() + " (" + before.level() + ") -> "
                        + level.number() + " (" + level + ")" + (reason.isEmpty() ? "" : ": " + reason)
                        + " after " + (scheduler.nowMillis() - before.sinceMs()) + " ms");
            }
            return after;
        }
    }

    private String reason(boolean db, boolean journal, boolean pressure, double heap) {
        StringBuilder b = new StringBuilder();
        if (pressure) {
            b.append(String.format("heap %.0f%% used (high watermark %.0f%%): DEBUG/INFO sampled 1 in %d, rings at %d; ",
                    heap * 100, settings.memoryHigh() * 100, settings.sampleKeepEvery(), settings.pressureRingSize()));
        }
        if (journal) b.append("journal unavailable or full: entries are in memory only; ");
        if (db) b.append("a durable sink is failing: entries wait in the journal and in flight; ");
        return b.toString().trim();
    }

    /** Level 4's sampling: keeps every WARN/ERROR and one DEBUG/INFO of sample-keep-every. */
    @Override
    public boolean keep(LogEntry e) {
        if (!state.get().memoryPressure() || !e.level().isSheddable()) return true;
        if (sampleCounter.getAndIncrement() % settings.sampleKeepEvery() == 0) return true;
        sampledOut.increment();
        return false;
    }

    /** @return the state in force */
    public DegradationState state() {
        return state.get();
    }

    /** @return DEBUG/INFO entries sampled out under memory pressure since start */
    public long sampledOut() {
        return sampledOut.sum();
    }

    /** @return level changes since start */
    public long transitions() {
        return transitions.get();
    }
}
