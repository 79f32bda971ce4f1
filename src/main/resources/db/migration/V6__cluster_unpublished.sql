-- zenflow-logging schema v6: cluster mode's output outbox.
--
-- One row per committed owner write that produced sequenced entries, inserted by
-- org.phong.zenflow.logging.cluster.FencedPartitionWriter in the SAME fenced transaction as those entries'
-- rows, and deleted once the node's OutputPublisher reports every entry of the write acknowledged by the
-- output topic (that DELETE rides on the partition's next write, or on the owner loop's idle sweep). A row
-- therefore exists for every write whose output may be incomplete: a crash between commit and
-- acknowledgement, a failed send, a write whose commit reply was lost. The next claim of the partition
-- (a takeover, or the same node after an offset mismatch) republishes the rows it does not hold in flight,
-- reading the entries back from logs. Invariants (see org.phong.zenflow.logging.cluster.package-info):
--  * (topic, partition, first_offset) is the write: the ingest partition and the first ledger offset the
--    write consumed. Offsets only grow and a write commits once, so the key is never reused.
--  * run_ids[i], from_seq[i], to_seq[i] (same length, checked) are the seq range the write gave run i:
--    the write numbers each run consecutively, so one range per run covers every entry it stored.
--  * written is when the write committed: min(written) is the age of the oldest write whose output is not
--    confirmed, for an operator.
--  * Not partitioned and not covered by retention: rows live for the time between a commit and Kafka's
--    acknowledgement (one per write in flight), or until the next claim after a failure. A row whose log
--    rows retention dropped first is counted and deleted by the republisher, never retried.

CREATE TABLE cluster_unpublished (
    topic        text        NOT NULL,
    partition    int         NOT NULL,
    first_offset bigint      NOT NULL,
    run_ids      uuid[]      NOT NULL,
    from_seq     bigint[]    NOT NULL,
    to_seq       bigint[]    NOT NULL,
    written      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition, first_offset),
    CONSTRAINT cluster_unpublished_ranges_check
        CHECK (cardinality(run_ids) = cardinality(from_seq) AND cardinality(run_ids) = cardinality(to_seq))
);

COMMENT ON TABLE cluster_unpublished IS
    'zenflow cluster mode: committed owner writes whose entries the output topic has not acknowledged yet (outbox)';
