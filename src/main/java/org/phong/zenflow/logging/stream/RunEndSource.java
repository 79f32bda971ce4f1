package org.phong.zenflow.logging.stream;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.phong.zenflow.logging.api.RunOutcome;

/**
 * Cluster mode: which of some runs have ended, as the shared {@code runs} table says
 * ({@code sink.postgres.RunsTableReader#ended}). The output topic carries entries only, so this is
 * how a node that did not store a run learns that it ended.
 */
@FunctionalInterface
public interface RunEndSource {

    /**
     * A run's end as stored: its end event and the highest seq stored for it. The end event is
     * written in the same transaction as (or after) the entries before it, so when it is visible,
     * every seq up to {@code lastSeq} is readable.
     *
     * @param runId   the run
     * @param lastSeq its highest stored seq
     * @param outcome how it ended
     */
    record Ended(UUID runId, long lastSeq, RunOutcome outcome) {
    }

    /**
     * @param runs runs to look at (those watched on this node)
     * @return the ones that have ended; the others are left out
     * @throws Exception when the store cannot answer now (asked again at the next poll)
     */
    List<Ended> ended(Collection<UUID> runs) throws Exception;
}
