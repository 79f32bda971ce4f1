package org.phong.zenflow.logging.sink.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;

/**
 * Keeps the {@code runs} table (migration {@code V2__runs.sql}): one row per run with its
 * workflow, start, end, outcome, stored entry/error/warning counts, last stored seq and owner.
 *
 * <p><b>Same transaction as the rows.</b> The sink calls {@link #copied} after a successful
 * {@code COPY} and before its commit, with the batch it copied: a COPY that did not fail inserted
 * every row of the batch (a stored or repeated key fails the whole COPY), so the batch's per-run
 * aggregates are exact. On the idempotent path the sink calls {@link #mergeStaging} instead, one
 * statement that inserts the staged rows with {@code ON CONFLICT DO NOTHING}, aggregates exactly the
 * rows its {@code RETURNING} reports, and upserts those. Either way the counts move iff the rows
 * commit, so a replayed batch (journal replay, a retry after an unknown commit outcome) never counts
 * twice.
 *
 * <p><b>Commutative updates.</b> entries/errors/warnings add up, last_seq and last_ts take the
 * greatest, started the least (start event time or oldest stored entry), ended/outcome are set by
 * the end event and never cleared. So batches of several nodes or sinks and the lifecycle events
 * ({@link #writeEvents}, in transactions of their own) may land in any order.
 *
 * <p><b>Lock order.</b> A batch may touch many runs and concurrent writers upsert the same hot rows;
 * every statement upserts its runs in PostgreSQL's uuid order (unsigned bytewise, {@link #PG_UUID_ORDER}
 * on the Java side), so two writers never wait on each other's rows in opposite orders.
 *
 * <p>Stateless apart from its owner name; thread-safe.
 */
public final class RunsTableWriter {
    /** PostgreSQL's uuid order: the 16 bytes compared unsigned, most significant first. */
    public static final Comparator<UUID> PG_UUID_ORDER = (a, b) -> {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    };

    /** The commutative merge of a run's aggregates (see the class comment). */
    private static final String ON_CONFLICT_AGGREGATES = " ON CONFLICT (run_id) DO UPDATE SET"
            + " started = least(r.started, excluded.started),"
            + " entries = r.entries + excluded.entries,"
            + " errors = r.errors + excluded.errors,"
            + " warnings = r.warnings + excluded.warnings,"
            + " last_seq = greatest(r.last_seq, excluded.last_seq),"
            + " last_ts = greatest(r.last_ts, excluded.last_ts),"
            + " owner = excluded.owner, updated = excluded.updated";

    static final String UPSERT_AGGREGATES = "INSERT INTO runs AS r (run_id, workflow_id, started, entries, errors,"
            + " warnings, last_seq, last_ts, owner, updated)"
            + " SELECT u.run_id::uuid, u.workflow_id::uuid, u.first_ts::timestamptz, u.n, u.e, u.w, u.s,"
            + " u.last_ts::timestamptz, ?, now()"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[], ?::int8[], ?::int8[], ?::text[])"
            + " WITH ORDINALITY AS u(run_id, workflow_id, first_ts, n, e, w, s, last_ts, i) ORDER BY u.i"
            + ON_CONFLICT_AGGREGATES;

    /**
     * Inserts the staged rows idempotently and counts exactly those inserted into their runs; the one
     * result row is the number of rows inserted. (Data-modifying CTEs run to completion whether or not
     * the main query reads them.)
     */
    static final String MERGE_STAGING_WITH_RUNS = "WITH ins AS (INSERT INTO logs (" + CopyEncoder.COLUMNS + ") SELECT "
            + CopyEncoder.COLUMNS + " FROM " + PostgresLogSink.STAGING + " ON CONFLICT DO NOTHING"
            + " RETURNING run_id, workflow_id, seq, level, ts),"
            + " agg AS (INSERT INTO runs AS r (run_id, workflow_id, started, entries, errors, warnings, last_seq, last_ts,"
            + " owner, updated)"
            + " SELECT run_id, (array_agg(workflow_id))[1], min(ts), count(*), count(*) FILTER (WHERE level = 'ERROR'),"
            + " count(*) FILTER (WHERE level = 'WARN'), max(seq), max(ts), ?, now() FROM ins GROUP BY run_id ORDER BY run_id"
            + ON_CONFLICT_AGGREGATES + " RETURNING 1)"
            + " SELECT count(*) FROM ins";

    /**
     * Start and end events: started is the least known start, ended/outcome are set once given (an
     * event without them keeps what is stored). A run unknown so far gets a row with its end as start.
     */
    static final String UPSERT_EVENTS = "INSERT INTO runs AS r (run_id, workflow_id, started, ended, outcome, owner, updated)"
            + " SELECT u.run_id::uuid, u.workflow_id::uuid, coalesce(u.started, u.ended)::timestamptz,"
            + " u.ended::timestamptz, u.outcome, ?, now()"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
            + " WITH ORDINALITY AS u(run_id, workflow_id, started, ended, outcome, i) ORDER BY u.i"
            + " ON CONFLICT (run_id) DO UPDATE SET"
            + " started = least(r.started, excluded.started),"
            + " ended = coalesce(excluded.ended, r.ended),"
            + " outcome = coalesce(excluded.outcome, r.outcome),"
            + " owner = excluded.owner, updated = excluded.updated";

    /**
     * A run's start and/or end, as the pipeline reports it.
     *
     * @param runId      the run
     * @param workflowId its workflow
     * @param started    when it started, or null when only its end is reported
     * @param ended      when it ended, or null while it runs
     * @param outcome    how it ended; non-null exactly when {@code ended} is
     */
    public record RunEvent(UUID runId, UUID workflowId, Instant started, Instant ended, RunOutcome outcome) {
        /** Validates ids and that an end comes with its outcome. */
        public RunEvent {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(workflowId, "workflowId");
            if ((ended == null) != (outcome == null)) throw new IllegalArgumentException("ended and outcome go together");
            if (started == null && ended == null) throw new IllegalArgumentException("an event has a start or an end");
        }

        /**
         * @param later an event of the same run reported after this one
         * @return both in one: the earlier start, the later end
         */
        public RunEvent merge(RunEvent later) {
            Instant s = started == null ? later.started : later.started == null ? started
                    : started.isBefore(later.started) ? started : later.started;
            return later.ended != null ? new RunEvent(runId, workflowId, s, later.ended, later.outcome)
                    : new RunEvent(runId, workflowId, s, ended, outcome);
        }
    }

    private final String owner;

    /** @param owner this node's name, stored as each written run's owner */
    public RunsTableWriter(String owner) {
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /** @return this node's name as the runs table shows it */
    public String owner() {
        return owner;
    }

    /**
     * @return a name for this process: host name and process id (several servers on one host differ)
     */
    public static String defaultOwner() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | RuntimeException e) {
            host = "localhost";
        }
        return host + "/" + ProcessHandle.current().pid();
    }

    /**
     * Adds a batch that was copied in full to its runs, on the caller's open transaction.
     *
     * @param c       the sink's connection, inside the transaction that copied the batch
     * @param entries the batch (every entry inserted)
     * @throws SQLException when the upsert fails; the caller rolls back rows and counts together
     */
    public void copied(Connection c, List<LogEntry> entries) throws SQLException {
        copied(c, aggregate(entries));
    }

    /**
     * The per-run aggregates of a batch, computed without the database (the sink computes them while the
     * server still works through the batch's COPY, so this Java work hides behind it).
     *
     * @param entries the batch
     * @return what {@link #copied(Connection, RunAggregates)} upserts, in PostgreSQL's uuid order
     */
    public static RunAggregates aggregate(List<LogEntry> entries) {
        Map<UUID, Aggregate> byRun = new TreeMap<>(PG_UUID_ORDER);
        Aggregate last = null;
        UUID lastRun = null;
        for (LogEntry e : entries) {
            // Batches hold runs' entries in stretches; the last run's aggregate saves most map look-ups.
            if (e.runId() != lastRun && !e.runId().equals(lastRun)) {
                lastRun = e.runId();
                last = byRun.computeIfAbsent(lastRun, k -> new Aggregate(e.workflowId()));
            }
            last.add(e);
        }
        int n = byRun.size();
        RunAggregates a = new RunAggregates(n);
        int i = 0;
        for (Map.Entry<UUID, Aggregate> m : byRun.entrySet()) {
            Aggregate x = m.getValue();
            a.run[i] = m.getKey().toString();
            a.workflow[i] = x.workflowId.toString();
            a.first[i] = CopyEncoder.truncate(x.firstTs).toString();
            a.last[i] = CopyEncoder.truncate(x.lastTs).toString();
            a.count[i] = x.count;
            a.errors[i] = x.errors;
            a.warnings[i] = x.warnings;
            a.seq[i] = x.lastSeq;
            i++;
        }
        return a;
    }

    /**
     * Upserts aggregates computed by {@link #aggregate} for a batch that was copied in full, on the caller's
     * open transaction.
     *
     * @throws SQLException when the upsert fails; the caller rolls back rows and counts together
     */
    public void copied(Connection c, RunAggregates a) throws SQLException {
        if (a.run.length == 0) return;
        try (PreparedStatement ps = c.prepareStatement(UPSERT_AGGREGATES)) {
            int p = 1;
            ps.setString(p++, owner);
            ps.setArray(p++, c.createArrayOf("text", a.run));
            ps.setArray(p++, c.createArrayOf("text", a.workflow));
            ps.setArray(p++, c.createArrayOf("text", a.first));
            ps.setArray(p++, c.createArrayOf("int8", a.count));
            ps.setArray(p++, c.createArrayOf("int8", a.errors));
            ps.setArray(p++, c.createArrayOf("int8", a.warnings));
            ps.setArray(p++, c.createArrayOf("int8", a.seq));
            ps.setArray(p, c.createArrayOf("text", a.last));
            ps.executeUpdate();
        }
    }

    /** A batch's per-run aggregates as the upsert's parallel arrays (one index per run, uuid order). */
    public static final class RunAggregates {
        final String[] run;
        final String[] workflow;
        final String[] first;
        final String[] last;
        final Long[] count;
        final Long[] errors;
        final Long[] warnings;
        final Long[] seq;

        private RunAggregates(int n) {
            run = new String[n];
            workflow = new String[n];
            first = new String[n];
            last = new String[n];
            count = new Long[n];
            errors = new Long[n];
            warnings = new Long[n];
            seq = new Long[n];
        }

        /** @return runs in the batch */
        public int runs() {
            return run.length;
        }
    }

    /**
     * Moves the staged rows into {@code logs} with {@code ON CONFLICT DO NOTHING} and adds exactly the
     * inserted ones to their runs, on the caller's open transaction.
     *
     * @param c the sink's connection; the staging table is filled
     * @return rows inserted (the rest were stored already or repeated in the batch)
     * @throws SQLException when the statement fails; the caller rolls back
     */
    public int mergeStaging(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(MERGE_STAGING_WITH_RUNS)) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Writes start/end events in one statement on the caller's connection (its transaction, or
     * auto-commit). Idempotent: writing the same events again changes nothing but {@code updated}.
     *
     * @param c      a connection
     * @param events at most one per run
     * @throws SQLException when the database refuses
     */
    public void writeEvents(Connection c, Collection<RunEvent> events) throws SQLException {
        if (events.isEmpty()) return;
        List<RunEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(RunEvent::runId, PG_UUID_ORDER));
        int n = sorted.size();
        String[] run = new String[n], wf = new String[n], started = new String[n], ended = new String[n], outcome = new String[n];
        for (int i = 0; i < n; i++) {
            RunEvent e = sorted.get(i);
            run[i] = e.runId().toString();
            wf[i] = e.workflowId().toString();
            started[i] = e.started() == null ? null : CopyEncoder.truncate(e.started()).toString();
            ended[i] = e.ended() == null ? null : CopyEncoder.truncate(e.ended()).toString();
            outcome[i] = e.outcome() == null ? null : e.outcome().name();
        }
        try (PreparedStatement ps = c.prepareStatement(UPSERT_EVENTS)) {
            int p = 1;
            ps.setString(p++, owner);
            ps.setArray(p++, c.createArrayOf("text", run));
            ps.setArray(p++, c.createArrayOf("text", wf));
            ps.setArray(p++, c.createArrayOf("text", started));
            ps.setArray(p++, c.createArrayOf("text", ended));
            ps.setArray(p, c.createArrayOf("text", outcome));
            ps.executeUpdate();
        }
    }

    /** One run's share of a batch. */
    private static final class Aggregate {
        final UUID workflowId;
        long count;
        long errors;
        long warnings;
        long lastSeq;
        Instant firstTs;
        Instant lastTs;

        Aggregate(UUID workflowId) {
            this.workflowId = workflowId;
        }

        void add(LogEntry e) {
            count++;
            if (e.level() == LogLevel.ERROR) errors++;
            else if (e.level() == LogLevel.WARN) warnings++;
            lastSeq = Math.max(lastSeq, e.seq());
            if (firstTs == null || e.ts().isBefore(firstTs)) firstTs = e.ts();
            if (lastTs == null || e.ts().isAfter(lastTs)) lastTs = e.ts();
        }
    }
}
