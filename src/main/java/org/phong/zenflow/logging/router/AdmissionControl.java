package org.phong.zenflow.logging.router;

import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.config.BackpressureStrategy;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.stats.PipelineObserver;
import org.phong.zenflow.logging.stats.PipelineObserver.DropReason;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * Decides, on the caller's thread and without I/O, whether an entry enters the pipeline.
 *
 * <p>The quantity it bounds is <em>in flight</em>: entries admitted and not yet taken by every
 * durable sink (router queue + run buffers + sink backlogs). So a dead database turns into
 * backpressure here instead of unbounded memory. Invariants:
 * <ul>
 *   <li>below {@code threshold x capacity} everything is admitted;</li>
 *   <li>between the threshold and the capacity the strategy sheds DEBUG/INFO;</li>
 *   <li>at capacity every DEBUG/INFO is dropped; WARN/ERROR may use {@code reserve-capacity} more;</li>
 *   <li>beyond capacity + reserve WARN/ERROR are rejected (the caller is told), never dropped;</li>
 *   <li>every drop is counted by reason and level; {@link #release} balances every admission.</li>
 * </ul>
 * The check-then-increment is not atomic, so concurrent callers may overshoot a bound by at most
 * the number of concurrent callers; the bounds are memory guards, not exact quotas.
 */
public final class AdmissionControl {


    private final BackpressureStrategy strategy;
    private final long capacity;
    private final long threshold;
    private final long hardLimit;
    private final long cooldownMs;
    private final Scheduler clock;
    private final PipelineObserver observer;

    private final AtomicLong inFlight = new AtomicLong();
    private volatile Pressure pressure = Pressure.NONE;

    /**
     * Load from beyond the router: with a write-ahead journal, the database's progress no longer bounds
     * admission (entries leave "in flight" once journaled); the journal's disk budget does. The pipeline maps
     * the journal's fill onto this class's scale, so the same strategies shed by level as it fills.
     */
    public interface Pressure {
        /** No load besides entries in flight. */
        Pressure NONE = new Pressure() {
            @Override
            public long extraInFlight() {
                return 0;
            }

            @Override
            public long floorLoad(long inFlight, long threshold, long capacity, long hardLimit) {
                return 0;
            }
        };

        /** @return entries held in memory beyond the router that count as in flight (the journal's overflow) */
        long extraInFlight();

        /**
         * @param inFlight entries admitted and not yet journaled (they will need room too)
         * @return the load the pipeline is at whatever is in flight: 0 normally; between {@code threshold} and
         *         {@code capacity} while the strategy should shed; {@code capacity} to drop every DEBUG/INFO;
         *         {@code hardLimit} to refuse everything
         */
        long floorLoad(long inFlight, long threshold, long capacity, long hardLimit);
    }

    /** @param p the load beyond the router (set once, before the pipeline starts) */
    public void pressure(Pressure p) {
        this.pressure = java.util.Objects.requireNonNull(p);
    }

    /** @return the load admission decides on: entries in flight (plus overflow), or the journal's floor when higher */
    public long load() {
        Pressure p = pressure;
        long n = inFlight.get();
        return Math.max(n + p.extraInFlight(), p.floorLoad(n, threshold, capacity, hardLimit));
    }
    private final AtomicLong sampleCounter = new AtomicLong();
    private final LongAdder rejected = new LongAdder();
    private final Map<DropReason, Map<LogLevel, LongAdder>> dropped = new EnumMap<>(DropReason.class);

    /** Per-workflow entries in flight; kept only by the strategies that shed by workflow. */
    private final ConcurrentHashMap<UUID, AtomicInteger> perWorkflow;
    /** CIRCUIT_BREAK_SOURCES: workflow -> monotonic ms until which its DEBUG/INFO are cut. */
    private final ConcurrentHashMap<UUID, Long> openCircuits = new ConcurrentHashMap<>();

    /**
     * @param settings capacity, threshold, reserve, strategy and cooldown
     * @param clock    monotonic time for circuit cooldowns
     */
    public AdmissionControl(LoggingSettings settings, Scheduler clock) {
        this(settings, clock, PipelineObserver.NONE);
    }

    /**
     * @param settings capacity, threshold, reserve, strategy and cooldown
     * @param clock    monotonic time for circuit cooldowns
     * @param observer hears every drop and rejection (metrics)
     */
    public AdmissionControl(LoggingSettings settings, Scheduler clock, PipelineObserver observer) {
        this.observer = observer;
        this.strategy = settings.backpressureStrategy();
        this.capacity = settings.queueCapacity();
        this.threshold = settings.thresholdEntries();
        this.hardLimit = capacity + settings.reserveCapacity();
        this.cooldownMs = settings.sourceCooldownMs();
        this.clock = clock;
        this.perWorkflow = tracksWorkflows() ? new ConcurrentHashMap<>() : null;
        for (DropReason r : DropReason.values()) {
            Map<LogLevel, LongAdder> byLevel = new EnumMap<>(LogLevel.class);
            for (LogLevel l : LogLevel.values()) byLevel.put(l, new LongAdder());
            dropped.put(r, byLevel);
        }
    }

    private boolean tracksWorkflows() {
        return strategy == BackpressureStrategy.SHED_LOAD_BY_WORKFLOW
                || strategy == BackpressureStrategy.CIRCUIT_BREAK_SOURCES;
    }

    /**
     * Admits or refuses one entry. An ACCEPTED entry counts as in flight until {@link #release}.
     *
     * @param e the entry
     * @return what happened to it
     */
    public RouteResult admit(LogEntry e) {
        long load = load();
        LogLevel level = e.level();
        if (level.isSheddable()) {
            DropReason reason = load >= threshold ? shed(e, load) : null;
            if (reason != null) {
                dropped.get(reason).get(level).increment();
                observer.dropped(reason, level);
                return RouteResult.DROPPED;
            }
        } else if (load >= hardLimit) {
            rejected.increment();
            boolean byJournal = inFlight.get() + pressure.extraInFlight() < hardLimit;
            observer.rejected(byJournal ? PipelineObserver.RejectReason.JOURNAL_FULL : PipelineObserver.RejectReason.RESERVE_FULL, level);
            return RouteResult.REJECTED;
        }
        inFlight.incrementAndGet();
        if (perWorkflow != null) {
            // compute(): atomic with release()'s removal, so no increment lands on a removed counter.
            perWorkflow.compute(e.workflowId(), (k, c) -> {
                if (c == null) return new AtomicInteger(1);
                c.incrementAndGet();
                return c;
            });
        }
        return RouteResult.ACCEPTED;
    }

    /** @return the reason to drop a DEBUG/INFO entry at this load, or null to admit it */
    private DropReason shed(LogEntry e, long load) {
        if (load >= capacity) return DropReason.CAPACITY;
        switch (strategy) {
            case DROP_DEBUG_FIRST:
                return e.level() == LogLevel.DEBUG ? DropReason.DEBUG_FIRST : null;
            case SAMPLE_HIGH_VOLUME: {
                // Keep fraction p, falling linearly from 1 at the threshold to 0 at capacity.
                // Error diffusion over a shared counter: exactly floor(n*p) of n are kept, no randomness.
                double p = (double) (capacity - load) / Math.max(1, capacity - threshold);
                long k = sampleCounter.getAndIncrement();
                boolean keep = Math.floor((k + 1) * p) > Math.floor(k * p);
                return keep ? null : DropReason.SAMPLED;
            }
            case SHED_LOAD_BY_WORKFLOW:
                return overFairShare(e.workflowId(), load) ? DropReason.WORKFLOW_SHED : null;
            case CIRCUIT_BREAK_SOURCES: {
                long now = clock.nowMillis();
                Long openUntil = openCircuits.get(e.workflowId());
                if (openUntil != null && openUntil > now) return DropReason.SOURCE_CIRCUIT_OPEN;
                if (overFairShare(e.workflowId(), load)) {
                    openCircuits.put(e.workflowId(), now + cooldownMs);
                    return DropReason.SOURCE_CIRCUIT_OPEN;
                }
                return null;
            }
            default:
                throw new IllegalStateException("unknown strategy " + strategy);
        }
    }

    /** A workflow is over its fair share when it holds more than load / (workflows in flight). */
    private boolean overFairShare(UUID workflowId, long load) {
        AtomicInteger mine = perWorkflow.get(workflowId);
        if (mine == null) return false;
        int workflows = Math.max(1, perWorkflow.size());
        return mine.get() > load / workflows;
    }

    /**
     * Marks entries as no longer in flight (every durable sink has them).
     *
     * @param workflowId the workflow they belong to
     * @param count      how many
     */
    public void release(UUID workflowId, int count) {
        inFlight.addAndGet(-count);
        if (perWorkflow != null) {
            perWorkflow.computeIfPresent(workflowId, (k, c) -> c.addAndGet(-count) <= 0 ? null : c);
        }
        if (!openCircuits.isEmpty()) {
            long now = clock.nowMillis();
            openCircuits.values().removeIf(until -> until <= now);
        }
    }

    /** @return true when {@code n} more entries of any level would be admitted without shedding */
    public boolean hasRoomFor(int n) {
        return load() + n <= threshold;
    }

    /** @return entries admitted and not yet released */
    public long inFlight() { return inFlight.get(); }

    /** @return the backpressure threshold (entries) */
    public long threshold() { return threshold; }

    /** @return capacity plus the WARN/ERROR reserve */
    public long hardLimit() { return hardLimit; }

    /** @return the configured capacity */
    public long capacity() { return capacity; }

    /** @return entries refused past capacity + reserve */
    public long rejected() { return rejected.sum(); }

    /** @return entries dropped for this reason at this level */
    public long dropped(DropReason reason, LogLevel level) { return dropped.get(reason).get(level).sum(); }

    /** @return entries dropped for any reason */
    public long droppedTotal() {
        long n = 0;
        for (Map<LogLevel, LongAdder> byLevel : dropped.values()) for (LongAdder a : byLevel.values()) n += a.sum();
        return n;
    }

    /** @return the strategy in force */
    public BackpressureStrategy strategy() { return strategy; }
}
