package org.phong.zenflow.logging.bench;

import java.time.Instant;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;

/**
 * The simulated engine's log lines: deterministic in (seed, run index, entry number), so the COPY
 * limit can write exactly the rows the pipeline wrote. Mix: 30% DEBUG, 55% INFO, 10% WARN, 5% ERROR;
 * messages of about 100 bytes; a small JSON metadata object; node key, hierarchy and trace id on
 * every entry, an error code on ERROR. Run ids are random-looking (hashed), like UUIDv4, so the
 * indexes see the key spread of real runs.
 */
final class Workload {
    static final int DEBUG_PERCENT = 30;
    static final int INFO_PERCENT = 55;
    static final int WARN_PERCENT = 10;
    /** The rest (5%) is ERROR. */
    static final int RUNS_PER_WORKFLOW = 20;
    private static final String[] NODES = {"fetch-orders", "transform", "http-call", "db-write", "notify", "loop-body"};
    private static final String PADDING = " upstream=orders-service region=eu-west-1 status=OK";

    private final long seed;

    Workload(long seed) {
        this.seed = seed;
    }

    UUID runId(long runIndex) {
        return new UUID(mix(seed ^ runIndex), mix(~seed + 31 * runIndex));
    }

    UUID workflowId(long runIndex) {
        long w = runIndex / RUNS_PER_WORKFLOW;
        return new UUID(mix(seed * 7 + w), mix(seed * 13 - w));
    }

    /**
     * @param ts null for "now" (the pipeline phases), or a fixed instant
     * @return entry number {@code k} (1-based) of the run, without seq
     */
    LogEntry entry(long runIndex, UUID workflowId, UUID runId, long k, Instant ts) {
        long h = mix(seed + runIndex * 0x9E3779B97F4A7C15L + k);
        int pct = (int) Long.remainderUnsigned(h, 100);
        LogLevel level = pct < DEBUG_PERCENT ? LogLevel.DEBUG
                : pct < DEBUG_PERCENT + INFO_PERCENT ? LogLevel.INFO
                : pct < DEBUG_PERCENT + INFO_PERCENT + WARN_PERCENT ? LogLevel.WARN : LogLevel.ERROR;
        String node = NODES[(int) ((h >>> 8) & 0xFFFF) % NODES.length];
        int items = (int) ((h >>> 24) & 0x3FF);
        int millis = (int) ((h >>> 34) & 0x7FF);
        int attempt = 1 + (int) ((h >>> 45) & 0x3);
        StringBuilder m = new StringBuilder(112).append(node).append(": processed ").append(items)
                .append(" items of batch ").append(k).append(" in ").append(millis).append(" ms;").append(PADDING);
        String message = m.length() > 100 ? m.substring(0, 100) : m.toString();
        return LogEntry.builder().workflowId(workflowId).runId(runId).nodeKey(node).ts(ts).level(level)
                .message(message)
                .errorCode(level == LogLevel.ERROR ? "E" + (1000 + (h >>> 50) % 100) : null)
                .metadata("{\"attempt\":" + attempt + ",\"durationMs\":" + millis + ",\"items\":" + items + "}")
                .traceId(Long.toHexString(h | Long.MIN_VALUE))
                .hierarchy("root/" + node)
                .build();
    }

    /** @return run length: between half and one and a half times the mean, spread by run */
    long runLength(long runIndex, int meanEntries) {
        return Math.max(1, meanEntries / 2 + Long.remainderUnsigned(mix(seed - runIndex), Math.max(1, meanEntries)));
    }

    /** SplitMix64's finaliser: a cheap, well-spread hash. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
