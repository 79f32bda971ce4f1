package org.phong.zenflow.logging.sink.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;

/**
 * One transaction on a connection whose auto-commit the caller has turned off: the work, then
 * commit; on failure rollback and the failure rethrown. The caller keeps its own auto-commit
 * handling (some restore it per transaction, some around a series of them).
 */
public final class Transactions {
    private Transactions() {
    }

    /** Work done inside the transaction. */
    @FunctionalInterface
    public interface Work<T> {
        /**
         * @param c the connection, in the transaction
         * @return what the transaction gives back
         * @throws SQLException when the database refuses; the transaction is rolled back
         */
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} and commits. On a {@link SQLException} or {@link RuntimeException} (from the
     * work or the commit) rolls back and rethrows it; a failed rollback is added to it as suppressed.
     *
     * @param c a connection with auto-commit off
     * @return what {@code work} returned
     */
    public static <T> T commit(Connection c, Work<T> work) throws SQLException {
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
    }

    /**
     * As {@link #commit(Connection, Work)}, with {@code SET LOCAL lock_timeout} first: for DDL that
     * takes ACCESS EXCLUSIVE on a table writers use, so it gives up after {@code lockTimeout} (and
     * is retried) instead of queueing every writer behind a long reader.
     *
     * @param lockTimeout a PostgreSQL interval, e.g. {@code 5s} (a constant, never user input)
     */
    public static <T> T commitWithLockTimeout(Connection c, String lockTimeout, Work<T> work) throws SQLException {
        return commit(c, tx -> {
            try (Statement s = tx.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '" + lockTimeout + "'");
            }
            return work.run(tx);
        });
    }

    /**
     * Runs {@code work} under a savepoint of the caller's open transaction: on success the savepoint is
     * released, on a {@link SQLException} or {@link RuntimeException} the transaction is rolled back to
     * it (so it stays usable, and nothing {@code work} did remains) and the failure rethrown; a failed
     * rollback is added to it as suppressed (the caller's transaction is then lost as a whole).
     *
     * @param c a connection with auto-commit off, inside a transaction
     * @return what {@code work} returned
     */
    public static <T> T underSavepoint(Connection c, Work<T> work) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try {
            T result = work.run(c);
            c.releaseSavepoint(sp);
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback(sp);
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
    }
}
