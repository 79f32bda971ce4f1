package org.phong.zenflow.logging.time;

import java.time.Duration;

/**
 * Stopping a worker thread that spends its time in a call another thread can wake (a Kafka consumer's
 * {@code poll}, woken by {@code wakeup()}): the partition owner loop and the output-topic follower stop
 * this way. The caller sets its own stop flag first, so the thread leaves its loop once woken.
 */
public final class WorkerThreads {
    private WorkerThreads() {
    }

    /**
     * Wakes the thread's blocking call, waits for the thread, interrupts it after {@code timeout} (a
     * sleep or a retry wait) and waits as long again.
     *
     * @param t       the worker, or null when it never started
     * @param wakeUp  wakes its blocking call (never null; a no-op when there is nothing to wake)
     * @param timeout each of the two waits
     * @return true when the thread has ended, never started, or is the caller itself (it ends on return)
     */
    public static boolean stop(Thread t, Runnable wakeUp, Duration timeout) {
        if (t == null || !t.isAlive() || t == Thread.currentThread()) return true;
        wakeUp.run();
        long ms = Math.max(1, timeout.toMillis());
        try {
            t.join(ms);
            if (t.isAlive()) {
                t.interrupt();
                t.join(ms);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }
}
