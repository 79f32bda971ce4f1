package org.phong.zenflow.logging.cluster;

import java.sql.SQLException;

/**
 * A write was refused because the partition has been claimed by another node since (its epoch is
 * newer than the writer's): the writer lost the partition and must stop consuming it. Nothing of the
 * refused write was committed.
 */
public final class FencedException extends SQLException {
    private static final long serialVersionUID = 1L;
    /** SQLState of the refusal (class "ZF": zenflow). */
    public static final String SQL_STATE = "ZF001";

    /**
     * @param claim   the stale claim
     * @param current the epoch in the ledger, or -1 when the partition has no row
     */
    public FencedException(PartitionClaim claim, long current) {
        super("partition " + claim.topic() + "/" + claim.partition() + " is owned under epoch " + current
                + "; the write under epoch " + claim.epoch() + " by " + claim.owner() + " is refused", SQL_STATE);
    }
}
