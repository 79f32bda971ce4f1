package org.phong.zenflow.logging.buffer;

import java.util.UUID;

/**
 * Finds the last sequence number already given to a run that this process does not hold in
 * memory (entries arriving for a run without a start event, e.g. after a restart), so that its
 * sequence continues instead of starting again at 1. PostgreSQL answers it in the server.
 */
@FunctionalInterface
public interface SequenceLookup {
    /**
     * @param runId the run
     * @return its highest stored seq, or 0 when it has none
     * @throws Exception when the answer is not available now (it will be asked again)
     */
    long lastSeq(UUID runId) throws Exception;
}
