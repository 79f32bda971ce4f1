package org.phong.zenflow.logging.health;

import java.lang.management.ManagementFactory;
import org.phong.zenflow.logging.degradation.MemoryProbe;

/**
 * How much of the heap is really in use. The current heap figure includes garbage not yet collected
 * and routinely reaches 90% just before a GC, which would make readiness flap; this uses, per heap
 * pool, the usage right after its last collection (the live set) when the JVM reports it, and the
 * current usage otherwise: the same figure the degradation monitor's memory pressure reads.
 *
 * @param usedBytes heap still in use after the last collections
 * @param maxBytes  the heap's maximum (-Xmx)
 */
public record HeapUsage(long usedBytes, long maxBytes) {

    /** @return the JVM's heap now */
    public static HeapUsage now() {
        long max = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
        if (max <= 0) max = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        return new HeapUsage(MemoryProbe.liveHeapBytes(), max);
    }

    /** @return used / max, 0 when the maximum is unknown */
    public double fraction() {
        return maxBytes <= 0 ? 0 : (double) usedBytes / maxBytes;
    }

    /** @return true when the fraction in use is above {@code threshold} */
    public boolean above(double threshold) {
        return fraction() > threshold;
    }
}
