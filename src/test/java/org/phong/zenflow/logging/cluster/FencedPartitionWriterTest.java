package org.phong.zenflow.logging.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.cluster.IngestRecord.Ended;
import org.phong.zenflow.logging.cluster.IngestRecord.Entry;
import org.phong.zenflow.logging.cluster.IngestRecord.Started;
import org.phong.zenflow.logging.sink.postgres.PartitionMaintainer;
import org.phong.zenflow.logging.sink.postgres.RunsTableWriter;
import org.phong.zenflow.logging.testing.Databases;

/**
 * The fenced transactional write against a real PostgreSQL: seq from the stored last seq, rows +
 * counts + events + offset in one transaction, a stale owner refused, a replayed offset refused, and
 * a takeover in the middle of a stream of writes losing and duplicating nothing.
 */
class FencedPartitionWriterTest {
    private static final String TOPIC = "zenflow-ingest";
    private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
    private static EmbeddedPostgres pg;
    private static int databases;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private static DataSource freshDatabase() throws SQLException {
        return Databases.createMigrated(pg, "cluster_" + (++databases));
    }

    private static FencedPartitionWriter writer(DataSource ds, String node) {
        return new FencedPartitionWriter(ds, new PartitionMaintainer(ds), new RunsTableWriter(node));
    }

    private static Entry entry(UUID wf, UUID run, long offset) {
        return new Entry(LogEntry.builder().workflowId(wf).runId(run).nodeKey("n").ts(T0.plusMillis(offset))
                .level(offset % 10 == 0 ? LogLevel.ERROR : LogLevel.INFO).message("offset " + offset).build());
    }

    @Test
    void assignsSeqPerRunInPartitionOrderAndCommitsRowsCountsEventsAndOffsetTogether() throws Exception {
        DataSource ds = freshDatabase();
        PartitionClaim a = new PartitionLedger(ds).claim(TOPIC, 3, "node-a");
        assertEquals(new PartitionClaim(TOPIC, 3, 1, "node-a", 0), a);
        UUID wf = UUID.randomUUID();
        UUID r1 = UUID.randomUUID();
        UUID r2 = UUID.randomUUID();
        List<IngestRecord> batch = List.of(new Started(wf, r1, T0), entry(wf, r1, 1), entry(wf, r2, 2), entry(wf, r1, 3),
                new Ended(r1, RunOutcome.SUCCEEDED, T0.plusSeconds(1)), new Ended(UUID.randomUUID(), RunOutcome.FAILED, T0));
        FencedPartitionWriter.Written w = writer(ds, "node-a").write(a, 0, batch);
        assertEquals(6, w.nextOffset());
        assertEquals(1, w.endsIgnored(), "the end of a run never seen here");
        assertEquals(List.of(1L, 1L, 2L), w.sequenced().stream().map(LogEntry::seq).toList());
        assertEquals(List.of("offset 1", "offset 3"), messages(ds, r1));
        assertEquals(6, new PartitionLedger(ds).current(TOPIC, 3).orElseThrow().nextOffset());
        assertEquals("2|SUCCEEDED|node-a", runRow(ds, r1));
        assertEquals("1|null|node-a", runRow(ds, r2));

        // An end as the first record of a later write, with no entry after it: it still lands.
        PartitionClaim b = new PartitionLedger(ds).claim(TOPIC, 3, "node-b");
        assertEquals(2, b.epoch());
        assertEquals(6, b.nextOffset());
        writer(ds, "node-b").write(b, 6, List.of(new Ended(r2, RunOutcome.CANCELLED, T0.plusSeconds(2))));
        assertEquals("1|CANCELLED|node-b", runRow(ds, r2));
        // The run continues from its stored last seq under the new owner.
        FencedPartitionWriter.Written more = writer(ds, "node-b").write(b, 7, List.of(entry(wf, r1, 7), entry(wf, r1, 8)));
        assertEquals(List.of(3L, 4L), more.sequenced().stream().map(LogEntry::seq).toList());
    }

    @Test
    void aStaleOwnerAndAReplayedOffsetAreRefusedAndWriteNothing() throws Exception {
        DataSource ds = freshDatabase();
        PartitionLedger ledger = new PartitionLedger(ds);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        PartitionClaim a = ledger.claim(TOPIC, 0, "node-a");
        writer(ds, "node-a").write(a, 0, List.of(entry(wf, run, 0), entry(wf, run, 1)));
        PartitionClaim b = ledger.claim(TOPIC, 0, "node-b");

        FencedException fenced = assertThrows(FencedException.class,
                () -> writer(ds, "node-a").write(a, 2, List.of(entry(wf, run, 2))));
        assertEquals(FencedException.SQL_STATE, fenced.getSQLState());
        OffsetMismatchException replay = assertThrows(OffsetMismatchException.class,
                () -> writer(ds, "node-b").write(b, 0, List.of(entry(wf, run, 0))));
        assertEquals(2, replay.expected());
        assertThrows(OffsetMismatchException.class, () -> writer(ds, "node-b").write(b, 5, List.of(entry(wf, run, 5))), "a gap");
        assertThrows(FencedException.class, () -> writer(ds, "node-a").write(new PartitionClaim(TOPIC, 9, 1, "node-a", 0), 0,
                List.of(entry(wf, run, 0))), "a partition nobody claimed");
        assertEquals(List.of("offset 0", "offset 1"), messages(ds, run), "nothing of the refused writes");
        assertEquals("2|null|node-a", runRow(ds, run));
        assertEquals(2, ledger.current(TOPIC, 0).orElseThrow().nextOffset());
    }

    @Test
    void aTakeoverDuringAStreamOfWritesLosesAndDuplicatesNothing() throws Exception {
        DataSource ds = freshDatabase();
        PartitionLedger ledger = new PartitionLedger(ds);
        UUID wf = UUID.randomUUID();
        UUID[] runs = {UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()};
        int total = 3000;
        int perWrite = 25;
        // The "topic": offset o holds an entry of run o % 3.
        List<IngestRecord> topic = new ArrayList<>();
        for (int o = 0; o < total; o++) topic.add(entry(wf, runs[o % 3], o));
        PartitionClaim a = ledger.claim(TOPIC, 1, "node-a");
        CountDownLatch aWrote = new CountDownLatch(20);
        AtomicReference<Throwable> aStopped = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // node-a consumes from 0 until it is fenced.
            Future<?> fa = pool.submit(() -> {
                long next = 0;
                FencedPartitionWriter w = writer(ds, "node-a");
                try {
                    while (next < total) {
                        int n = (int) Math.min(perWrite, total - next);
                        next = w.write(a, next, topic.subList((int) next, (int) next + n)).nextOffset();
                        aWrote.countDown();
                    }
                } catch (FencedException e) {
                    aStopped.set(e);
                } catch (Exception e) {
                    aStopped.set(e);
                    throw new IllegalStateException(e);
                }
                return null;
            });
            assertTrue(aWrote.await(60, TimeUnit.SECONDS), "node-a wrote 20 batches");
            // node-b is assigned the partition (a rebalance) while node-a still writes: it claims and resumes.
            Future<?> fb = pool.submit(() -> {
                PartitionClaim b = ledger.claim(TOPIC, 1, "node-b");
                FencedPartitionWriter w = writer(ds, "node-b");
                long next = b.nextOffset();
                while (next < total) {
                    int n = (int) Math.min(perWrite, total - next);
                    next = w.write(b, next, topic.subList((int) next, (int) next + n)).nextOffset();
                }
                return null;
            });
            fa.get(120, TimeUnit.SECONDS);
            fb.get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertTrue(aStopped.get() instanceof FencedException, "node-a was fenced: " + aStopped.get());
        // Read to the end and compare entry by entry: every offset exactly once, each run 1..N gap-free in offset order.
        Map<String, Integer> seen = new HashMap<>();
        for (UUID run : runs) {
            List<String> msgs = messages(ds, run);
            for (String m : msgs) seen.merge(m, 1, Integer::sum);
            List<String> expected = new ArrayList<>();
            for (int o = 0; o < total; o++) if (topic.get(o).runId().equals(run)) expected.add("offset " + o);
            assertEquals(expected, msgs, "run " + run + " in seq order is its offsets in order, no gap, no duplicate");
            assertEquals(expected.size() + "|null|node-b", runRow(ds, run));
        }
        assertEquals(total, seen.size());
        assertTrue(seen.values().stream().allMatch(n -> n == 1));
        assertEquals(total, ledger.current(TOPIC, 1).orElseThrow().nextOffset());
    }

    @Test
    void offsetsWithoutARowAreConsumedInTheSameFencedTransaction() throws Exception {
        DataSource ds = freshDatabase();
        PartitionLedger ledger = new PartitionLedger(ds);
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        PartitionClaim a = ledger.claim(TOPIC, 2, "node-a");
        // Offsets 0..4: 1 and 3 did not decode (the consumer passes only 0, 2 and 4).
        FencedPartitionWriter.Written w = writer(ds, "node-a").write(a, 0, 5, List.of(entry(wf, run, 0), entry(wf, run, 2), entry(wf, run, 4)));
        assertEquals(5, w.nextOffset());
        assertEquals(List.of(1L, 2L, 3L), w.sequenced().stream().map(LogEntry::seq).toList());
        // A write of nothing but undecodable records only moves the offset, and is fenced like any other.
        assertEquals(7, writer(ds, "node-a").write(a, 5, 2, List.of()).nextOffset());
        assertThrows(OffsetMismatchException.class, () -> writer(ds, "node-a").write(a, 5, 1, List.of()));
        ledger.claim(TOPIC, 2, "node-b");
        assertThrows(FencedException.class, () -> writer(ds, "node-a").write(a, 7, 1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> writer(ds, "node-a").write(a, 7, 1, List.of(entry(wf, run, 7), entry(wf, run, 8))));
        assertThrows(IllegalArgumentException.class, () -> writer(ds, "node-a").write(a, 7, 0, List.of()));
        assertEquals(List.of("offset 0", "offset 2", "offset 4"), messages(ds, run));
        assertEquals(7, ledger.current(TOPIC, 2).orElseThrow().nextOffset());
    }

    /**
     * The output outbox: a write with entries records its per-run seq ranges in its own transaction, a
     * refused write records nothing, a write without entries records no row, and confirmed rows go with the
     * partition's next write; the rows read back as the stored entries, and what retention dropped is absent.
     */
    @Test
    void theOutboxRowIsCommittedWithTheWriteAndConfirmedRowsGoWithTheNextWrite() throws Exception {
        DataSource ds = freshDatabase();
        PartitionLedger ledger = new PartitionLedger(ds);
        FencedPartitionWriter w = writer(ds, "node-a");
        OutputOutbox outbox = w.outbox();
        UUID wf = UUID.randomUUID();
        UUID r1 = UUID.randomUUID();
        UUID r2 = UUID.randomUUID();
        PartitionClaim a = ledger.claim(TOPIC, 4, "node-a");
        OutputOutbox.Update record = new OutputOutbox.Update(true, java.util.Set.of());
        FencedPartitionWriter.Written first = w.write(a, 0, 4, List.of(entry(wf, r1, 0), entry(wf, r2, 1), entry(wf, r1, 2),
                new Started(wf, r2, T0)), record);
        FencedPartitionWriter.Written second = w.write(a, 4, 2, List.of(entry(wf, r1, 4), entry(wf, r1, 5)), record);
        w.write(a, 6, 1, List.of(new Ended(r2, RunOutcome.SUCCEEDED, T0)), record); // no entries: no row
        assertEquals(List.of(new OutputOutbox.Row(0, List.of(new OutputOutbox.Range(r1, 1, 2), new OutputOutbox.Range(r2, 1, 1))),
                new OutputOutbox.Row(4, List.of(new OutputOutbox.Range(r1, 3, 4)))), outbox.pending(TOPIC, 4));
        assertEquals(List.of(), outbox.pending(TOPIC, 5), "rows are per partition");
        List<OutputOutbox.Row> rows = outbox.pending(TOPIC, 4);
        assertEquals(sorted(first.sequenced()), outbox.entries(rows.get(0)), "a row reads back as the entries its write stored");
        assertEquals(second.sequenced(), outbox.entries(rows.get(1)));

        // A refused write (a newer claim) leaves the outbox as it was, confirmations included.
        PartitionClaim b = ledger.claim(TOPIC, 4, "node-b");
        assertThrows(FencedException.class, () -> w.write(a, 7, 1, List.of(entry(wf, r1, 7)), new OutputOutbox.Update(true, java.util.Set.of(0L))));
        assertEquals(2, outbox.pending(TOPIC, 4).size());
        // The next write deletes the confirmed row (only that one) and adds its own.
        writer(ds, "node-b").write(b, 7, 1, List.of(entry(wf, r2, 7)), new OutputOutbox.Update(true, java.util.Set.of(0L, 99L)));
        assertEquals(List.of(4L, 7L), outbox.pending(TOPIC, 4).stream().map(OutputOutbox.Row::firstOffset).toList());
        // Outside a write: any node may delete confirmed rows, several partitions in one statement.
        assertEquals(1, outbox.delete(TOPIC, Map.of(4, java.util.Set.of(4L), 5, java.util.Set.of(4L))));
        try (Connection c = ds.getConnection()) {
            c.createStatement().execute("DELETE FROM logs WHERE run_id = '" + r2 + "'"); // what retention does to a month
        }
        assertEquals(List.of(), outbox.entries(outbox.pending(TOPIC, 4).get(0)), "rows retention dropped are absent");
        assertEquals(1, outbox.pending(TOPIC, 4).get(0).entries());
        // Without Update.record nothing is recorded: a listener that never confirms gets no outbox.
        writer(ds, "node-b").write(b, 8, 1, List.of(entry(wf, r1, 8)));
        assertEquals(1, outbox.pending(TOPIC, 4).size());
    }

    private static List<LogEntry> sorted(List<LogEntry> entries) {
        return entries.stream().sorted(java.util.Comparator.comparing((LogEntry e) -> e.runId().toString()).thenComparingLong(LogEntry::seq))
                .toList();
    }

    /** @return the run's messages ordered by seq, after checking seq is exactly 1..N */
    private static List<String> messages(DataSource ds, UUID run) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT seq, message FROM logs WHERE run_id = ? ORDER BY seq")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                long expect = 1;
                while (rs.next()) {
                    assertEquals(expect++, rs.getLong(1), "gap-free seq");
                    out.add(rs.getString(2));
                }
            }
        }
        return out;
    }

    /** @return "last_seq|outcome|owner" of the run's row */
    private static String runRow(DataSource ds, UUID run) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT last_seq, outcome, owner, entries FROM runs WHERE run_id = ?")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return "none";
                assertEquals(rs.getLong(1), rs.getLong(4), "entries = last seq (gap-free from 1)");
                return rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3);
            }
        }
    }
}
