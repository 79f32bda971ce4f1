package org.phong.zenflow.logging.time;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void nominalDoublesUpToTheCap() {
        assertEquals(100, Backoff.nominal(100, 1000, 1));
        assertEquals(200, Backoff.nominal(100, 1000, 2));
        assertEquals(400, Backoff.nominal(100, 1000, 3));
        assertEquals(800, Backoff.nominal(100, 1000, 4));
        assertEquals(1000, Backoff.nominal(100, 1000, 5));
        assertEquals(1000, Backoff.nominal(100, 1000, 1_000_000));
        assertEquals(0, Backoff.nominal(0, 1000, 5));
        assertEquals(50, Backoff.nominal(100, 50, 1), "the cap applies to the first attempt too");
    }

    @Test
    void nominalNeverOverflowsWithAHugeCap() {
        for (int attempt = 1; attempt < 200; attempt++) {
            long n = Backoff.nominal(1, Long.MAX_VALUE, attempt);
            assertTrue(n >= 1, "attempt " + attempt + " gave " + n);
            if (attempt > 1) assertTrue(n >= Backoff.nominal(1, Long.MAX_VALUE, attempt - 1), "not monotonic at " + attempt);
        }
        long j = Backoff.withJitter(1, Long.MAX_VALUE, 100);
        assertTrue(j > 0);
    }

    @Test
    void jitterStaysWithinHalfAndAllOfNominal() {
        for (int attempt = 1; attempt <= 8; attempt++) {
            long n = Backoff.nominal(100, 1000, attempt);
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < 2000; i++) {
                long d = Backoff.withJitter(100, 1000, attempt);
                assertTrue(d >= n / 2 && d <= n, "attempt " + attempt + ": " + d + " not in [" + n / 2 + ", " + n + "]");
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            assertTrue(max > min, "jitter actually varies");
        }
        assertEquals(0, Backoff.withJitter(0, 1000, 3));
        long one = Backoff.withJitter(1, 1, 1);
        assertTrue(one == 0 || one == 1);
    }
}
