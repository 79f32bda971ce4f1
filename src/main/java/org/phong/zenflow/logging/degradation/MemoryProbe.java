package org.phong.zenflow.logging.degradation;

/** Heap use as a fraction of the maximum heap; injectable so tests decide the pressure. */
@FunctionalInterface
public interface MemoryProbe {
    /** @return heap used / max heap, 0..1 */
    double heapFraction();

    /** @return the JVM's own heap figures (used after the last GC is not exposed cheaply, so current use) */
    static MemoryProbe jvm() {
        Runtime rt = Runtime.getRuntime();
        return () -> {
            long max = rt.maxMemory();
            long used = rt.totalMemory() - rt.freeMemory();
            return max <= 0 ? 0 : (double) used / max;
        };
    }
}
