package org.phong.zenflow.logging.cluster;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.RunOutcome;

/**
 * One record of the ingest topic, as the partition owner consumes it: an unsequenced entry, or a
 * run's start or end. All three are keyed by runId, so a run's records share one partition and
 * arrive at its owner in the order they were produced: an end comes after the entries sent before it.
 */
public sealed interface IngestRecord {

    /** @return the run the record belongs to (the record key) */
    UUID runId();

    /**
     * An entry; its seq is ignored (the owner assigns it).
     *
     * @param entry a validated, redacted entry
     */
    record Entry(LogEntry entry) implements IngestRecord {
        /** Requires the entry. */
        public Entry {
            Objects.requireNonNull(entry, "entry");
        }

        @Override
        public UUID runId() {
            return entry.runId();
        }
    }

    /**
     * A run's start.
     *
     * @param workflowId its workflow
     * @param runId      the run
     * @param at         when the start was accepted
     */
    record Started(UUID workflowId, UUID runId, Instant at) implements IngestRecord {
        /** Requires every field. */
        public Started {
            Objects.requireNonNull(workflowId, "workflowId");
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * A run's end.
     *
     * @param runId   the run
     * @param outcome how it ended
     * @param at      when the end was accepted
     */
    record Ended(UUID runId, RunOutcome outcome, Instant at) implements IngestRecord {
        /** Requires every field. */
        public Ended {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(at, "at");
        }
    }
}
