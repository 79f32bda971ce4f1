package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.sql.SQLException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.config.LoggingSettings;

/** The COPY sink against a real PostgreSQL: fidelity, idempotency, partitions on demand, failures. */
class PostgresLogSinkTest {
    private static Pg pg;
    private static PostgresLogSink sink;
    private static PostgresLogReader reader;
    private static final Instant BASE = Instant.parse("2026-11-20T08:00:00.123456Z");

    @BeforeAll
    static void start() throws Exception {
        pg = Pg.startMigrated();
        sink = new PostgresLogSink(pg.ds, LoggingSettings.defaults());
        reader = new PostgresLogReader(pg.ds);
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    @Test
    void describesItself() {
        assertEquals("postgresql", sink.name());
        assertTrue(sink.isDurable());
        assertEquals(LoggingSettings.defaults().copyMaxRows(), sink.maxBatchEntries());
    }

    @Test
    void binaryIsTheDefaultFormat() {
        assertEquals(org.phong.zenflow.logging.config.CopyFormat.BINARY, sink.format());
    }

    @Test
    void hostileTextRoundTripsExactly() throws Exception {
        hostileTextRoundTripsExactly(sink);
    }

    @Test
    void hostileTextRoundTripsExactlyInTextFormat() throws Exception {
        PostgresLogSink text = new PostgresLogSink(pg.ds, org.phong.zenflow.logging.testing.TestSettings.of(LoggingSettings.COPY_FORMAT, "text"));
        assertEquals(org.phong.zenflow.logging.config.CopyFormat.TEXT, text.format());
        hostileTextRoundTripsExactly(text);
    }

    @Test
    void firstAndLastStorableInstantsRoundTripInBothFormats() throws Exception {
        for (String format : List.of("binary", "text")) {
            PostgresLogSink s = sinkIn(format);
            UUID run = UUID.randomUUID();
            List<LogEntry> batch = new ArrayList<>();
            String[] instants = {"0001-01-01T00:00:00Z", "1969-12-31T23:59:59.999999Z", "1999-12-31T23:59:59.999999Z",
                "2000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"};
            for (String t : instants) {
                batch.add(LogEntry.builder().workflowId(UUID.randomUUID()).runId(run).nodeKey("n").ts(Instant.parse(t))
                        .level(LogLevel.INFO).message(format).build().withSeq(batch.size() + 1));
            }
            s.process(batch);
            assertEquals(batch, reader.readAfter(run, 0, 10, null, null), format);
        }
    }

    private void hostileTextRoundTripsExactly(PostgresLogSink sink) throws Exception {
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        String[] hostile = {
            "tab\there", "new\nline", "cr\rlf\r\n", "\\N", "\\.", "\\\\.", "C:\\path\\to\\file", "trailing\\",
            "\\", "'single' \"double\" `back`", "emoji 😀👩‍👩‍👧 ümlaut 中文 𝄞", "ctl \u0001\u0002\u001b[31m\u007f\u0085",
            "'); DROP TABLE logs; --", "$$ $tag$ E'\\x00' \\copy", "", " ", "\\N\t\\N\n\\.\n",
            "a".repeat(100 * 1024) + "😀",
        };
        List<LogEntry> batch = new ArrayList<>();
        long seq = 0;
        for (String h : hostile) {
            batch.add(LogEntry.builder().workflowId(wf).runId(run)
                    .nodeKey("node\t" + h.substring(0, Math.min(h.length(), 20)) + "x")
                    .ts(BASE.plusSeconds(seq)).level(LogLevel.values()[(int) (seq % 4)])
                    .message(h).errorCode(h.isBlank() ? null : "E-" + h.substring(0, Math.min(h.length(), 10)))
                    .traceId(seq % 2 == 0 ? null : "trace\\" + seq)
                    .hierarchy("root/loop[" + seq + "]/" + h.substring(0, Math.min(h.length(), 30)))
                    // keys already in jsonb's canonical order (shorter first, then bytewise) so the
                    // compact text is identical after the jsonb round trip
                    .metadata("{\"a\":\"" + jsonEscape(h.substring(0, Math.min(h.length(), 200))) + "\",\"b\":{\"x\":[1,2.5,-3,true,null,"
                            + "{\"k\":\"q\\\"uote\\\\slash\\nnl\\ttab\\u0001 😀\"}],\"yy\":{}},\"cc\":\"\\\\N\"}")
                    .build().withSeq(++seq));
        }
        sink.process(batch);
        assertEquals(batch, reader.readAfter(run, 0, 1000, null, null));
        assertEquals(batch.size(), pg.count("SELECT count(*) FROM logs WHERE run_id = ?", run));
        assertTrue(sink.isHealthy());
    }

    @Test
    void metadataIsTheSameJsonValueInJsonbKeyOrder() throws Exception {
        UUID run = UUID.randomUUID();
        LogEntry e = LogEntry.builder().workflowId(UUID.randomUUID()).runId(run).nodeKey("n").ts(BASE)
                .level(LogLevel.INFO).message("m")
                .metadata("{ \"zeta\": 1, \"b\": {\"yy\": \"é\\u001b\", \"x\": [1, {\"deep\": {\"er\": null}}]}, \"a\": 2 }")
                .build().withSeq(1);
        sink.process(List.of(e));
        LogEntry back = reader.readAfter(run, 0, 10, null, null).get(0);
        assertEquals(parse(e.metadata()), parse(back.metadata()));
        assertEquals("{\"a\":2,\"b\":{\"x\":[1,{\"deep\":{\"er\":null}}],\"yy\":\"é\\u001b\"},\"zeta\":1}", back.metadata());
    }

    @Test
    void nanosecondsAreTruncatedConsistently() throws Exception {
        UUID run = UUID.randomUUID();
        LogEntry e = LogEntry.builder().workflowId(UUID.randomUUID()).runId(run).nodeKey("n")
                .ts(Instant.parse("2026-11-20T08:00:00.999999999Z")).level(LogLevel.INFO).message("m").build().withSeq(1);
        sink.process(List.of(e));
        sink.process(List.of(e)); // replay: must hit the same (run_id, seq, ts), not round up to the next second
        List<LogEntry> back = reader.readAfter(run, 0, 10, null, null);
        assertEquals(1, back.size());
        assertEquals(CopyEncoder.truncate(e.ts()), back.get(0).ts());
    }

    /** A statement of copy-max-rows streams through a buffer of one chunk, kept for the next batch (not one of ~5 MB, dropped). */
    @Test
    void aFullBatchStreamsThroughABufferOfOneChunk() throws Exception {
        PostgresLogSink s = new PostgresLogSink(pg.ds, LoggingSettings.defaults());
        UUID run = UUID.randomUUID();
        List<LogEntry> batch = Pg.entries(UUID.randomUUID(), run, 1, LoggingSettings.defaults().copyMaxRows(), BASE);
        s.process(batch);
        assertEquals(batch.size(), pg.count("SELECT count(*) FROM logs WHERE run_id = ?", run));
        assertEquals(batch, reader.readAfter(run, 0, batch.size() + 1, null, null));
        int kept = s.retainedEncoderBytes();
        assertTrue(kept > 0 && kept <= 256 * 1024, "kept an encoder of about one chunk: " + kept + " bytes");
    }

    @Test
    void sameBatchTwiceIsStoredOnce() throws Exception {
        PostgresLogSink s = new PostgresLogSink(pg.ds, LoggingSettings.defaults());
        UUID run = UUID.randomUUID();
        List<LogEntry> batch = Pg.entries(UUID.randomUUID(), run, 1, 50, BASE);
        s.process(batch);
        s.process(batch);
        assertEquals(50, pg.count("SELECT count(*) FROM logs WHERE run_id = ?", run));
        assertEquals(50, pg.count("SELECT count(DISTINCT seq) FROM logs WHERE run_id = ?", run));
        assertEquals(50, s.rowsWritten());
        assertEquals(50, s.duplicatesSkipped());
        assertEquals(1, s.idempotentBatches());
        assertEquals(batch, reader.readAfter(run, 0, 100, null, null));
    }

    @Test
    void partiallyOverlappingBatchStoresTheUnionOnce() throws Exception {
        PostgresLogSink s = new PostgresLogSink(pg.ds, LoggingSettings.defaults());
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        s.process(Pg.entries(wf, run, 1, 10, BASE));
        List<LogEntry> overlap = new ArrayList<>(Pg.entries(wf, run, 6, 15, BASE));
        overlap.add(overlap.get(0)); // and a duplicate inside the batch itself
        s.process(overlap);
        assertEquals(15, pg.count("SELECT count(*) FROM logs WHERE run_id = ?", run));
        assertEquals(Pg.entries(wf, run, 1, 15, BASE), reader.readAfter(run, 0, 100, null, null));
        assertEquals(15, s.rowsWritten());
        assertEquals(6, s.duplicatesSkipped());
    }

    @Test
    void concurrentWritersOfTheSameBatchStoreItOnce() throws Exception {
        UUID run = UUID.randomUUID();
        List<LogEntry> batch = Pg.entries(UUID.randomUUID(), run, 1, 2000, BASE);
        PostgresLogSink s = new PostgresLogSink(pg.ds, LoggingSettings.defaults());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CyclicBarrier go = new CyclicBarrier(3);
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fs.add(pool.submit(() -> {
                    go.await(30, TimeUnit.SECONDS);
                    s.process(batch);
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2000, pg.count("SELECT count(*) FROM logs WHERE run_id = ?", run));
        // whoever lost the race (blocked on the unique index, then 23505) went through staging
        assertEquals(2, s.idempotentBatches());
        assertEquals(2000, s.rowsWritten());
        assertEquals(4000, s.duplicatesSkipped());
    }

    @Test
    void entriesOfFarMonthsGetTheirPartitionsOnDemand() throws Exception {
        UUID wf = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        Instant nextMonth = now.plusMonths(1).toInstant();
        Instant fiveAhead = now.plusMonths(5).toInstant();
        Instant twoYearsAgo = now.minusYears(2).toInstant();
        // exactly on a month boundary: belongs to the later month
        Instant boundary = YearMonth.from(now).plusMonths(7).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<LogEntry> batch = new ArrayList<>();
        long seq = 0;
        for (Instant ts : List.of(twoYearsAgo, nextMonth, fiveAhead, boundary)) {
            batch.add(LogEntry.builder().workflowId(wf).runId(run).nodeKey("n").ts(ts).level(LogLevel.ERROR)
                    .message("at " + ts).build().withSeq(++seq));
        }
        sink.process(batch);
        assertEquals(batch, reader.readAfter(run, 0, 10, null, null));
        for (LogEntry e : batch) {
            String part = PartitionMaintainer.partitionName(PartitionMaintainer.month(e.ts()));
            assertEquals(1, pg.count("SELECT count(*) FROM " + part + " WHERE run_id = ? AND seq = ?", run, e.seq()), part);
        }
    }

    @Test
    void partitionDroppedBehindTheCacheIsRecreated() throws Exception {
        PostgresLogSink s = new PostgresLogSink(pg.ds, LoggingSettings.defaults());
        UUID run = UUID.randomUUID();
        Instant far = Instant.parse("2031-03-10T00:00:00Z");
        s.process(Pg.entries(UUID.randomUUID(), run, 1, 3, far));
        assertTrue(s.partitions().isEnsured(YearMonth.of(2031, 3)));
        pg.exec("DROP TABLE logs_y2031m03");
        s.process(Pg.entries(UUID.randomUUID(), run, 4, 6, far));
        assertEquals(3, pg.count("SELECT count(*) FROM logs WHERE run_id = ?", run));
        assertTrue(s.isHealthy());
    }

    /**
     * A batch of many streamed chunks whose last row fails (its partition dropped behind the cache): the failed
     * attempt had sent part of the batch; the retry must write all of it, not what the encoder held at the failure.
     */
    @Test
    void streamedBatchFailingInItsLastChunkIsRetriedWhole() throws Exception {
        inEachFormat((format, s) -> {
            UUID wf = UUID.randomUUID();
            UUID run = UUID.randomUUID();
            Instant far = Instant.parse("2032-05-10T00:00:00Z");
            s.process(Pg.entries(wf, run, 1, 1, far));
            pg.exec("DROP TABLE logs_y2032m05");
            int n = PostgresLogSink.STREAM_CHUNK_ROWS * 7 + 13;
            List<LogEntry> batch = new ArrayList<>(Pg.entries(wf, run, 2, n - 1, BASE));
            batch.addAll(Pg.entries(wf, run, n, n, far));
            s.process(batch);
            assertEquals(n - 1, pg.count("SELECT count(*) FROM logs WHERE run_id = ?", run), format); // seq 1 went with its partition
            assertEquals(batch, reader.readAfter(run, 1, 2 * n, null, null), format);
            assertEquals(n, s.rowsWritten(), format);
            assertEquals(n, pg.count("SELECT entries FROM runs WHERE run_id = ?", run), format);
        });
    }

    /** A stored row in the last chunk of a streamed batch: the staging path gets the whole batch and stores the rest once. */
    @Test
    void streamedBatchHittingAStoredRowAtItsEndStoresTheRestOnce() throws Exception {
        inEachFormat((format, s) -> {
            UUID wf = UUID.randomUUID();
            UUID run = UUID.randomUUID();
            int n = PostgresLogSink.STREAM_CHUNK_ROWS * 5 + 1;
            List<LogEntry> batch = Pg.entries(wf, run, 1, n, BASE);
            s.process(batch.subList(n - 2, n - 1));
            s.process(batch);
            assertEquals(n, pg.count("SELECT count(*) FROM logs WHERE run_id = ?", run), format);
            assertEquals(batch, reader.readAfter(run, 0, 2 * n, null, null), format);
            assertEquals(1, s.idempotentBatches(), format);
            assertEquals(1, s.duplicatesSkipped(), format);
            assertEquals(n, pg.count("SELECT entries FROM runs WHERE run_id = ?", run), format);
        });
    }

    @Test
    void otherFailuresThrowRollBackAndMarkUnhealthyUntilTheNextSuccess() throws Exception {
        DataSource empty = pg.newDatabase("sink_unmigrated");
        PostgresLogSink s = new PostgresLogSink(empty, LoggingSettings.defaults());
        List<LogEntry> batch = Pg.entries(UUID.randomUUID(), UUID.randomUUID(), 1, 5, BASE);
        SQLException e = assertThrows(SQLException.class, () -> s.process(batch));
        assertNotEquals("23505", e.getSQLState());
        assertFalse(s.isHealthy());
        SchemaMigrator.migrate(empty);
        s.process(batch);
        assertTrue(s.isHealthy());
        assertEquals(5, Pg.count(empty, "SELECT count(*) FROM logs"));

        // A ts PostgreSQL cannot store is refused when the entry is built, naming the field.
        assertThrows(IllegalArgumentException.class, () -> LogEntry.builder().workflowId(UUID.randomUUID())
                .runId(UUID.randomUUID()).nodeKey("n").ts(Instant.parse("+12000-01-01T00:00:00Z"))
                .level(LogLevel.INFO).message("m").build());
        assertEquals(5, Pg.count(empty, "SELECT count(*) FROM logs"));
    }

    private static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }

    private static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }

    /** A test body run once per COPY format with a sink writing in it. */
    @FunctionalInterface
    private interface InEachFormat {
        void run(String format, PostgresLogSink sink) throws Exception;
    }

    /** Runs {@code test} in the text, then the binary COPY format, each time with a fresh sink. */
    private static void inEachFormat(InEachFormat test) throws Exception {
        for (String format : List.of("text", "binary")) test.run(format, sinkIn(format));
    }

    private static PostgresLogSink sinkIn(String format) {
        return new PostgresLogSink(pg.ds, org.phong.zenflow.logging.testing.TestSettings.of(LoggingSettings.COPY_FORMAT, format));
    }
}
