-- zenflow-logging schema v3: the dead-letter table of the PostgreSQL sink.
--
-- An entry the database refuses for its own content (SQLState classes 22, 23 and 54: a number jsonb
-- cannot hold, an operator's CHECK constraint, a character the database encoding lacks) is isolated
-- from its batch by org.phong.zenflow.logging.sink.postgres.PoisonIsolator and lands here instead
-- of stalling every other entry. Invariants:
--  * (run_id, seq) is the key, as in logs: a replayed batch re-rejects idempotently (ON CONFLICT DO
--    NOTHING), and a run's seq is gap-free over logs and logs_rejected together.
--  * entry is the entry's JSON form (the API's LogEntry JSON) as TEXT, not jsonb: jsonb may refuse
--    the very value that got the entry rejected. Non-ASCII is escaped (\uXXXX) when the database
--    encoding cannot hold the text as is, so this insert does not fail for the same reason.
--  * Not partitioned: it holds exceptions, not traffic. Remove rows once handled (or replay them
--    into logs after fixing the cause; see docs/durability.md).

CREATE TABLE logs_rejected (
    run_id      uuid        NOT NULL,
    seq         bigint      NOT NULL,
    workflow_id uuid        NOT NULL,
    node_key    text        NOT NULL,
    ts          timestamptz NOT NULL,
    entry       text        NOT NULL,
    sqlstate    text,
    error       text        NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT logs_rejected_pkey PRIMARY KEY (run_id, seq)
);

COMMENT ON TABLE logs_rejected IS
    'zenflow node log entries the database refused (data errors); key (run_id, seq); entry is the JSON form as text';

-- Operators list recent rejections; the health data read the newest one.
CREATE INDEX idx_logs_rejected_time ON logs_rejected (rejected_at);
