package org.phong.zenflow.logging.time;

/**
 * The module's only source of time and of delayed work. Production uses {@link ExecutorScheduler}
 * over one shared (Liberty-managed) {@code ScheduledExecutorService}: the number of threads never
 * grows with the number of runs. Tests use a manual implementation whose clock they advance, so
 * timing logic is tested without sleeping.
 */
public interface Scheduler {

    /** @return monotonic milliseconds, for measuring intervals (not a wall-clock time) */
    long nowMillis();

    /** @return the wall-clock time, for stamping entries */
    java.time.Instant wallClock();

    /**
     * Runs {@code task} once after {@code delayMillis}.
     *
     * @return a handle that cancels the task if it has not started
     */
    Cancellable schedule(Runnable task, long delayMillis);

    /** A scheduled task that can still be called off. */
    @FunctionalInterface
    interface Cancellable {
        /** Calls the task off; harmless when it already ran. */
        void cancel();
    }
}
