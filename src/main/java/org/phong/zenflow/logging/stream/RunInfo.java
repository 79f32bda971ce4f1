package org.phong.zenflow.logging.stream;

import java.time.Instant;
import java.util.UUID;
import org.phong.zenflow.logging.api.RunOutcome;

/**
 * A run as the runs list shows it.
 *
 * @param runId      the run
 * @param workflowId its workflow
 * @param start      when this server first saw it (start event or first entry)
 * @param end        when it was released here; null while active
 * @param outcome    how it ended; null while active or when it was released for being idle
 * @param entries    entries of the run (its last seq: seq is gap-free from 1, so this counts entries
 *                   routed before a restart too)
 * @param errors     ERROR entries this server routed for it
 * @param warnings   WARN entries this server routed for it
 */
public record RunInfo(UUID runId, UUID workflowId, Instant start, Instant end, RunOutcome outcome,
                      long entries, long errors, long warnings) {
}
