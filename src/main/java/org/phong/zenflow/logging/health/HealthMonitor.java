package org.phong.zenflow.logging.health;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.phong.zenflow.logging.config.ObservabilitySettings;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * Background facts the health checks read without blocking: is the database answering, and is the
 * shared scheduler (the one that times batch flushes, retries and idle sweeps) still running tasks.
 *
 * <p>A tick runs on the scheduler every {@code db-probe-interval-ms}. Each tick records a heartbeat
 * and, unless a probe is still running, starts one on the executor. A probe that hangs (a frozen
 * database holds a connection without answering) therefore never piles up threads, and the checks
 * still see it: a probe running longer than {@code db-probe-timeout-ms} counts as "unreachable".
 * Health checks only read the volatile results, so {@code /health} answers at once whatever the
 * database does.
 */
public final class HealthMonitor {

    /** Checks the database once; returns normally when it answered, throws when it did not. */
    @FunctionalInterface
    public interface Probe {
        /** @throws Exception when the database did not answer as it should */
        void check() throws Exception;
    }

    /**
     * @param reachable true when the last probe answered and none is overdue
     * @param reason    why it is not reachable, in words; null when reachable
     */
    public record DatabaseState(boolean reachable, String reason) {
    }

    private final Probe probe;
    private final Scheduler scheduler;
    private final Executor executor;
    private final long intervalMs;
    private final long timeoutMs;
    private final int stallBeats;

    private volatile boolean running;
    private volatile Scheduler.Cancellable nextTick;
    private volatile long lastTickMs;
    /** Scheduler time the running probe started, or -1 when none runs. */
    private volatile long probeStartedMs = -1;
    private volatile DatabaseState lastProbe = new DatabaseState(false, "the database has not been probed yet");
    private volatile boolean probedOnce;

    /**
     * @param probe     the database check (connection + isValid in the server)
     * @param scheduler the shared scheduler whose liveness is watched; also the clock
     * @param executor  runs the probes
     * @param settings  interval, timeout, stall beats
     */
    public HealthMonitor(Probe probe, Scheduler scheduler, Executor executor, ObservabilitySettings settings) {
        this.probe = probe;
        this.scheduler = scheduler;
        this.executor = executor;
        this.intervalMs = settings.dbProbeIntervalMs();
        this.timeoutMs = settings.dbProbeTimeoutMs();
        this.stallBeats = settings.schedulerStallBeats();
    }

    /** Starts ticking now. */
    public void start() {
        running = true;
        lastTickMs = scheduler.nowMillis();
        nextTick = scheduler.schedule(this::tick, 0);
    }

    /** Stops ticking; a running probe finishes on its own. */
    public void stop() {
        running = false;
        Scheduler.Cancellable t = nextTick;
        if (t != null) t.cancel();
    }

    private void tick() {
        if (!running) return;
        // Re-arm first, so a failing probe submission cannot stop the heartbeat.
        nextTick = scheduler.schedule(this::tick, intervalMs);
        long now = scheduler.nowMillis();
        lastTickMs = now;
        if (probeStartedMs >= 0) return; // the previous probe still runs (hung database): do not stack another
        probeStartedMs = now;
        try {
            executor.execute(this::runProbe);
        } catch (RejectedExecutionException e) {
            probeStartedMs = -1;
            record(new DatabaseState(false, "the database probe could not be started: " + e));
        }
    }

    private void runProbe() {
        DatabaseState result;
        try {
            probe.check();
            result = new DatabaseState(true, null);
        } catch (Exception e) {
            result = new DatabaseState(false, "the last probe failed: " + e);
        }
        record(result);
        probeStartedMs = -1;
    }

    private void record(DatabaseState s) {
        lastProbe = s;
        probedOnce = true;
    }

    /** @return whether the database answers, as of the last probe or an overdue running one */
    public DatabaseState database() {
        long started = probeStartedMs;
        if (started >= 0) {
            long waited = scheduler.nowMillis() - started;
            if (waited > timeoutMs) {
                return new DatabaseState(false, "the database has not answered a probe for " + waited
                        + " ms (probe timeout " + timeoutMs + " ms)");
            }
        }
        return lastProbe;
    }

    /** @return true once at least one probe has finished */
    public boolean probedOnce() {
        return probedOnce;
    }

    /** @return milliseconds since the scheduler last ran the tick, when that is past the stall bound; -1 otherwise */
    public long schedulerStalledForMs() {
        long since = scheduler.nowMillis() - lastTickMs;
        return running && since > stallBeats * intervalMs ? since : -1;
    }

    /** @return the stall bound in ms (stall beats x interval) */
    public long stallBoundMs() {
        return stallBeats * intervalMs;
    }
}
