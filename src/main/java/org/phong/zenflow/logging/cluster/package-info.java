/**
 * Cluster mode's core (docs/cluster.md): the PostgreSQL side of "Kafka partitions runs, PostgreSQL
 * decides". Built so far: the ledger of ingest partitions ({@link
 * org.phong.zenflow.logging.cluster.PartitionLedger}, table {@code cluster_partitions}, migration V4)
 * and the owner's fenced transactional write ({@link org.phong.zenflow.logging.cluster.FencedPartitionWriter}).
 * Not built: the Kafka producer, consumer loop and output-topic publisher that would drive them;
 * nothing here is wired into the server.
 *
 * <p><b>Invariants</b>
 * <ul>
 *   <li>A partition's epoch only grows; the claim that raised it last is the only one whose writes
 *       commit. A write locks the ledger row {@code FOR UPDATE} and checks epoch and next offset
 *       before anything else, so a claim and a write never interleave.</li>
 *   <li>Offsets: a write covers exactly {@code next_offset .. next_offset + n - 1} and moves
 *       {@code next_offset} by n in the same transaction as the rows: each record is stored exactly
 *       once, whatever the consumer redelivers.</li>
 *   <li>Seq: a run's next seq is {@code runs.last_seq + 1}, read under the fence and written in the
 *       same transaction; all of a run's records are in one partition (key = runId), so one writer at a
 *       time numbers a run, gap-free, in partition order.</li>
 *   <li>No state outside PostgreSQL: a writer caches nothing between writes, so a takeover needs no
 *       hand-over.</li>
 * </ul>
 * Data flows one way: this package uses {@code sink.postgres} (COPY encoding, partitions, runs table)
 * and {@code api}; nothing uses it yet.
 */
package org.phong.zenflow.logging.cluster;
