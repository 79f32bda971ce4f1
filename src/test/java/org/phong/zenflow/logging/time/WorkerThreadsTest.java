package org.phong.zenflow.logging.time;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class WorkerThreadsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void aThreadThatNeverStartedOrIsTheCallerCountsAsStoppedWithoutWakingAnything() {
        AtomicBoolean woken = new AtomicBoolean();
        assertTrue(WorkerThreads.stop(null, () -> woken.set(true), WAIT));
        assertTrue(WorkerThreads.stop(Thread.currentThread(), () -> woken.set(true), WAIT));
        assertFalse(woken.get(), "nothing to wake");
    }

    @Test
    void aBlockedCallIsWokenAndTheThreadEnds() throws Exception {
        CountDownLatch call = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            running.countDown();
            try {
                call.await(); // stands for poll(): returns only when woken
            } catch (InterruptedException e) {
                throw new AssertionError("woken by wakeUp, not by an interrupt");
            }
        });
        t.start();
        assertTrue(running.await(5, TimeUnit.SECONDS));
        assertTrue(WorkerThreads.stop(t, call::countDown, WAIT));
        assertFalse(t.isAlive());
    }

    @Test
    void aThreadTheWakeUpDoesNotReachIsInterrupted() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            running.countDown();
            try {
                Thread.sleep(60_000); // a retry wait: only an interrupt ends it
            } catch (InterruptedException expected) {
                // ends
            }
        });
        t.start();
        assertTrue(running.await(5, TimeUnit.SECONDS));
        assertTrue(WorkerThreads.stop(t, () -> { }, Duration.ofMillis(50)));
    }

    @Test
    void aThreadThatIgnoresBothIsReportedStillRunning() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        CountDownLatch running = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            running.countDown();
            while (!release.get()) Thread.onSpinWait(); // ignores interrupts
        });
        t.setDaemon(true);
        t.start();
        assertTrue(running.await(5, TimeUnit.SECONDS));
        assertFalse(WorkerThreads.stop(t, () -> { }, Duration.ofMillis(20)));
        release.set(true);
        t.join(5_000);
    }
}
