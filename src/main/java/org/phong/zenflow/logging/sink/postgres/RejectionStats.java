package org.phong.zenflow.logging.sink.postgres;

import java.time.Instant;

/**
 * What the PostgreSQL sink's dead-letter path did since start ({@link PoisonIsolator}).
 *
 * @param rejected        entries written to {@code logs_rejected} since start (a replay that finds
 *                        an entry already there does not count it again)
 * @param isolatedBatches batches refused for their content and split to find the refused entries
 * @param lastRejectedAt  when the last entry was rejected, or null
 * @param lastSqlState    the SQLState of the last rejection, or null (encoder refusals have none)
 * @param lastError       the database's words for the last rejection, or null; may quote log content,
 *                        so it is shown to operators only, never to anonymous callers
 */
public record RejectionStats(long rejected, long isolatedBatches, Instant lastRejectedAt, String lastSqlState, String lastError) {
    /** Nothing rejected. */
    public static final RejectionStats NONE = new RejectionStats(0, 0, null, null, null);
}
