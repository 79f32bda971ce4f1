package org.phong.zenflow.logging.cluster;

/**
 * A node's ownership of one ingest partition, as the ledger granted it.
 *
 * @param topic      the ingest topic
 * @param partition  the partition
 * @param epoch      the fencing epoch of this ownership; writes under an older epoch are refused
 * @param owner      the node
 * @param nextOffset where consumption resumes: every record before it is stored
 */
public record PartitionClaim(String topic, int partition, long epoch, String owner, long nextOffset) {
}
