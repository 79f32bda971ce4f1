package org.phong.zenflow.logging.time;

import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** {@link Scheduler} over one shared {@link ScheduledExecutorService} and the system clocks. */
public final class ExecutorScheduler implements Scheduler {
    private final ScheduledExecutorService executor;

    /** @param executor the shared executor (Liberty's ManagedScheduledExecutorService in the server) */
    public ExecutorScheduler(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    @Override
    public long nowMillis() {
        return MonotonicClock.nowMillis();
    }

    @Override
    public Instant wallClock() {
        return Instant.now();
    }

    @Override
    public Cancellable schedule(Runnable task, long delayMillis) {
        ScheduledFuture<?> f = executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }
}
