package org.phong.zenflow.logging.stats;

/**
 * How fast the journal fills and the database drains, from periodic samples: the basis of the readiness
 * data "time until the journal is full". Rates are exponentially weighted (half of the weight on the last
 * {@link #SMOOTHING_SAMPLES} samples) so one slow second does not swing the estimate. Plain numbers in,
 * plain numbers out; the caller samples on the shared scheduler with its own clock.
 */
public final class BacklogTrend {
    /** Samples that carry about half of the weight. */
    static final int SMOOTHING_SAMPLES = 5;
    private static final double ALPHA = 1.0 - Math.pow(0.5, 1.0 / SMOOTHING_SAMPLES);

    private long lastMs = -1;
    private long lastUsed;
    private long lastWritten;
    private double fillBytesPerSec;
    private double drainEntriesPerSec;

    /**
     * @param nowMs     monotonic ms
     * @param usedBytes the journal's bytes now
     * @param written   entries the durable sink has stored since start
     */
    public synchronized void sample(long nowMs, long usedBytes, long written) {
        if (lastMs >= 0 && nowMs > lastMs) {
            double secs = (nowMs - lastMs) / 1000.0;
            fillBytesPerSec += ALPHA * ((usedBytes - lastUsed) / secs - fillBytesPerSec);
            drainEntriesPerSec += ALPHA * ((written - lastWritten) / secs - drainEntriesPerSec);
        }
        lastMs = nowMs;
        lastUsed = usedBytes;
        lastWritten = written;
    }

    /** @return bytes per second the journal grows (negative while it shrinks) */
    public synchronized double fillBytesPerSec() {
        return fillBytesPerSec;
    }

    /** @return entries per second the durable sink stores */
    public synchronized double drainEntriesPerSec() {
        return drainEntriesPerSec;
    }

    /**
     * @param roomBytes bytes left before the journal refuses entries
     * @return seconds until then at the current fill rate, or -1 when it is not filling
     */
    public synchronized long secondsUntilFull(long roomBytes) {
        if (fillBytesPerSec <= 1.0) return -1;
        return (long) (Math.max(0, roomBytes) / fillBytesPerSec);
    }
}
