package org.phong.zenflow.logging.time;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter": attempt n waits a random time between half and all of
 * {@code min(max, base x 2^(n-1))}, so retrying callers spread out but never retry sooner than
 * half the nominal delay.
 */
public final class Backoff {
    private Backoff() {
    }

    /**
     * @param baseMs  delay of the first retry
     * @param maxMs   cap of the nominal delay
     * @param attempt 1 for the first retry
     * @return the nominal delay without jitter
     */
    public static long nominal(long baseMs, long maxMs, int attempt) {
        long d = Math.max(0, baseMs);
        for (int i = 1; i < attempt && d < maxMs; i++) d = d > maxMs / 2 ? maxMs : d * 2; // no overflow past the cap
        return Math.min(maxMs, d);
    }

    /**
     * @param baseMs  delay of the first retry
     * @param maxMs   cap of the nominal delay
     * @param attempt 1 for the first retry
     * @return the delay to wait, in [nominal/2, nominal]
     */
    public static long withJitter(long baseMs, long maxMs, int attempt) {
        long n = nominal(baseMs, maxMs, attempt);
        long half = n / 2;
        return half + (n - half == 0 ? 0 : ThreadLocalRandom.current().nextLong(n - half + 1));
    }
}
