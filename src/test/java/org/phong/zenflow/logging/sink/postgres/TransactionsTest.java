package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Commit, rollback and the lock timeout of {@link Transactions}, on a connection that records its calls. */
class TransactionsTest {
    private final List<String> calls = new ArrayList<>();
    private boolean rollbackFails;

    @Test
    void workThenCommit() throws SQLException {
        assertEquals("done", Transactions.commit(connection(), c -> {
            calls.add("work");
            return "done";
        }));
        assertEquals(List.of("work", "commit"), calls);
    }

    @Test
    void aFailureRollsBackAndIsRethrownWithAFailedRollbackSuppressed() {
        SQLException refused = new SQLException("refused", "40001");
        assertSame(refused, assertThrows(SQLException.class, () -> Transactions.commit(connection(), c -> {
            throw refused;
        })));
        IllegalStateException bug = new IllegalStateException("bug");
        rollbackFails = true;
        assertSame(bug, assertThrows(IllegalStateException.class, () -> Transactions.commit(connection(), c -> {
            throw bug;
        })));
        assertEquals("rollback failed", bug.getSuppressed()[0].getMessage());
        assertEquals(List.of("rollback", "rollback"), calls);
    }

    @Test
    void theLockTimeoutIsSetFirstInTheTransaction() throws SQLException {
        Transactions.commitWithLockTimeout(connection(), "5s", c -> calls.add("work"));
        assertEquals(List.of("SET LOCAL lock_timeout = '5s'", "close", "work", "commit"), calls);
    }

    /** A connection that records its calls (a statement's SQL and close, commit, rollback). */
    private Connection connection() {
        Statement statement = (Statement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Statement.class},
                (p, m, args) -> switch (m.getName()) {
                    case "execute" -> calls.add((String) args[0]);
                    case "close" -> {
                        calls.add("close");
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (p, m, args) -> switch (m.getName()) {
                    case "createStatement" -> statement;
                    case "commit" -> {
                        calls.add("commit");
                        yield null;
                    }
                    case "rollback" -> {
                        calls.add("rollback");
                        if (rollbackFails) throw new SQLException("rollback failed");
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
