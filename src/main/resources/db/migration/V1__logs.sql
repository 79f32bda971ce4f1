-- zenflow-logging schema v1: the durable store of workflow node logs.
--
-- Invariants (see org.phong.zenflow.logging.sink.postgres.package-info):
--  * (run_id, seq) identifies an entry; the physical key is (run_id, seq, ts) because every unique
--    key of a partitioned table must contain the partition key. Writers re-send identical ts
--    (truncated to microseconds by the Java side), so a replay hits the same key.
--  * One RANGE partition per UTC calendar month, named logs_yYYYYmMM. There is deliberately no
--    DEFAULT partition: a row for a missing month fails loudly (23514) instead of piling up in a
--    catch-all that would later block CREATE ... PARTITION OF for that range.
--  * Partitions are created ahead (here, and by PartitionMaintainer at run time) through
--    zenflow_ensure_log_partition, always in a short transaction of their own: creating a
--    partition takes ACCESS EXCLUSIVE on "logs", which must never be requested by a transaction
--    that already holds a lock on "logs" (deadlock with concurrent writers).
-- All month arithmetic is done on "timestamp without time zone" in UTC, so the session TimeZone
-- (which shifts timestamptz + interval '1 month') never moves a partition bound.

CREATE TABLE logs (
    workflow_id uuid        NOT NULL,
    run_id      uuid        NOT NULL,
    seq         bigint      NOT NULL,
    node_key    text        NOT NULL,
    ts          timestamptz NOT NULL,
    level       text        NOT NULL CONSTRAINT logs_level_check CHECK (level IN ('DEBUG', 'INFO', 'WARN', 'ERROR')),
    message     text        NOT NULL,
    error_code  text,
    metadata    jsonb,
    trace_id    text,
    hierarchy   text,
    CONSTRAINT logs_run_seq_ts_key UNIQUE (run_id, seq, ts)
) PARTITION BY RANGE (ts);

COMMENT ON TABLE logs IS 'zenflow node logs; monthly UTC partitions logs_yYYYYmMM; idempotency key (run_id, seq, ts)';

-- Console / support queries: a workflow's runs over time.
CREATE INDEX idx_logs_workflow_run_time ON logs (workflow_id, run_id, ts);
-- Alerting / dashboards: recent problems only; DEBUG/INFO (the bulk) stay out of this index.
CREATE INDEX idx_logs_level_time ON logs (level, ts) WHERE level IN ('ERROR', 'WARN');

-- Creates the month partition that contains p_ts (UTC month) unless it exists; returns its name.
-- Concurrency: a cheap to_regclass probe first (the common case: it exists, no lock taken); else a
-- transaction-scoped advisory lock per month serialises creators and the probe is repeated under
-- it. Trap: the loser of the race would NOT see the winner's committed table in that re-check,
-- because catalog caches only absorb other sessions' invalidations when a relation lock is
-- acquired (or a transaction starts), and an advisory lock is not one. Hence the ACCESS SHARE lock
-- on logs (conflicts only with the winner's ACCESS EXCLUSIVE, already released) before the
-- re-check, and duplicate_table is still swallowed as a last resort (e.g. a caller whose
-- transaction already held a lock on logs, where no fresh invalidations are processed).
-- The advisory lock is released at commit/rollback of the caller's transaction.
CREATE OR REPLACE FUNCTION zenflow_ensure_log_partition(ts timestamptz)
    RETURNS text
    LANGUAGE plpgsql
AS $$
DECLARE
    month_start timestamp := date_trunc('month', ts AT TIME ZONE 'UTC');
    month_end   timestamp := month_start + interval '1 month';
    part_name   text      := 'logs_' || to_char(month_start, '"y"YYYY"m"MM');
    parent_ns   text;
BEGIN
    SELECT n.nspname INTO parent_ns
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = 'logs'::regclass;

    IF to_regclass(format('%I.%I', parent_ns, part_name)) IS NOT NULL THEN
        RETURN part_name;
    END IF;

    -- Two-int4 key space: never collides with Flyway's single-bigint advisory locks.
    PERFORM pg_advisory_xact_lock(2054842470,
            (extract(year FROM month_start)::int * 100 + extract(month FROM month_start)::int));

    EXECUTE format('LOCK TABLE %I.logs IN ACCESS SHARE MODE', parent_ns);

    IF to_regclass(format('%I.%I', parent_ns, part_name)) IS NULL THEN
        BEGIN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.logs FOR VALUES FROM (%L) TO (%L)',
                           parent_ns, part_name, parent_ns,
                           to_char(month_start, 'YYYY-MM-DD HH24:MI:SS') || '+00',
                           to_char(month_end, 'YYYY-MM-DD HH24:MI:SS') || '+00');
        EXCEPTION WHEN duplicate_table THEN
            NULL; -- created concurrently after all: that is the goal
        END;
    END IF;
    RETURN part_name;
END
$$;

COMMENT ON FUNCTION zenflow_ensure_log_partition(timestamptz) IS
    'Creates the UTC-month partition of logs containing ts if missing (concurrency-safe); returns its name';

-- Previous, current and next two months (UTC) as of the migration; later months are created at
-- run time by PartitionMaintainer (ahead of time, and on demand for the month of any entry).
-- (A DO block rather than a SELECT: Flyway would print the SELECT's result table into the log.)
DO $$
BEGIN
    FOR m IN -1..2 LOOP
        PERFORM zenflow_ensure_log_partition(
                (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => m)) AT TIME ZONE 'UTC');
    END LOOP;
END
$$;
