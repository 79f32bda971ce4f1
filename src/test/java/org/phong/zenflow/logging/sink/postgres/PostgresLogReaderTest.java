package org.phong.zenflow.logging.sink.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.config.LoggingSettings;

/** Cursor paging and filters of the reader against a real PostgreSQL. */
class PostgresLogReaderTest {
    private static Pg pg;
    private static PostgresLogReader reader;
    private static final UUID WF = UUID.randomUUID();
    private static final UUID RUN = UUID.randomUUID();
    private static List<LogEntry> all;

    @BeforeAll
    static void start() throws Exception {
        pg = Pg.startMigrated();
        reader = new PostgresLogReader(pg.ds);
        // seq 1..25; level = values()[seq % 4], node = "node-" + seq % 3; the run spans a month boundary
        all = Pg.entries(WF, RUN, 1, 25, Instant.parse("2026-11-30T23:59:59.990000Z"));
        PostgresLogSink sink = new PostgresLogSink(pg.ds, LoggingSettings.defaults());
        sink.process(all.subList(10, 25)); // out of order across batches: reads are by seq, not arrival
        sink.process(all.subList(0, 10));
        sink.process(Pg.entries(WF, UUID.randomUUID(), 1, 5, Instant.parse("2026-11-30T00:00:00Z"))); // another run
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    @Test
    void pagesByCursor() throws Exception {
        assertEquals(all.subList(0, 10), reader.readAfter(RUN, 0, 10, null, null));
        assertEquals(all.subList(10, 20), reader.readAfter(RUN, 10, 10, null, null));
        assertEquals(all.subList(20, 25), reader.readAfter(RUN, 20, 10, null, null));
        assertEquals(List.of(), reader.readAfter(RUN, 25, 10, null, null));
        assertEquals(all.subList(3, 4), reader.readAfter(RUN, 3, 1, null, null));
        assertEquals(all, reader.readAfter(RUN, -5, 1000, LogLevel.DEBUG, null));
    }

    @Test
    void filtersByMinimumLevel() throws Exception {
        List<LogEntry> warnUp = reader.readAfter(RUN, 0, 100, LogLevel.WARN, null);
        assertEquals(all.stream().filter(e -> e.level().isAtLeast(LogLevel.WARN)).collect(Collectors.toList()), warnUp);
        assertTrue(warnUp.size() > 0 && warnUp.size() < all.size());
        List<LogEntry> errors = reader.readAfter(RUN, 0, 100, LogLevel.ERROR, null);
        assertEquals(all.stream().filter(e -> e.level() == LogLevel.ERROR).collect(Collectors.toList()), errors);
        // paging under a filter: the cursor is the last seq returned
        List<LogEntry> first = reader.readAfter(RUN, 0, 3, LogLevel.INFO, null);
        List<LogEntry> next = reader.readAfter(RUN, first.get(2).seq(), 3, LogLevel.INFO, null);
        List<LogEntry> infoUp = all.stream().filter(e -> e.level().isAtLeast(LogLevel.INFO)).collect(Collectors.toList());
        assertEquals(infoUp.subList(0, 3), first);
        assertEquals(infoUp.subList(3, 6), next);
    }

    @Test
    void filtersByNodeAndBoth() throws Exception {
        assertEquals(all.stream().filter(e -> e.nodeKey().equals("node-1")).collect(Collectors.toList()),
                reader.readAfter(RUN, 0, 100, null, "node-1"));
        assertEquals(all.stream().filter(e -> e.nodeKey().equals("node-2") && e.level().isAtLeast(LogLevel.WARN))
                        .collect(Collectors.toList()),
                reader.readAfter(RUN, 0, 100, LogLevel.WARN, "node-2"));
        assertEquals(List.of(), reader.readAfter(RUN, 0, 100, null, "node-1' OR '1'='1"));
        assertEquals(List.of(), reader.readAfter(RUN, 0, 100, null, "missing"));
    }

    @Test
    void unknownRunAndLastSeq() throws Exception {
        UUID unknown = UUID.randomUUID();
        assertEquals(List.of(), reader.readAfter(unknown, 0, 10, null, null));
        assertEquals(0, reader.lastSeq(unknown));
        assertEquals(25, reader.lastSeq(RUN));
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> reader.readAfter(RUN, 0, 0, null, null));
        assertThrows(IllegalArgumentException.class, () -> reader.readAfter(null, 0, 10, null, null));
    }

    @Test
    void textAndTimeFiltersAgreeWithTheJavaSideOfTheFilter() throws Exception {
        Instant from = all.get(5).ts();
        Instant to = all.get(15).ts();
        for (org.phong.zenflow.logging.api.LogFilter f : List.of(
                new org.phong.zenflow.logging.api.LogFilter(null, null, all.get(7).message().toUpperCase(java.util.Locale.ROOT), null, null),
                new org.phong.zenflow.logging.api.LogFilter(LogLevel.INFO, "node-1", null, from, to),
                new org.phong.zenflow.logging.api.LogFilter(null, null, "%", null, null),
                new org.phong.zenflow.logging.api.LogFilter(null, null, "_", null, null))) {
            assertEquals(all.stream().filter(f::matches).collect(Collectors.toList()), reader.readAfter(RUN, 0, 100, f), f.toString());
        }
    }

    @Test
    void pagesBackwardsAndSummarisesNodes() throws Exception {
        var allF = org.phong.zenflow.logging.api.LogFilter.ALL;
        assertEquals(all.subList(15, 20), reader.readBefore(RUN, 21, 5, allF));
        assertEquals(all.subList(0, 2), reader.readBefore(RUN, 3, 10, allF));
        assertEquals(List.of(), reader.readBefore(RUN, 1, 10, allF));
        var errors = new org.phong.zenflow.logging.api.LogFilter(LogLevel.ERROR, null, null, null, null);
        List<LogEntry> allErrors = all.stream().filter(errors::matches).collect(Collectors.toList());
        assertEquals(allErrors.subList(allErrors.size() - 1, allErrors.size()), reader.readBefore(RUN, Long.MAX_VALUE, 1, errors));
        var nodes = reader.nodes(RUN);
        assertEquals(List.of("node-1", "node-2", "node-0"), nodes.stream().map(PostgresLogReader.NodeSummary::nodeKey).toList());
        for (var n : nodes) {
            assertEquals(all.stream().filter(e -> e.nodeKey().equals(n.nodeKey())).count(), n.entries(), n.nodeKey());
            assertEquals(all.stream().filter(e -> e.nodeKey().equals(n.nodeKey()) && e.level() == LogLevel.ERROR).count(), n.errors());
            assertEquals(all.stream().filter(e -> e.nodeKey().equals(n.nodeKey()) && e.level() == LogLevel.WARN).count(), n.warnings());
        }
    }

    @Test
    void streamsTheWholeRunThroughACursorAndStopsWhenTheReceiverFails() throws Exception {
        List<LogEntry> got = new java.util.ArrayList<>();
        assertEquals(25, reader.stream(RUN, 0, org.phong.zenflow.logging.api.LogFilter.ALL, 4, got::add));
        assertEquals(all, got, "fetch size 4: seven round trips, every row once, in order");
        List<LogEntry> some = new java.util.ArrayList<>();
        assertThrows(java.io.IOException.class, () -> reader.stream(RUN, 10, org.phong.zenflow.logging.api.LogFilter.ALL, 4, e -> {
            if (some.size() == 3) throw new java.io.IOException("client left");
            some.add(e);
        }));
        assertEquals(all.subList(10, 13), some);
        // The connection went back to the pool in auto-commit mode, usable by the next reader.
        assertEquals(all.subList(0, 2), reader.readAfter(RUN, 0, 2, null, null));
    }
}
