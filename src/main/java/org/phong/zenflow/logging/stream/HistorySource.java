package org.phong.zenflow.logging.stream;

import java.util.List;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;

/** Stored entries of a run (PostgreSQL: {@code PostgresLogReader.readAfter}), ascending seq. */
@FunctionalInterface
public interface HistorySource {
    /**
     * @param runId    the run
     * @param afterSeq entries with a greater seq
     * @param limit    at most this many
     * @return the stored entries, ascending seq, possibly fewer than exist (the rest are on their way)
     * @throws Exception when the store cannot answer now (the caller retries)
     */
    List<LogEntry> readAfter(UUID runId, long afterSeq, int limit) throws Exception;
}
