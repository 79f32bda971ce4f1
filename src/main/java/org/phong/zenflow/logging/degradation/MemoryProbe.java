package org.phong.zenflow.logging.degradation;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/** Heap use as a fraction of the maximum heap; injectable so tests decide the pressure. */
@FunctionalInterface
public interface MemoryProbe {
    /** @return heap used / max heap, 0..1 */
    double heapFraction();

    /**
     * The JVM's live heap against its maximum: per heap pool, the usage right after its last
     * collection, and the current usage only where the JVM reports no such figure. Not the current
     * heap figure: that counts garbage not yet collected, and G1 lets it pass 90% of the heap before a
     * young collection whenever entries arrive fast, which put the pipeline into memory-pressure
     * sampling (DEBUG/INFO kept 1 in 10) with a live heap under half the maximum (the benchmark with
     * the journal on entered level 4 four times in one run; with this figure, in none since).
     */
    static MemoryProbe jvm() {
        return () -> {
            long max = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
            return max <= 0 ? 0 : (double) liveHeapBytes() / max;
        };
    }

    /** @return heap bytes in use after the heap pools' last collections (current use where unreported) */
    static long liveHeapBytes() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP || !pool.isValid()) continue;
            MemoryUsage afterGc = pool.getCollectionUsage();
            used += afterGc != null ? afterGc.getUsed() : pool.getUsage().getUsed();
        }
        return used;
    }
}
