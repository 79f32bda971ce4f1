-- zenflow-logging schema v2: one row per run, kept by the PostgreSQL writer.
--
-- Invariants (see org.phong.zenflow.logging.sink.postgres.RunsTableWriter):
--  * entries/errors/warnings count the rows of the run that are stored in logs: they are raised in
--    the SAME transaction as the rows they count (the COPY, or the ON CONFLICT DO NOTHING merge, whose
--    RETURNING gives exactly the rows inserted), so a replayed batch never counts twice and a rolled
--    back batch never counts at all.
--  * last_seq is the highest stored seq of the run (greatest of the batches); last_ts the newest ts.
--  * started is the earliest of the start event's time and the run's oldest stored entry (least),
--    ended/outcome come from the end event. Every update is commutative (add, greatest, least, set
--    once-final), so batches and events may land in any order and any number of times.
--  * owner is the node that last wrote the run (informational).
--  * Retention deletes a run's row together with the partitions that held its entries (its last
--    activity is older than the retention cutoff).

CREATE TABLE runs (
    run_id      uuid        NOT NULL PRIMARY KEY,
    workflow_id uuid        NOT NULL,
    started     timestamptz NOT NULL,
    ended       timestamptz,
    outcome     text        CONSTRAINT runs_outcome_check CHECK (outcome IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')),
    entries     bigint      NOT NULL DEFAULT 0,
    errors      bigint      NOT NULL DEFAULT 0,
    warnings    bigint      NOT NULL DEFAULT 0,
    last_seq    bigint      NOT NULL DEFAULT 0,
    last_ts     timestamptz,
    owner       text        NOT NULL,
    updated     timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE runs IS 'zenflow runs: per-run aggregates of logs, written in the same transaction as the rows';

-- GET /api/v1/runs: newest start first, keyset (started, run_id); all, by workflow, active only, ended only.
CREATE INDEX idx_runs_started ON runs (started DESC, run_id DESC);
CREATE INDEX idx_runs_workflow_started ON runs (workflow_id, started DESC, run_id DESC);
CREATE INDEX idx_runs_active_started ON runs (started DESC, run_id DESC) WHERE ended IS NULL;
CREATE INDEX idx_runs_ended ON runs (ended) WHERE ended IS NOT NULL;
