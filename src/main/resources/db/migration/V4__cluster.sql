-- zenflow-logging schema v4: cluster mode's ledger of ingest-topic partitions.
-- (V3 is logs_rejected.)
--
-- One row per Kafka partition of the ingest topic: which node owns it (owner), under which epoch,
-- and the next offset to consume (everything before it is in logs, counted in runs, in the same
-- transaction that moved next_offset).
-- Invariants (see org.phong.zenflow.logging.cluster.package-info):
--  * epoch only grows; a node that claims the partition raises it and is the only one whose writes
--    are accepted from then on: each write locks this row (FOR UPDATE) and checks its epoch first.
--  * next_offset only grows, by exactly the records a write consumed; a write that does not start
--    at next_offset is refused (a replay of what is already stored, or a gap).
--  * a run's seq counter is runs.last_seq, moved in the same transaction as its rows.

CREATE TABLE cluster_partitions (
    topic       text        NOT NULL,
    partition   int         NOT NULL CONSTRAINT cluster_partitions_partition_check CHECK (partition >= 0),
    epoch       bigint      NOT NULL CONSTRAINT cluster_partitions_epoch_check CHECK (epoch >= 1),
    owner       text        NOT NULL,
    next_offset bigint      NOT NULL DEFAULT 0 CONSTRAINT cluster_partitions_offset_check CHECK (next_offset >= 0),
    claimed     timestamptz NOT NULL DEFAULT now(),
    updated     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition)
);

COMMENT ON TABLE cluster_partitions IS 'zenflow cluster mode: owner, fencing epoch and next offset of each ingest partition';
