package org.phong.zenflow.logging.sink.postgres;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.phong.zenflow.logging.testing.PerClass;

/** Partition creation ahead, on demand, cached, and under concurrency. */
class PartitionMaintainerTest {
    @RegisterExtension
    static final PerClass<Pg> PG = PerClass.of(Pg::startMigrated);

    @Test
    void ensuresPreviousToAheadMonthsInUtc() throws Exception {
        PartitionMaintainer m = new PartitionMaintainer(PG.get().ds);
        // 2040-01-01T00:30 UTC is still 2039-12-31 in New York: months follow UTC, not the JVM zone
        List<String> names = m.ensureMonthsAround(Instant.parse("2040-01-01T00:30:00Z"), 3);
        assertEquals(List.of("logs_y2039m12", "logs_y2040m01", "logs_y2040m02", "logs_y2040m03", "logs_y2040m04"), names);
        for (String n : names) assertEquals(1, PG.get().count("SELECT count(*) FROM pg_class WHERE relname = ?", n));
        assertTrue(m.isEnsured(YearMonth.of(2040, 4)));
        assertEquals(names, m.ensureMonthsAround(Instant.parse("2040-01-01T00:30:00Z"), 3)); // idempotent
    }

    @Test
    void cachesEnsuredMonths() throws Exception {
        PartitionMaintainer m = new PartitionMaintainer(PG.get().ds);
        Instant t = Instant.parse("2045-06-15T12:00:00Z");
        assertFalse(m.isEnsured(YearMonth.of(2045, 6)));
        m.ensureFor(List.of(t, t.plusSeconds(1), Instant.parse("2045-07-01T00:00:00Z")));
        assertTrue(m.isEnsured(YearMonth.of(2045, 6)));
        assertTrue(m.isEnsured(YearMonth.of(2045, 7)));
        // A cached month costs no round trip: prove it by dropping the table behind the cache.
        PG.get().exec("DROP TABLE logs_y2045m06");
        m.ensureFor(List.of(t));
        assertEquals(0, PG.get().count("SELECT count(*) FROM pg_class WHERE relname = 'logs_y2045m06'"));
        m.forget(List.of(YearMonth.of(2045, 6)));
        m.ensureFor(List.of(t));
        assertEquals(1, PG.get().count("SELECT count(*) FROM pg_class WHERE relname = 'logs_y2045m06'"));
    }

    @Test
    void concurrentCallersOfTheSameNewMonthBothSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 12; i++) {
                YearMonth month = YearMonth.of(2060, 1).plusMonths(i);
                Instant ts = month.atDay(10).atStartOfDay(ZoneOffset.UTC).toInstant();
                CyclicBarrier go = new CyclicBarrier(2);
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    PartitionMaintainer own = new PartitionMaintainer(PG.get().ds); // no shared cache
                    fs.add(pool.submit(() -> {
                        go.await(30, TimeUnit.SECONDS);
                        own.ensureFor(List.of(ts));
                        return null;
                    }));
                }
                for (Future<?> f : fs) f.get(30, TimeUnit.SECONDS);
                assertEquals(1, PG.get().count("SELECT count(*) FROM pg_class WHERE relname = ?",
                        PartitionMaintainer.partitionName(month)));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void loserOfTheRaceWaitsForTheWinnerAndReturnsTheSameName() throws Exception {
        OffsetDateTime ts = OffsetDateTime.of(2070, 5, 20, 0, 0, 0, 0, ZoneOffset.UTC);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection winner = PG.get().ds.getConnection()) {
            winner.setAutoCommit(false);
            assertEquals("logs_y2070m05", ensure(winner, ts)); // created, advisory lock held, not committed
            CountDownLatch started = new CountDownLatch(1);
            Future<String> loser = pool.submit(() -> {
                try (Connection c = PG.get().ds.getConnection()) {
                    started.countDown();
                    return ensure(c, ts.plusDays(5));
                }
            });
            assertTrue(started.await(30, TimeUnit.SECONDS), "the second caller started within 30 s");
            // Not a fixed wait: until PostgreSQL shows a caller blocked on the partition's advisory lock (or the loser returned).
            await("the second caller blocked on the advisory lock").atMost(Duration.ofSeconds(30))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                    .until(() -> loser.isDone() || PG.get().count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            + " AND wait_event_type = 'Lock' AND wait_event = 'advisory'") > 0);
            assertFalse(loser.isDone(), "the second caller should wait for the first one's transaction");
            winner.commit();
            assertEquals("logs_y2070m05", loser.get(30, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    private static String ensure(Connection c, OffsetDateTime ts) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT zenflow_ensure_log_partition(?)")) {
            ps.setObject(1, ts);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
