package org.phong.zenflow.logging.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;

/** Factory of valid entries for tests. */
public final class Entries {
    public static final Instant TS = Instant.parse("2026-11-28T17:02:37.123456Z");

    private Entries() {
    }

    public static LogEntry.Builder valid() {
        return LogEntry.builder()
                .workflowId(UUID.randomUUID())
                .runId(UUID.randomUUID())
                .nodeKey("fetch")
                .ts(TS)
                .level(LogLevel.INFO)
                .message("hello");
    }

    public static LogEntry entry(UUID workflowId, UUID runId, LogLevel level, String message) {
        return LogEntry.builder().workflowId(workflowId).runId(runId).nodeKey("node")
                .ts(TS).level(level).message(message).build();
    }

    public static LogEntry info(UUID workflowId, UUID runId, String message) {
        return entry(workflowId, runId, LogLevel.INFO, message);
    }

    public static LogEntry of(UUID workflowId, LogLevel level) {
        return entry(workflowId, UUID.randomUUID(), level, level.name());
    }

    /** @return a sequenced batch of one run, seq from..from+n-1 */
    public static List<LogEntry> batch(UUID workflowId, UUID runId, long from, int n) {
        List<LogEntry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(info(workflowId, runId, "m" + (from + i)).withSeq(from + i));
        return out;
    }
}
