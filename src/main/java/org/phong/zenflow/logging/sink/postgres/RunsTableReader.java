package org.phong.zenflow.logging.sink.postgres;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.RunOutcome;

/**
 * Reads the {@code runs} table for {@code GET /api/v1/runs}: newest start first, keyset-paginated
 * on {@code (started, run_id)}, filtered by workflow and state. Any node answers from the shared
 * table, so the list is the same whichever node serves it.
 *
 * <p>Every list query is one of sixteen constant SQL texts (4 states x workflow filter x cursor), input only
 * as bind parameters. Each is served by one of the {@code runs} indexes ({@code (started, run_id)},
 * {@code (workflow_id, started, run_id)}, the partial index of runs without end) without sorting.
 */
public final class RunsTableReader {
    /** How far back {@link State#RECENT} looks: runs that ended within this window. */
    static final String RECENT_WINDOW = "24 hours";
    /** Initial allocation of a page (it grows up to the limit). */
    private static final int PAGE_INITIAL_CAPACITY = 1024;

    private static final String SELECT = "SELECT run_id, workflow_id, started, ended, outcome, entries, errors, warnings,"
            + " last_seq, owner FROM runs WHERE true";
    private static final String BY_WORKFLOW = " AND workflow_id = ?";
    private static final String AFTER = " AND (started, run_id) < (?, ?)";
    private static final String ORDER = " ORDER BY started DESC, run_id DESC LIMIT ?";

    /** Which runs to list. */
    public enum State {
        /** Runs without a reported end. */
        ACTIVE(" AND ended IS NULL"),
        /** Runs that ended within {@link #RECENT_WINDOW}. */
        RECENT(" AND ended IS NOT NULL AND ended >= now() - interval '" + RECENT_WINDOW + "'"),
        /** Runs with a reported end. */
        ENDED(" AND ended IS NOT NULL"),
        /** Every run in the table. */
        ALL("");

        private final String filter;

        State(String filter) {
            this.filter = filter;
        }

        /**
         * @param field the parameter's name, for the error
         * @param text  the state's name, case-insensitive; null or blank for {@code dflt}
         * @param dflt  the state when none is given
         * @return the state
         * @throws InvalidLogEntryException naming {@code field} for anything else
         */
        public static State parse(String field, String text, State dflt) {
            if (text == null || text.isBlank()) return dflt;
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidLogEntryException(field, "must be active, recent, ended or all, not '" + text + "'");
            }
        }

        /** @return the lower-case name the API uses */
        public String apiName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One run as the table holds it.
     *
     * @param runId      the run
     * @param workflowId its workflow
     * @param started    its start event, or its oldest stored entry when earlier
     * @param ended      its end event's time; null while no end was reported
     * @param outcome    how it ended; null while no end was reported
     * @param entries    entries stored
     * @param errors     ERROR entries stored
     * @param warnings   WARN entries stored
     * @param lastSeq    highest seq stored
     * @param owner      the node that last wrote it
     */
    public record Run(UUID runId, UUID workflowId, Instant started, Instant ended, RunOutcome outcome,
                      long entries, long errors, long warnings, long lastSeq, String owner) {
    }

    /**
     * A position in the list: the last run of a page. Opaque to clients (URL-safe base64).
     *
     * @param started the run's start
     * @param runId   the run
     */
    public record Cursor(Instant started, UUID runId) {
        /** @return the cursor as the API passes it */
        public String encode() {
            String plain = started.getEpochSecond() + "." + started.getNano() + "|" + runId;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * @param field the parameter's name, for the error
         * @param text  an encoded cursor; null or blank for none
         * @return the cursor, or null for none
         * @throws InvalidLogEntryException naming {@code field} when the text is no cursor of this API
         */
        public static Cursor parse(String field, String text) {
            if (text == null || text.isBlank()) return null;
            try {
                String plain = new String(Base64.getUrlDecoder().decode(text.trim()), StandardCharsets.UTF_8);
                int bar = plain.indexOf('|');
                int dot = plain.indexOf('.');
                if (bar < 0 || dot < 0 || dot > bar) throw new IllegalArgumentException("shape");
                long sec = Long.parseLong(plain.substring(0, dot));
                int nano = Integer.parseInt(plain.substring(dot + 1, bar));
                UUID run = UUID.fromString(plain.substring(bar + 1));
                if (!run.toString().equals(plain.substring(bar + 1))) throw new IllegalArgumentException("uuid");
                return new Cursor(Instant.ofEpochSecond(sec, nano), run);
            } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
                throw new InvalidLogEntryException(field, "is not a cursor returned by this API");
            }
        }
    }

    /**
     * @param runs the page, newest start first
     * @param next where the next page starts; null when this is the last page
     */
    public record Page(List<Run> runs, Cursor next) {
        /** Copies the list. */
        public Page {
            runs = List.copyOf(runs);
        }
    }

    private final DataSource ds;

    /** @param ds the log database */
    public RunsTableReader(DataSource ds) {
        this.ds = ds;
    }

    /**
     * @param state      which runs
     * @param workflowId only this workflow's runs; null for all
     * @param after      start after this cursor (exclusive); null for the newest
     * @param limit      most runs in the page, at least 1
     * @return the page and the cursor of the next one
     * @throws SQLException when the database refuses
     */
    public Page list(State state, UUID workflowId, Cursor after, int limit) throws SQLException {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        String sql = SELECT + state.filter + (workflowId != null ? BY_WORKFLOW : "") + (after != null ? AFTER : "") + ORDER;
        List<Run> runs = new ArrayList<>(Math.min(limit, PAGE_INITIAL_CAPACITY) + 1);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            if (workflowId != null) ps.setObject(p++, workflowId);
            if (after != null) {
                ps.setObject(p++, OffsetDateTime.ofInstant(after.started(), java.time.ZoneOffset.UTC));
                ps.setObject(p++, after.runId());
            }
            ps.setInt(p, limit == Integer.MAX_VALUE ? limit : limit + 1); // one more: is there a next page?
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) runs.add(run(rs));
            }
        }
        Cursor next = null;
        if (runs.size() > limit) {
            runs.remove(runs.size() - 1);
            Run last = runs.get(runs.size() - 1);
            next = new Cursor(last.started(), last.runId());
        }
        return new Page(runs, next);
    }

    /**
     * The ended runs among some (by primary key); the live tail's run-end poll in cluster mode. Its last seq
     * counts the run's rejected entries too (one index probe of {@code logs_rejected} per ended run): the
     * owner gives a refused entry its seq and moves it there, so a run whose last entry was refused ends at
     * that seq, as the single-node sequencer reports it, and a session reads it from the history before
     * {@code run-ended}.
     */
    private static final String ENDED = "SELECT run_id, workflow_id, started, ended, outcome, entries, errors, warnings,"
            + " greatest(last_seq, (SELECT coalesce(max(j.seq), 0) FROM logs_rejected j WHERE j.run_id = runs.run_id)), owner"
            + " FROM runs WHERE run_id = ANY(?) AND ended IS NOT NULL";

    /**
     * Cluster mode's live tail asks this every poll interval for the runs it watches: a run's end is
     * stored in the same transaction as (or after) its entries, so a run listed here has every seq up
     * to its {@code lastSeq} stored in {@code logs} or {@code logs_rejected}.
     *
     * @param runIds runs to look at
     * @return those of them that have ended (any order); empty for none
     * @throws SQLException when the database refuses
     */
    public List<Run> ended(java.util.Collection<UUID> runIds) throws SQLException {
        if (runIds.isEmpty()) return List.of();
        List<Run> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(ENDED)) {
            ps.setArray(1, c.createArrayOf("uuid", runIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(run(rs));
            }
        }
        return out;
    }

    private static Run run(ResultSet rs) throws SQLException {
        OffsetDateTime ended = rs.getObject(4, OffsetDateTime.class);
        String outcome = rs.getString(5);
        return new Run(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                rs.getObject(3, OffsetDateTime.class).toInstant(), ended == null ? null : ended.toInstant(),
                outcome == null ? null : RunOutcome.valueOf(outcome), rs.getLong(6), rs.getLong(7), rs.getLong(8),
                rs.getLong(9), rs.getString(10));
    }
}
