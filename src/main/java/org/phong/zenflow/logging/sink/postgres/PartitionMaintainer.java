package org.phong.zenflow.logging.sink.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Makes sure the monthly (UTC) partitions of {@code logs} exist before rows are copied into them,
 * calling the migration's {@code zenflow_ensure_log_partition(ts)}.
 *
 * <p>Cost model: a thread-safe in-memory set remembers the months already ensured by this
 * instance, so after the first batch of a month a check is a hash lookup per distinct month of
 * the batch (the months are computed from the entries' ts, no allocation per entry beyond the
 * small set). Only an unseen month costs a round trip.
 *
 * <p>Locking rule: creating a partition takes ACCESS EXCLUSIVE on {@code logs}. Each ensure
 * therefore runs in a short transaction of its own, committed before the caller touches
 * {@code logs}, with a {@code lock_timeout} so that a long reader cannot stall a writer forever (the
 * writer fails, is retried, and the month is not cached). Callers must never invoke
 * {@link #ensureMonths(Connection, Collection)} inside a transaction that already used
 * {@code logs}.
 *
 * <p>The cache trusts that partitions are not dropped while this instance lives; a retention job
 * that drops old months should call {@link #forget} (the sink also forgets a batch's months when
 * PostgreSQL reports a missing partition, and retries once).
 */
public final class PartitionMaintainer {
    private static final Logger LOG = Logger.getLogger(PartitionMaintainer.class.getName());
    /** Longest wait for the ACCESS EXCLUSIVE lock on logs when a partition must be created. */
    static final String LOCK_TIMEOUT = "5s";

    private final DataSource ds;
    private final Set<YearMonth> ensured = ConcurrentHashMap.newKeySet();

    /** @param ds the log database */
    public PartitionMaintainer(DataSource ds) {
        this.ds = ds;
    }

    /**
     * Ensures the partitions from the month before {@code now} to {@code monthsAhead} months after
     * it (UTC); the startup and daily-maintenance call.
     *
     * @param now         the reference instant
     * @param monthsAhead months after the current one, at least 0
     * @return the names of the partitions, oldest first
     * @throws SQLException when the database refuses
     */
    public List<String> ensureMonthsAround(Instant now, int monthsAhead) throws SQLException {
        if (monthsAhead < 0) throw new IllegalArgumentException("monthsAhead must be >= 0, was " + monthsAhead);
        YearMonth current = month(now);
        List<YearMonth> months = new ArrayList<>();
        for (int i = -1; i <= monthsAhead; i++) months.add(current.plusMonths(i));
        try (Connection c = ds.getConnection()) {
            return create(c, months);
        }
    }

    /**
     * Ensures the partitions of the months of the given instants, skipping months already ensured.
     *
     * @param instants timestamps about to be written
     * @throws SQLException when the database refuses
     */
    public void ensureFor(Collection<Instant> instants) throws SQLException {
        Set<YearMonth> missing = missing(instants);
        if (missing.isEmpty()) return;
        try (Connection c = ds.getConnection()) {
            create(c, missing);
        }
    }

    /**
     * Ensures the given months on the caller's connection (the sink's), committing its own short
     * transaction; the connection's auto-commit mode is restored.
     *
     * @param c      a connection not inside a transaction that used {@code logs}
     * @param months the months to ensure; those already ensured cost nothing
     * @throws SQLException when the database refuses
     */
    public void ensureMonths(Connection c, Collection<YearMonth> months) throws SQLException {
        List<YearMonth> missing = new ArrayList<>();
        for (YearMonth m : months) if (!ensured.contains(m)) missing.add(m);
        if (!missing.isEmpty()) create(c, missing);
    }

    /**
     * @param months months whose partitions may have been dropped; the next write re-ensures them
     */
    public void forget(Collection<YearMonth> months) {
        ensured.removeAll(months);
    }

    /** @return true when this instance already ensured the month */
    public boolean isEnsured(YearMonth m) {
        return ensured.contains(m);
    }

    /**
     * @param ts an instant
     * @return its UTC month
     */
    public static YearMonth month(Instant ts) {
        LocalDate d = LocalDate.ofEpochDay(Math.floorDiv(ts.getEpochSecond(), 86_400L));
        return YearMonth.of(d.getYear(), d.getMonth());
    }

    /**
     * @param m a month
     * @return the name of its partition, e.g. {@code logs_y2026m11}
     */
    public static String partitionName(YearMonth m) {
        return String.format("logs_y%04dm%02d", m.getYear(), m.getMonthValue());
    }

    private Set<YearMonth> missing(Collection<Instant> instants) {
        Set<YearMonth> missing = new TreeSet<>();
        YearMonth last = null;
        for (Instant ts : instants) {
            YearMonth m = month(ts);
            if (m.equals(last)) continue; // batches are mostly one month: skip the hash lookup
            last = m;
            if (!ensured.contains(m)) missing.add(m);
        }
        return missing;
    }

    /** One transaction per month: a failure leaves earlier months created and cached. */
    private List<String> create(Connection c, Collection<YearMonth> months) throws SQLException {
        boolean auto = c.getAutoCommit();
        List<String> names = new ArrayList<>(months.size());
        try {
            c.setAutoCommit(false);
            for (YearMonth m : months) {
                names.add(createOne(c, m));
                ensured.add(m);
            }
        } finally {
            c.setAutoCommit(auto);
        }
        return names;
    }

    private String createOne(Connection c, YearMonth m) throws SQLException {
        String name = Transactions.commitWithLockTimeout(c, LOCK_TIMEOUT, tx -> {
            try (PreparedStatement ps = tx.prepareStatement("SELECT zenflow_ensure_log_partition(?)")) {
                ps.setObject(1, OffsetDateTime.of(m.getYear(), m.getMonthValue(), 1, 0, 0, 0, 0, ZoneOffset.UTC));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
        LOG.fine(() -> "Partition " + name + " ensured");
        return name;
    }
}
