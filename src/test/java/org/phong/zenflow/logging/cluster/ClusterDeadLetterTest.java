package org.phong.zenflow.logging.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.phong.zenflow.logging.cluster.PartitionOwnerLoopTest.acknowledged;
import static org.phong.zenflow.logging.cluster.PartitionOwnerLoopTest.awaitStored;
import static org.phong.zenflow.logging.cluster.PartitionOwnerLoopTest.count;

import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.cluster.FencedPartitionWriter.Written;
import org.phong.zenflow.logging.cluster.IngestRecord.Ended;
import org.phong.zenflow.logging.cluster.IngestRecord.Entry;
import org.phong.zenflow.logging.cluster.IngestRecord.Started;
import org.phong.zenflow.logging.cluster.PartitionOwnerLoopTest.FlakyDataSource;
import org.phong.zenflow.logging.cluster.PartitionOwnerLoopTest.Workload;
import org.phong.zenflow.logging.codec.JsonSupport;
import org.phong.zenflow.logging.sink.postgres.PartitionMaintainer;
import org.phong.zenflow.logging.sink.postgres.PostgresLogReader;
import org.phong.zenflow.logging.sink.postgres.RunHistory;
import org.phong.zenflow.logging.sink.postgres.RunsTableReader;
import org.phong.zenflow.logging.sink.postgres.RunsTableWriter;
import org.phong.zenflow.logging.sink.postgres.SchemaMigrator;
import org.phong.zenflow.logging.testing.ExactlyOnce;
import org.phong.zenflow.logging.time.Sleeper;
import org.phong.zenflow.logging.testing.Closing;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cluster mode's dead-letter path against the run's real broker and embedded PostgreSQL ({@link ClusterRig}): an
 * entry PostgreSQL refuses for its content (here an operator's CHECK constraint on {@code logs}, and a character
 * a LATIN1 database lacks: what validation at ingest and on decode cannot know) goes to {@code logs_rejected} in
 * the owner's fenced transaction, keeping its seq, and its partition goes on. Every verdict compares entry by
 * entry by a unique message over {@code logs} and {@code logs_rejected} together.
 */
@ExtendWith(ClusterRig.class)
class ClusterDeadLetterTest {
    private static final String TOPIC = "zenflow-ingest";
    private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
    /** The test's CHECK: a message containing the mark is refused (23514), as an operator's rule on logs would. */
    private static final String CHECK = "test_poison_check";
    private static final String MARK = "POISON";
    @RegisterExtension
    final Closing closing = new Closing();


    // ------------------------------------------------------------------ what reaches the writer

    /**
     * A record written to the ingest topic by anything but this module's producer is validated again on decode, so
     * what PostgreSQL is known to refuse never reaches the writer: NUL in text fields and metadata keys or values
     * becomes U+FFFD (stored as is by a UTF-8 database), a metadata number jsonb cannot hold makes the record
     * malformed (consumed without a row). What the dead-letter path is for is what validation cannot know.
     */
    @Test
    void decodingKeepsOutWhatPostgresIsKnownToRefuse() throws Exception {
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        String entry = new String(IngestCodec.value(entry(wf, run, "m")), StandardCharsets.UTF_8);
        assertTrue(entry.contains("\"message\":\"m\"") && entry.contains("\"metadata\":null"), entry);
        String nul = entry.replace("\"message\":\"m\"", "\"message\":\"a\\u0000b\"")
                .replace("\"metadata\":null", "\"metadata\":{\"k\\u0000\":\"v\\u0000\"}");
        LogEntry decoded = ((Entry) IngestCodec.decode(IngestCodec.key(run), nul.getBytes(StandardCharsets.UTF_8))).entry();
        assertEquals("a\ufffdb", decoded.message());
        assertEquals("v\ufffd", json(decoded.metadata()).getString("k\ufffd"));
        String huge = entry.replace("\"metadata\":null", "\"metadata\":{\"x\":1e999999}");
        assertThrows(MalformedIngestRecordException.class,
                () -> IngestCodec.decode(IngestCodec.key(run), huge.getBytes(StandardCharsets.UTF_8)));
    }

    // ------------------------------------------------------------------ the fenced write

    @Test
    void refusedEntriesGoToLogsRejectedInTheFencedWriteKeepingTheirSeq() throws Exception {
        DataSource ds = poisonable(ClusterRig.freshDatabase());
        PartitionClaim a = new PartitionLedger(ds).claim(TOPIC, 0, "node-a");
        UUID wf = UUID.randomUUID();
        UUID r1 = UUID.randomUUID();
        UUID r2 = UUID.randomUUID();
        // r1: 10 entries, the 3rd and the last refused; r2: no start, its only entry refused; both end.
        List<IngestRecord> batch = new ArrayList<>(List.of(new Started(wf, r1, T0)));
        for (int i = 1; i <= 10; i++) batch.add(entry(wf, r1, i == 3 || i == 10 ? MARK + " r1 " + i : "r1 " + i));
        batch.add(entry(wf, r2, MARK + " r2 1"));
        batch.add(new Ended(r1, RunOutcome.SUCCEEDED, T0.plusSeconds(5)));
        batch.add(new Ended(r2, RunOutcome.FAILED, T0.plusSeconds(5)));
        FencedPartitionWriter writer = writer(ds, "node-a");

        Written w = writer.write(a, 0, batch);

        assertEquals(batch.size(), w.nextOffset(), "the offset moved past every record");
        assertEquals(11, w.sequenced().size(), "every entry sequenced (what the output topic gets)");
        assertEquals(List.of(r1 + ":3", r1 + ":10", r2 + ":1"), keys(w.rejected()));
        assertEquals(8, w.stored());
        assertEquals(List.of("r1 1", "r1 2", "r1 4", "r1 5", "r1 6", "r1 7", "r1 8", "r1 9"), stored(ds, r1));
        assertEquals(Map.of(3L, MARK + " r1 3", 10L, MARK + " r1 10"), rejected(ds, r1));
        assertEquals(Map.of(1L, MARK + " r2 1"), rejected(ds, r2));
        // Counts and last seq of the stored rows only, as in single-node mode; the ends are stored.
        assertEquals("8|9|SUCCEEDED", runRow(ds, r1));
        assertEquals("0|0|FAILED", runRow(ds, r2));
        assertEquals(batch.size(), new PartitionLedger(ds).current(TOPIC, 0).orElseThrow().nextOffset());
        assertEquals(3, writer.rejections().rejected());
        assertEquals(1, writer.rejections().isolatedBatches());
        assertEquals("23514", writer.rejections().lastSqlState());
        assertTrue(writer.rejections().lastError().contains(CHECK), writer.rejections().lastError());

        // The live tail's end poll counts the rejected last entry: a session reads it before run-ended.
        assertEquals(10, new RunsTableReader(ds).ended(List.of(r1)).get(0).lastSeq());
        // A continuing run never reuses a rejected seq, also when it has only rejected entries so far.
        Written more = writer.write(a, batch.size(), List.of(entry(wf, r1, "r1 11"), entry(wf, r2, "r2 2")));
        assertEquals(List.of(r1 + ":11", r2 + ":2"), keys(more.sequenced()));
        assertEquals(List.of(), more.rejected());
        // The history lists every seq in its place, the rejected ones as accepted.
        PostgresLogReader reader = new PostgresLogReader(ds);
        List<RunHistory.Item> page = RunHistory.page(reader, r1, 0, 100, null, null);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L), page.stream().map(RunHistory.Item::seq).toList());
        assertEquals(MARK + " r1 10", RunHistory.entries(page).get(9).message());
        assertEquals(r1 + ":11", keys(RunHistory.entries(page)).get(10));
        assertEquals(List.of(MARK + " r2 1", "r2 2"), RunHistory.entries(RunHistory.page(reader, r2, 0, 10, null, null)).stream()
                .map(LogEntry::message).toList(), "r2: the rejected 1, then the stored 2");
        assertEquals(3, writer.rejections().rejected(), "nothing counted twice");
    }

    @Test
    void aCharacterTheDatabaseEncodingLacksIsDeadLetteredEscapedInTheSameTransaction() throws Exception {
        String name = ClusterRig.name("latin").replace('-', '_');
        try (Connection c = ClusterRig.pg().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
        }
        DataSource latin = ClusterRig.pg().getDatabase("postgres", name);
        SchemaMigrator.migrate(latin);
        PartitionClaim a = new PartitionLedger(latin).claim(TOPIC, 0, "node-a");
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        List<IngestRecord> batch = List.of(entry(wf, run, "one"), entry(wf, run, "\u4e2d\u6587 caf\u00e9"), entry(wf, run, "three caf\u00e9"));

        Written w = writer(latin, "node-a").write(a, 0, batch);

        assertEquals(List.of(run + ":2"), keys(w.rejected()));
        assertEquals(List.of("one", "three caf\u00e9"), stored(latin, run));
        try (Connection c = latin.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT entry, sqlstate FROM logs_rejected WHERE run_id = ?")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).contains("\\u4e2d"), "stored ASCII-escaped: " + rs.getString(1));
                assertEquals("\u4e2d\u6587 caf\u00e9", json(rs.getString(1)).getString("message"), "the same JSON value");
                assertEquals("22P05", rs.getString(2));
            }
        }
        assertEquals(3, new PartitionLedger(latin).current(TOPIC, 0).orElseThrow().nextOffset());
    }

    /**
     * Failures that are not the rows' fault are never dead-lettered: a constraint of the runs table (the rows'
     * COPY succeeds, the counts are refused) and a partition of logs dropped after it was ensured fail the write
     * whole, nothing committed; the owner retries them.
     */
    @Test
    void aDataErrorThatIsNotOfTheRowsFailsTheWriteAndRejectsNothing() throws Exception {
        DataSource ds = ClusterRig.freshDatabase();
        PartitionLedger ledger = new PartitionLedger(ds);
        PartitionClaim a = ledger.claim(TOPIC, 0, "node-a");
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        FencedPartitionWriter writer = writer(ds, "node-a");
        writer.write(a, 0, List.of(entry(wf, run, "first")));
        exec(ds, "ALTER TABLE runs ADD CONSTRAINT test_runs_check CHECK (entries < 3)");

        SQLException e = assertThrows(SQLException.class,
                () -> writer.write(a, 1, List.of(entry(wf, run, "second"), entry(wf, run, "third"))));
        assertEquals("23514", e.getSQLState());
        assertEquals(List.of("first"), stored(ds, run));
        assertEquals(0, count(ds, "SELECT count(*) FROM logs_rejected"));
        assertEquals(1, ledger.current(TOPIC, 0).orElseThrow().nextOffset());
        assertEquals(0, writer.rejections().rejected());

        exec(ds, "ALTER TABLE runs DROP CONSTRAINT test_runs_check");
        exec(ds, "DROP TABLE " + PartitionMaintainer.partitionName(YearMonth.from(T0.atZone(java.time.ZoneOffset.UTC))));
        SQLException missing = assertThrows(SQLException.class, () -> writer.write(a, 1, List.of(entry(wf, run, "second"))));
        assertEquals("55000", missing.getSQLState(), "a missing partition is retried, not the rows' fault");
        assertEquals(0, count(ds, "SELECT count(*) FROM logs_rejected"));
        writer.write(a, 1, List.of(entry(wf, run, "second")));
        assertEquals(List.of("second"), stored(ds, run), "the retry created the month again (the first row went with it)");
        assertEquals(0, writer.rejections().rejected());
    }

    // ------------------------------------------------------------------ the owner loop on a real broker

    /**
     * Poison entries in the middle of one partition's stream of several runs: the records after them are stored,
     * the partition never retries, each poison entry is in logs_rejected once with its reason, and every run's
     * stored plus rejected entries are exactly its produced ones, in produced order, seq gap-free.
     */
    @Test
    void poisonEntriesInThePartitionStreamAreDeadLetteredAndTheRestIsStored() throws Exception {
        DataSource ds = poisonable(ClusterRig.freshDatabase());
        Owner o = owner(ds, ds, Thread::sleep);
        Workload w = new Workload(4);
        List<UUID> runs = List.copyOf(w.messages.keySet());
        Set<String> poison = new HashSet<>();
        List<IngestRecord> first = new ArrayList<>(w.starts());
        first.addAll(w.entries(20));
        first.add(poison(w, runs.get(0), poison));          // mid-stream, then two in a row of another run
        first.addAll(w.entries(20));
        first.add(poison(w, runs.get(1), poison));
        first.add(poison(w, runs.get(1), poison));
        first.addAll(w.entries(runs.subList(0, 3), 10));
        first.add(poison(w, runs.get(3), poison));          // run 3's last entry of this burst
        acknowledged(ClusterRig.sendInOrder(o.producer(), first));
        awaitStored(ds, o.topic(), w.entries() - poison.size(), w.records);
        // The partition goes on; run 3 continues after its rejected seq.
        List<IngestRecord> second = new ArrayList<>(w.entries(15));
        second.add(poison(w, runs.get(2), poison));
        second.addAll(w.ends());
        acknowledged(ClusterRig.sendInOrder(o.producer(), second));
        awaitStored(ds, o.topic(), w.entries() - poison.size(), w.records);

        assertStoredOrRejectedExactlyOnceInOrder(ds, w, poison);
        PartitionOwnerLoop.Stats s = o.loop().stats();
        assertEquals(poison.size(), s.rejected(), s.toString());
        assertEquals(w.entries() - poison.size(), s.entriesWritten());
        assertEquals(w.records, s.offsetsWritten());
        assertEquals(0, s.retries() + s.malformedSkipped() + s.fenced(), s.toString());
        assertHeardOnce(o.heard(), w.entries());
    }

    /**
     * Transient failures still retry the whole write and reject nothing that is not refused: refused connections
     * before any poison (nothing rejected), then a connection lost in the middle of an isolation (its savepoints):
     * the write is rolled back, retried from its first offset, and each poison entry is rejected and counted once.
     */
    @Test
    void transientFailuresAreRetriedAndRejectNothingTwice() throws Exception {
        DataSource ds = poisonable(ClusterRig.freshDatabase());
        FlakyDataSource flaky = new FlakyDataSource(ds);
        List<Long> sleeps = new CopyOnWriteArrayList<>();
        Owner o = owner(ds, flaky, sleeps::add);
        Workload w = new Workload(3);
        List<UUID> runs = List.copyOf(w.messages.keySet());
        Set<String> poison = new HashSet<>();
        List<IngestRecord> first = new ArrayList<>(w.starts());
        first.addAll(w.entries(10));
        acknowledged(ClusterRig.sendInOrder(o.producer(), first));
        awaitStored(ds, o.topic(), w.entries(), w.records);

        flaky.refuseConnections.set(2);
        acknowledged(ClusterRig.sendInOrder(o.producer(), w.entries(10)));
        awaitStored(ds, o.topic(), w.entries(), w.records);
        assertEquals(2, o.loop().stats().retries());
        assertEquals(0, o.loop().stats().rejected());
        assertEquals(0, count(ds, "SELECT count(*) FROM logs_rejected"), "a refused connection rejects nothing");

        flaky.breakSavepoints.set(2); // the first two savepoints of the isolation: the write fails twice, then isolates
        List<IngestRecord> third = new ArrayList<>(w.entries(5));
        third.add(poison(w, runs.get(0), poison));
        third.addAll(w.entries(5));
        third.add(poison(w, runs.get(2), poison));
        third.addAll(w.entries(5));
        third.addAll(w.ends());
        acknowledged(ClusterRig.sendInOrder(o.producer(), third));
        awaitStored(ds, o.topic(), w.entries() - poison.size(), w.records);

        assertEquals(0, flaky.refuseConnections.get() + flaky.breakSavepoints.get(), "every planted failure happened");
        assertStoredOrRejectedExactlyOnceInOrder(ds, w, poison);
        PartitionOwnerLoop.Stats s = o.loop().stats();
        assertEquals(4, s.retries(), "two refused connections, two broken isolations: " + s);
        assertEquals(4, sleeps.size(), "one backoff per failed attempt");
        assertEquals(poison.size(), s.rejected(), "each rejection counted once, when its write committed");
        assertEquals(w.entries() - poison.size(), s.entriesWritten());
        assertHeardOnce(o.heard(), w.entries());
    }

    // ------------------------------------------------------------------ helpers

    /** One owner on a new one-partition ingest topic, the entries its listener heard, and a producer to that topic. */
    private record Owner(String topic, PartitionOwnerLoop loop, IngestProducer producer, List<LogEntry> heard) {
    }

    /** @return a started owner: its ledger on {@code ds}, its writes on {@code writes} */
    private Owner owner(DataSource ds, DataSource writes, Sleeper sleeper) throws InterruptedException {
        String in = ClusterRig.topic("ingest", 1);
        List<LogEntry> heard = new CopyOnWriteArrayList<>();
        PartitionOwnerLoop loop = ClusterRig.startLoop(closing, ds, writes, in, "g-" + in, "node-a", heard::addAll, sleeper);
        return new Owner(in, loop, ClusterRig.startProducer(closing, in), heard);
    }

    private static FencedPartitionWriter writer(DataSource ds, String node) {
        return new FencedPartitionWriter(ds, new PartitionMaintainer(ds), new RunsTableWriter(node));
    }

    /** @return {@code ds} with the test's CHECK on logs */
    private static DataSource poisonable(DataSource ds) throws SQLException {
        exec(ds, "ALTER TABLE logs ADD CONSTRAINT " + CHECK + " CHECK (message NOT LIKE '%" + MARK + "%')");
        return ds;
    }

    private static Entry entry(UUID wf, UUID run, String message) {
        return new Entry(LogEntry.builder().workflowId(wf).runId(run).nodeKey("n").ts(T0).level(LogLevel.INFO).message(message).build());
    }

    /** A poison entry of {@code run}, added to the workload's produced messages and to {@code poison}. */
    private static IngestRecord poison(Workload w, UUID run, Set<String> poison) {
        List<String> m = w.messages.get(run);
        String msg = MARK + " " + run + " #" + m.size() + " " + UUID.randomUUID();
        m.add(msg);
        poison.add(msg);
        w.records++;
        return new Entry(LogEntry.builder().workflowId(w.workflow).runId(run).nodeKey("n").ts(T0.plusMillis(m.size()))
                .level(LogLevel.WARN).message(msg).build());
    }

    /**
     * Entry by entry: every produced message exactly once over logs and logs_rejected together (the poison ones
     * in logs_rejected with the CHECK's SQLState and name, the others in logs), each run's seqs 1..k gap-free over
     * both tables in produced order, and its runs row counting the stored rows only, ended.
     */
    private static void assertStoredOrRejectedExactlyOnceInOrder(DataSource ds, Workload w, Set<String> poison) throws SQLException {
        ExactlyOnce verdict = new ExactlyOnce();
        for (List<String> m : w.messages.values()) verdict.mustArrive(m);
        for (Map.Entry<UUID, List<String>> e : w.messages.entrySet()) {
            UUID run = e.getKey();
            TreeMap<Long, String> bySeq = new TreeMap<>();
            for (Map.Entry<Long, String> s : storedBySeq(ds, run).entrySet()) {
                assertTrue(!poison.contains(s.getValue()), "poison stored: " + s.getValue());
                assertNull(bySeq.put(s.getKey(), s.getValue()));
            }
            long storedCount = bySeq.size();
            long lastStored = bySeq.isEmpty() ? 0 : bySeq.lastKey();
            for (Map.Entry<Long, String> r : rejected(ds, run).entrySet()) {
                assertTrue(poison.contains(r.getValue()), "a good entry rejected: " + r.getValue());
                assertNull(bySeq.put(r.getKey(), r.getValue()), "seq " + r.getKey() + " in both tables");
            }
            for (String m : bySeq.values()) verdict.read(m);
            assertEquals(e.getValue(), List.copyOf(bySeq.values()), "run " + run + " in seq order is its produced order");
            assertEquals((long) e.getValue().size(), (long) bySeq.lastKey(), "run " + run + ": seq gap-free from 1 over both tables");
            assertEquals(storedCount + "|" + lastStored + "|SUCCEEDED", runRow(ds, run));
        }
        verdict.verdict().assertExact("stored or rejected entries");
        assertEquals(poison.size(), count(ds, "SELECT count(*) FROM logs_rejected WHERE sqlstate = '23514' AND error LIKE '%" + CHECK + "%'"));
    }

    /** The listener heard every sequenced entry (stored or rejected) once, on committed writes only. */
    private static void assertHeardOnce(List<LogEntry> heard, int entries) {
        Set<String> distinct = new HashSet<>(keys(heard));
        assertEquals(heard.size(), distinct.size(), "heard twice");
        assertEquals(entries, distinct.size());
    }

    private static List<String> keys(List<LogEntry> entries) {
        return entries.stream().map(e -> e.runId() + ":" + e.seq()).toList();
    }

    private static JsonObject json(String text) {
        try (var r = JsonSupport.JSON.createReader(new StringReader(text))) {
            return r.readObject();
        }
    }

    /** @return the run's stored messages in seq order, after checking that each stored seq is the rows' own */
    private static List<String> stored(DataSource ds, UUID run) throws SQLException {
        return List.copyOf(storedBySeq(ds, run).values());
    }

    private static TreeMap<Long, String> storedBySeq(DataSource ds, UUID run) throws SQLException {
        return bySeq(ds, "SELECT seq, message FROM logs WHERE run_id = ?", run, false);
    }

    /** @return the run's rejected entries: seq to the message of the stored JSON */
    private static TreeMap<Long, String> rejected(DataSource ds, UUID run) throws SQLException {
        return bySeq(ds, "SELECT seq, entry FROM logs_rejected WHERE run_id = ?", run, true);
    }

    private static TreeMap<Long, String> bySeq(DataSource ds, String sql, UUID run, boolean json) throws SQLException {
        TreeMap<Long, String> out = new TreeMap<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String v = json ? json(rs.getString(2)).getString("message") : rs.getString(2);
                    if (json) assertEquals(rs.getLong(1), json(rs.getString(2)).getJsonNumber("seq").longValue(), "the JSON keeps the seq");
                    assertNull(out.put(rs.getLong(1), v), "seq " + rs.getLong(1) + " once");
                }
            }
        }
        return out;
    }

    /** @return "entries|last_seq|outcome" of the run's row */
    private static String runRow(DataSource ds, UUID run) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT entries, last_seq, outcome, started FROM runs WHERE run_id = ?")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return "none";
                assertNotNull(rs.getTimestamp(4));
                return rs.getLong(1) + "|" + rs.getLong(2) + "|" + rs.getString(3);
            }
        }
    }

    private static void exec(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
