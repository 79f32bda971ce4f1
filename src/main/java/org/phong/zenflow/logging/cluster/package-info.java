/**
 * Cluster mode's core (docs/cluster.md): "Kafka partitions runs, PostgreSQL decides".
 *
 * <p><b>Built and tested</b> (against embedded PostgreSQL and a real KRaft broker), and run by the server
 * when {@code zenflow.logging.cluster.enabled=true}: {@code cdi.ClusterWiring} builds a {@link
 * org.phong.zenflow.logging.cluster.ClusterNode} and {@code cdi.LoggingModule} puts a forwarding {@code
 * LogRouter} on it in place of the single-node pipeline.
 * <ul>
 *   <li>{@link org.phong.zenflow.logging.cluster.IngestCodec}: the ingest topic's record (key = run id,
 *       versioned JSON value; decoding fails only with {@link
 *       org.phong.zenflow.logging.cluster.MalformedIngestRecordException}).</li>
 *   <li>{@link org.phong.zenflow.logging.cluster.IngestProducer}: any node's producer of ingest records
 *       (idempotent, {@code acks=all}); never waits on I/O beyond a small {@code max.block.ms}, refuses
 *       instead ({@link org.phong.zenflow.logging.cluster.IngestRefusedException}); a stage per record for
 *       "acknowledged by Kafka".</li>
 *   <li>{@link org.phong.zenflow.logging.cluster.PartitionLedger} (table {@code cluster_partitions},
 *       migration V4): claims raise a partition's epoch and return where to resume.</li>
 *   <li>{@link org.phong.zenflow.logging.cluster.FencedPartitionWriter}: the owner's fenced transactional
 *       write (seq, rows, runs counts and events, offset), entries PostgreSQL refuses for their content
 *       moved to {@code logs_rejected} in that same transaction ({@code sink.postgres.PoisonIsolator}).</li>
 *   <li>{@link org.phong.zenflow.logging.cluster.PartitionOwnerLoop}: the consumer-group member that
 *       claims what the group assigns, seeks to the ledger, writes each poll's records of a partition as
 *       one fenced write and hands the sequenced entries to a {@link
 *       org.phong.zenflow.logging.cluster.SequencedListener}.</li>
 *   <li>{@link org.phong.zenflow.logging.cluster.OutputPublisher}: that listener for the output topic, in
 *       the Kafka sink's format ({@code sink.kafka.KafkaRecords}); a {@link
 *       org.phong.zenflow.logging.cluster.ConfirmingListener}: it confirms each write once Kafka acknowledged
 *       all of it.</li>
 *   <li>{@link org.phong.zenflow.logging.cluster.OutputOutbox} (table {@code cluster_unpublished}, migration
 *       V6): which committed writes' output is not confirmed, written in the write's transaction and read back
 *       to republish at the partition's next claim.</li>
 *   <li>{@link org.phong.zenflow.logging.cluster.DurableProducers}: the one place both producers get their
 *       fixed settings ({@code acks=all}, idempotence) and their byte-array {@code KafkaProducer}.</li>
 *   <li>{@link org.phong.zenflow.logging.cluster.ClusterNode}: one node's three parts with their lifecycle
 *       (start; clean close: flush the ingest producer, stop the loop, which leaves the group, flush the
 *       publisher), the router's {@code Forwarder} (ingest producer refusal = {@code Forwarder.Refused}),
 *       and the {@link org.phong.zenflow.logging.cluster.ClusterNode.Status} health and metrics read.</li>
 * </ul>
 * <b>Not built</b>: {@code ?wait=persisted} in cluster mode (refused with 400: see docs/cluster.md).
 *
 * <p><b>Invariants</b>
 * <ul>
 *   <li>A partition's epoch only grows; the claim that raised it last is the only one whose writes
 *       commit. A write locks the ledger row {@code FOR UPDATE} and checks epoch and next offset
 *       before anything else, so a claim and a write never interleave.</li>
 *   <li>Offsets: a write covers exactly {@code next_offset .. next_offset + n - 1} and moves
 *       {@code next_offset} by n in the same transaction as the rows: each record is stored exactly
 *       once, whatever the consumer redelivers. Offsets that yield no row (a record that does not decode,
 *       an offset without a record) are consumed by the write that covers them, never outside one, so a
 *       poison record neither stalls its partition nor moves the ledger on its own.</li>
 *   <li>Seq: a run's next seq is one more than the greatest of {@code runs.last_seq} and its seqs in
 *       {@code logs_rejected}, read under the fence and written in the same transaction; all of a run's
 *       records are in one partition (key = runId, and a record whose key is not its run id does not
 *       decode), so one writer at a time numbers a run, gap-free over {@code logs} and {@code logs_rejected}
 *       together, in partition order.</li>
 *   <li>Dead letters: an entry whose rows' COPY PostgreSQL refuses for its content (SQLState 22, 23, 54;
 *       not a missing partition) keeps its seq and goes to {@code logs_rejected} in the same fenced
 *       transaction as the other rows, the counts (stored rows only) and the offset: every consumed entry
 *       is in exactly one of the two tables, once, and the partition never stalls on it. Any other data
 *       error (the runs table, the events, the ledger, a rejection refused too) fails the write, which is
 *       retried: nothing is dropped that was not refused itself.</li>
 *   <li>No state outside PostgreSQL: a writer caches nothing between writes, and the loop's per-partition
 *       position is only its own writes' result, checked by the fence on every write; Kafka's committed
 *       group offsets are hints for tools, never read. A takeover needs no hand-over.</li>
 *   <li>The loop never skips a record it could store: a failed write is retried from its first offset,
 *       after backoff, until it commits or the partition is fenced or revoked. A rejected entry is not
 *       skipped either: it is in {@code logs_rejected}, and among the listener's sequenced entries.</li>
 *   <li>Output: after the commit, in commit order, at least once, also across crashes, takeovers and lost
 *       commit replies: a write that stores entries records them in the outbox in its own transaction; the
 *       row is deleted only after the publisher confirmed every entry of it (the delete rides on a later
 *       write, or a sweep); every claim and every offset mismatch republishes the partition's rows its
 *       publisher does not hold, read back from {@code logs}. Not exactly once: a confirmed row whose delete
 *       died with its node, or a fenced owner still sending, gives duplicates; readers dedupe by
 *       {@code (runId, seq)} (the live tail does, and fills seq jumps from PostgreSQL). Dead-lettered
 *       entries are not in {@code logs}, so a republished write leaves them out.</li>
 *   <li>Ingest: a record the producer refused was never queued (the router answers REJECTED); a record it
 *       took is either acknowledged ({@code acks=all}: it will be stored exactly once, by whichever node
 *       owns its partition then) or reported failed to its waiter. Records of one run produced through two
 *       nodes are ordered only by their sender (the second after the first's acknowledgement).</li>
 * </ul>
 * Data flows one way: this package uses {@code sink.postgres} (COPY encoding, partitions, runs table,
 * error classes), {@code sink.kafka} (the output record format), {@code router} (the {@code Forwarder}
 * interface it implements), {@code codec} and {@code api}; the CDI layer, health and metrics use it
 * (health and metrics through the {@code RunningPipeline} view).
 */
package org.phong.zenflow.logging.cluster;
