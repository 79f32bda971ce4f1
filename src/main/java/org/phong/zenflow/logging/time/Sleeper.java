package org.phong.zenflow.logging.time;

/**
 * Waits between retries of a worker loop: {@code Thread::sleep} in production; tests pass one that
 * records the delay and returns.
 */
@FunctionalInterface
public interface Sleeper {
    /**
     * @param millis the delay
     * @throws InterruptedException when interrupted (the worker stops)
     */
    void sleep(long millis) throws InterruptedException;
}
