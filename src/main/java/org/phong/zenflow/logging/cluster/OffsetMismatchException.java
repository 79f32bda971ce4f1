package org.phong.zenflow.logging.cluster;

import java.sql.SQLException;

/**
 * A write did not start at the partition's next offset: a replay of records already stored (lower)
 * or a gap (higher). Nothing was committed; the consumer seeks to {@link #expected()} and goes on.
 */
public final class OffsetMismatchException extends SQLException {
    private static final long serialVersionUID = 1L;
    /** SQLState of the refusal. */
    public static final String SQL_STATE = "ZF002";
    private final long expected;

    /**
     * @param claim    the writer's claim
     * @param given    the first offset of the refused write
     * @param expected the ledger's next offset
     */
    public OffsetMismatchException(PartitionClaim claim, long given, long expected) {
        super("partition " + claim.topic() + "/" + claim.partition() + " continues at offset " + expected
                + ", not " + given, SQL_STATE);
        this.expected = expected;
    }

    /** @return the offset the next write must start at */
    public long expected() {
        return expected;
    }
}
