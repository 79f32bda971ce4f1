package org.phong.zenflow.logging.sink.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Removes stored logs older than the retention: every monthly partition of a retained table whose
 * whole month lies before the cutoff ({@code now - days}) is detached and dropped; a retained table
 * that is not partitioned has its old rows deleted; the {@code runs} rows whose last activity is
 * before the cutoff's month (so whose entries' partitions are all gone) go too.
 *
 * <p><b>One node at a time.</b> A pass first takes a session-level PostgreSQL advisory lock with
 * {@code pg_try_advisory_lock} on its own connection; a node that does not get it skips the pass
 * (counted as {@link #skippedPasses()}) instead of waiting, so with N nodes exactly one works per
 * period and the others cost one round trip. The lock is released at the end of the pass; if the
 * release itself fails the connection is aborted, so the pool never hands out a session still
 * holding it (a server session's advisory locks end with the session).
 *
 * <p><b>Locking against writers.</b> {@code DETACH PARTITION} and {@code DROP TABLE} take ACCESS
 * EXCLUSIVE on the parent: each partition goes in a short transaction of its own with a
 * {@code lock_timeout} (as partition creation does, {@link PartitionMaintainer}), so writers wait at
 * most that long and a long reader makes the pass fail and retry next period rather than stall
 * writers. A writer whose cached month was dropped meanwhile gets "no partition" (23514), forgets it
 * and re-creates it ({@link PostgresLogSink}); the next pass drops that late month again.
 *
 * <p><b>Which tables.</b> {@link #TABLES}: adding a table (e.g. {@code logs_rejected}) is one entry;
 * a table that does not exist (yet) is skipped. Partitions are recognised by the naming of
 * {@link PartitionMaintainer#partitionName}, {@code <table>_yYYYYmMM}; a partition named otherwise
 * is left alone. A month is dropped when its end is at or before the cutoff, so nothing younger than
 * the retention is ever removed (a partition lives up to a month past it).
 *
 * <p>Time comes from the injected clock only (tests move it).
 */
public final class RetentionMaintainer {
    private static final Logger LOG = Logger.getLogger(RetentionMaintainer.class.getName());

    /**
     * A table retention applies to.
     *
     * @param name     table name (lower-case SQL identifier)
     * @param tsColumn its timestamptz column that ages rows (the partition key when partitioned)
     */
    public record RetainedTable(String name, String tsColumn) {
        private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

        /** Refuses anything but plain lower-case identifiers (they are spliced into DDL). */
        public RetainedTable {
            if (!IDENTIFIER.matcher(Objects.requireNonNull(name)).matches()) throw new IllegalArgumentException("table " + name);
            if (!IDENTIFIER.matcher(Objects.requireNonNull(tsColumn)).matches()) throw new IllegalArgumentException("column " + tsColumn);
        }
    }

    /** The tables kept for {@code retention.days}. */
    public static final List<RetainedTable> TABLES = List.of(
            new RetainedTable("logs", "ts"),
            new RetainedTable("logs_rejected", "ts"));

    /** Advisory lock key (two int4 keys: never collides with Flyway's bigint lock or the partition locks' class). */
    static final int LOCK_CLASS = 2054842471;
    static final int LOCK_ID = 1;
    /** Longest wait for the ACCESS EXCLUSIVE lock on a parent while detaching one of its partitions. */
    static final String LOCK_TIMEOUT = "5s";

    /** Test hook: called while the pass holds the lock, before each partition is detached. */
    @FunctionalInterface
    public interface Observer {
        /** Ignores everything. */
        Observer NONE = (table, partition) -> {
        };

        /**
         * @param table     the parent
         * @param partition the partition about to be detached and dropped
         */
        void dropping(String table, String partition);
    }

    /**
     * What one {@link #runOnce} did.
     *
     * @param ran               false when retention is off or another node held the lock
     * @param cutoff            entries before this were removed (null when off)
     * @param droppedPartitions partitions dropped, as {@code table.partition}
     * @param deletedRows       rows deleted from retained tables that are not partitioned
     * @param deletedRuns       rows deleted from {@code runs}
     */
    public record Pass(boolean ran, Instant cutoff, List<String> droppedPartitions, long deletedRows, long deletedRuns) {
        /** Copies the list. */
        public Pass {
            droppedPartitions = List.copyOf(droppedPartitions);
        }
    }

    private final DataSource ds;
    private final int days;
    private final Supplier<Instant> clock;
    private final List<RetainedTable> tables;
    private final Observer observer;
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong partitionsDropped = new AtomicLong();
    private final AtomicLong rowsDeleted = new AtomicLong();
    private final AtomicLong runsDeleted = new AtomicLong();

    /**
     * @param ds    the log database
     * @param days  retention in days; 0 keeps everything
     * @param clock the wall clock
     */
    public RetentionMaintainer(DataSource ds, int days, Supplier<Instant> clock) {
        this(ds, days, clock, TABLES, Observer.NONE);
    }

    /**
     * @param ds       the log database
     * @param days     retention in days; 0 keeps everything
     * @param clock    the wall clock
     * @param tables   the retained tables
     * @param observer hears each partition before it is dropped (tests)
     */
    public RetentionMaintainer(DataSource ds, int days, Supplier<Instant> clock, List<RetainedTable> tables, Observer observer) {
        if (days < 0) throw new IllegalArgumentException("days must be >= 0, was " + days);
        this.ds = Objects.requireNonNull(ds);
        this.days = days;
        this.clock = Objects.requireNonNull(clock);
        this.tables = List.copyOf(tables);
        this.observer = Objects.requireNonNull(observer);
    }

    /**
     * One retention pass, if this node gets the lock.
     *
     * @return what it did
     * @throws SQLException when the database refused (what was dropped before stays dropped; the next
     *                      pass continues)
     */
    public Pass runOnce() throws SQLException {
        if (days == 0) return new Pass(false, null, List.of(), 0, 0);
        Instant cutoff = clock.get().minus(Duration.ofDays(days));
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            if (!auto) c.setAutoCommit(true);
            if (!tryLock(c)) {
                skipped.incrementAndGet();
                return new Pass(false, cutoff, List.of(), 0, 0);
            }
            try {
                Pass p = pass(c, cutoff);
                passes.incrementAndGet();
                return p;
            } catch (SQLException | RuntimeException e) {
                failures.incrementAndGet();
                throw e;
            } finally {
                unlock(c);
                if (!auto) c.setAutoCommit(false);
            }
        }
    }

    private Pass pass(Connection c, Instant cutoff) throws SQLException {
        List<String> dropped = new ArrayList<>();
        long rows = 0;
        for (RetainedTable t : tables) {
            String kind = relkind(c, t.name());
            if (kind == null) continue; // not (yet) in this schema
            if ("p".equals(kind)) {
                for (String part : expiredPartitions(c, t.name(), cutoff)) {
                    observer.dropping(t.name(), part);
                    drop(c, t.name(), part);
                    partitionsDropped.incrementAndGet();
                    dropped.add(t.name() + "." + part);
                    LOG.info(() -> "Retention dropped partition " + part + " of " + t.name() + " (cutoff " + cutoff + ")");
                }
            } else if (!hasColumn(c, t)) {
                LOG.warning(() -> "Retention skips table " + t.name() + ": it has no column " + t.tsColumn());
            } else {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.name() + " WHERE " + t.tsColumn() + " < ?")) {
                    ps.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
                    long n = ps.executeUpdate();
                    rows += n;
                    rowsDeleted.addAndGet(n);
                }
            }
        }
        long runs = 0;
        if (relkind(c, "runs") != null) {
            // A run goes with the last partition of its entries: when its last activity is before the
            // cutoff's month (every partition before that month is dropped by now), not before the cutoff.
            Instant monthStart = PartitionMaintainer.month(cutoff).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM runs WHERE greatest(started, ended, last_ts) < ?")) {
                ps.setObject(1, OffsetDateTime.ofInstant(monthStart, ZoneOffset.UTC));
                runs = ps.executeUpdate();
                runsDeleted.addAndGet(runs);
            }
        }
        return new Pass(true, cutoff, dropped, rows, runs);
    }

    /** @return the partitions of {@code table} named {@code <table>_yYYYYmMM} whose month ends at or before the cutoff, oldest first */
    static List<String> expiredPartitions(Connection c, String table, Instant cutoff) throws SQLException {
        Pattern named = Pattern.compile(Pattern.quote(table) + "_y(\\d{4})m(\\d{2})");
        List<YearMonth> months = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT k.relname FROM pg_inherits i JOIN pg_class k ON k.oid = i.inhrelid WHERE i.inhparent = to_regclass(?)")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Matcher m = named.matcher(rs.getString(1));
                    if (!m.matches()) continue;
                    int month = Integer.parseInt(m.group(2));
                    if (month < 1 || month > 12) continue;
                    YearMonth ym = YearMonth.of(Integer.parseInt(m.group(1)), month);
                    Instant end = ym.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                    if (!end.isAfter(cutoff)) months.add(ym);
                }
            }
        }
        months.sort(null);
        List<String> names = new ArrayList<>(months.size());
        for (YearMonth m : months) names.add(String.format("%s_y%04dm%02d", table, m.getYear(), m.getMonthValue()));
        return names;
    }

    private static void drop(Connection c, String table, String partition) throws SQLException {
        c.setAutoCommit(false);
        try {
            Transactions.commitWithLockTimeout(c, LOCK_TIMEOUT, tx -> {
                try (Statement s = tx.createStatement()) {
                    s.execute("ALTER TABLE " + table + " DETACH PARTITION " + partition);
                    s.execute("DROP TABLE " + partition);
                }
                return null;
            });
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static boolean hasColumn(Connection c, RetainedTable t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = ? AND NOT attisdropped")) {
            ps.setString(1, t.name());
            ps.setString(2, t.tsColumn());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String relkind(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT relkind::text FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            ps.setInt(1, LOCK_CLASS);
            ps.setInt(2, LOCK_ID);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Releases the session lock; a connection that cannot is aborted so the pool discards its session. */
    private static void unlock(Connection c) {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
            ps.setInt(1, LOCK_CLASS);
            ps.setInt(2, LOCK_ID);
            ps.execute();
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "Could not release the retention lock; discarding the connection", e);
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException ex) {
                LOG.log(Level.FINE, "abort failed", ex);
            }
        }
    }

    /** @return the retention in days (0: forever) */
    public int days() { return days; }

    /** @return passes this node ran (it held the lock) */
    public long passes() { return passes.get(); }

    /** @return passes skipped because another node held the lock */
    public long skippedPasses() { return skipped.get(); }

    /** @return passes that failed part-way */
    public long failedPasses() { return failures.get(); }

    /** @return partitions this node dropped */
    public long partitionsDropped() { return partitionsDropped.get(); }

    /** @return rows this node deleted from retained tables that are not partitioned */
    public long rowsDeleted() { return rowsDeleted.get(); }

    /** @return runs rows this node deleted */
    public long runsDeleted() { return runsDeleted.get(); }
}
