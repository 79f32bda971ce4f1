package org.phong.zenflow.logging.time;

import java.util.concurrent.CountDownLatch;

/**
 * Waits an interrupt cannot cut short, for work that bounds itself (a statement or socket timeout, one
 * journal read) and must have finished before the caller goes on: a batch's parts, a read handed ahead.
 * The interrupt is kept for the caller, set again once the wait is over.
 */
public final class Uninterruptibly {
    private Uninterruptibly() {
    }

    /** Waits until {@code latch} reaches zero, whatever interrupts arrive meanwhile. */
    public static void await(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
