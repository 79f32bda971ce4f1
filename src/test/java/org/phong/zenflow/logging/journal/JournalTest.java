package org.phong.zenflow.logging.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.phong.zenflow.logging.testing.JournalFixtures.acknowledge;
import static org.phong.zenflow.logging.testing.JournalFixtures.recover;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.testing.JournalFixtures;

/**
 * The journal on real files: round trip, torn and bit-flipped files, deletion once every follower has
 * passed a segment, per-follower positions, full and unwritable directories. The committer is driven by hand
 * ({@code commitOnce}, {@code housekeeping}) so nothing depends on timing.
 */
class JournalTest extends JournalOnDisk {
    private List<LogEntry> entries(UUID run, int n) {
        return JournalFixtures.richEntries(workflow, run, n);
    }

    @Test
    void everyFieldSurvivesARestartAndTheRunContinuesAfterItsLastSeq() throws Exception {
        Journal j = journal("pg");
        recover(j);
        UUID run = UUID.randomUUID();
        List<LogEntry> in = entries(run, 100);
        for (LogEntry e : in) assertNotEquals(Journal.NOT_JOURNALED, j.append(e));
        j.commitOnce();
        j.abandon(); // crash: no close()

        Journal again = journal("pg");
        Map<UUID, Long> last = recover(again);
        assertEquals(Map.of(run, 100L), last);
        RecoveryReport r = again.recoveryReport();
        assertEquals(100, r.records());
        assertEquals(100, r.toReplay());
        assertEquals(0, r.truncatedRecords());
        assertEquals(in, JournalFiles.entries(dir));
    }

    @Test
    void aTornTailIsCutAtTheLastWholeRecordAndReported() throws Exception {
        UUID run = UUID.randomUUID();
        List<LogEntry> in = entries(run, 50);
        crashAfterJournaling(journal("pg"), in);
        Path seg = segmentFiles().get(0);
        long size = Files.size(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(size - 7); // a crash in the middle of the last record
        }

        Journal again = journal("pg");
        recover(again);
        RecoveryReport r = again.recoveryReport();
        assertEquals(49, r.records());
        assertEquals(1, r.truncatedRecords());
        assertTrue(r.truncatedBytes() > 0 && r.truncatedBytes() < size, r.toString());
        assertTrue(r.cuts().get(0).contains("torn record"), r.cuts().toString());
        assertEquals(in.subList(0, 49), JournalFiles.entries(dir));
        assertEquals(size - 7 - r.truncatedBytes(), Files.size(seg), "the damaged file is truncated to its valid records");
        assertEquals(1, again.stats().truncatedRecords());

        // appends go on in a fresh segment, and a third start finds both intact
        UUID run2 = UUID.randomUUID();
        entries(run2, 5).forEach(again::append);
        again.commitOnce();
        again.abandon();
        Journal third = journal("pg");
        Map<UUID, Long> last = recover(third);
        assertEquals(Map.of(run, 49L, run2, 5L), last);
        assertEquals(0, third.recoveryReport().truncatedRecords());
    }

    @Test
    void aFlippedByteCostsOnlyTheDamagedRecord() throws Exception {
        UUID run = UUID.randomUUID();
        List<LogEntry> in = entries(run, 200);
        List<Path> files = crashedInTinySegments(in);
        assertTrue(files.size() >= 3, "several segments: " + files);
        Path first = files.get(0);
        long recordsInFirst;
        List<LogEntry> firstEntries = new ArrayList<>();
        SegmentFile.scan(first, SegmentFile.baseOf(first.getFileName().toString()), firstEntries::add);
        recordsInFirst = firstEntries.size();
        // flip one byte in the middle of the file: inside some record k
        long flipAt = Files.size(first) / 2;
        try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
            f.seek(flipAt);
            int b = f.read();
            f.seek(flipAt);
            f.write(b ^ 0x10);
        }

        Journal again = journal("pg");
        recover(again);
        RecoveryReport r = again.recoveryReport();
        assertEquals(1, r.truncatedRecords(), r.toString());
        String cut = r.cuts().get(0);
        assertTrue(cut.contains(first.getFileName().toString()) && (cut.contains("checksum") || cut.contains("length")), cut);
        List<LogEntry> kept = JournalFiles.entries(dir);
        // Damage in the middle costs only the record it touched: the scan resynchronizes after it.
        assertEquals(in.size() - 1, r.records());
        assertEquals(1, r.lost().size(), r.toString());
        long lostSeq = Long.parseLong(r.lost().get(0).replaceAll(".*seq (\\d+)\\.\\..*", "$1"));
        assertEquals("run " + run + " seq " + lostSeq + ".." + lostSeq, r.lost().get(0));
        List<LogEntry> expected = new ArrayList<>(in);
        expected.removeIf(e -> e.seq() == lostSeq);
        assertEquals(expected, kept);
        assertEquals(1, r.asideFiles().size(), "the damaged segment is copied aside before it is changed");
    }

    @Test
    void aSegmentIsDeletedOnlyWhenEveryFollowerHasPassedIt() throws Exception {
        Journal j = journal(settings(8192, 1 << 30, FsyncPolicy.INTERVAL), "pg", "kafka");
        recover(j);
        UUID run = UUID.randomUUID();
        List<LogEntry> in = entries(run, 200);
        in.forEach(j::append);
        j.commitOnce();
        int before = segmentFiles().size();
        assertTrue(before >= 3);

        acknowledge(j, "pg", j.appendedPosition());
        j.housekeeping();
        assertEquals(before, segmentFiles().size(), "kafka has not passed any segment");
        assertEquals(0L, j.stats().sinkBacklogBytes().get("pg"));
        assertEquals(j.appendedPosition() - SegmentFile.HEADER_BYTES, j.stats().sinkBacklogBytes().get("kafka"),
                "kafka is at the first record");

        j.close(); // kafka is behind: nothing may be deleted

        Journal restarted = journal("pg", "kafka");
        recover(restarted);
        assertEquals(before + 1, segmentFiles().size(), "kafka is behind: nothing was deleted (plus the fresh segment)");
        assertEquals(in, JournalFiles.entries(dir));
        long pgAt = Long.parseLong(Files.readString(dir.resolve("positions.properties")).replaceAll("(?s).*pg=(\\d+).*", "$1"));
        assertEquals(j.appendedPosition(), pgAt, "pg's saved position is exact: the end of what it acknowledged");
        assertEquals(0, restarted.recoveryReport().toReplay(), "pg, the durable follower, has every record");
        assertEquals(0L, restarted.stats().sinkBacklogBytes().get("pg"));
        assertTrue(restarted.stats().sinkBacklogBytes().get("kafka") > 0);
        acknowledge(restarted, "kafka", restarted.appendedPosition());
        restarted.housekeeping();
        assertEquals(1, segmentFiles().size(), "every sealed segment passed by both deleted, the fresh one kept: " + segmentFiles());
        assertTrue(Files.readString(dir.resolve("positions.properties")).contains("kafka=" + restarted.appendedPosition()));
    }

    @Test
    void aFullJournalStopsJournalingCountsAndResumesWhenSegmentsAreDeleted() throws Exception {
        long segment = JournalSettings.MIN_SEGMENT_BYTES;
        // a non-durable follower: the refused entries go to no overflow, so journaling resumes as soon as there is room
        Journal j = journal(settings(segment, 2 * segment, FsyncPolicy.NONE), "kafka");
        recover(j);
        UUID run = UUID.randomUUID();
        List<LogEntry> in = entries(run, 200);
        int refused = 0;
        for (LogEntry e : in) {
            if (j.append(e) == Journal.NOT_JOURNALED) refused++;
        }
        assertTrue(refused > 0, "the cap was reached");
        assertFalse(j.available());
        assertTrue(j.problem().contains(JournalSettings.MAX_BYTES), j.problem());
        assertEquals(refused, j.stats().unjournaledEntries());
        assertTrue(j.stats().full());

        j.commitOnce();
        acknowledge(j, "kafka", j.appendedPosition());
        j.housekeeping();
        assertTrue(j.available(), "room again after the passed segments are deleted: " + j.problem());
        assertNotEquals(Journal.NOT_JOURNALED, j.append(entries(UUID.randomUUID(), 1).get(0)));
    }

    @Test
    void anUnwritableDirectoryLeavesTheJournalUnavailableWithAClearErrorUntilARetrySucceeds() throws Exception {
        Path blocked = dir.resolve("journal");
        Files.writeString(blocked, "a file where the directory should be");
        // a non-durable follower: what the journal refuses goes to no overflow, so it journals again once retried
        Journal j = journal(new JournalSettings(true, blocked, FsyncPolicy.INTERVAL, 20, 1 << 30, SEGMENT, 1000, 1000), "kafka");
        RecoveryReport r = j.recover((e, s) -> { });
        assertNotNull(r.error());
        assertTrue(r.error().contains(blocked.toString()), r.error());
        assertFalse(j.available());
        assertEquals(Journal.NOT_JOURNALED, j.append(entries(UUID.randomUUID(), 1).get(0)));
        assertEquals(1, j.stats().unjournaledEntries());
        CompletableFuture<Void> wait = j.whenDurable(j.appendedPosition() + 1);
        ExecutionException ex = assertThrows(ExecutionException.class, wait::get);
        assertTrue(ex.getCause() instanceof JournalUnavailableException);

        Files.delete(blocked);
        j.housekeeping();
        assertFalse(j.available(), "not before retry-ms");
        clock.advance(1000);
        j.housekeeping();
        j.start(); // available() also needs the committer running
        try {
            assertTrue(j.available(), j.problem());
            assertNull(j.problem());
            assertNotEquals(Journal.NOT_JOURNALED, j.append(entries(UUID.randomUUID(), 1).get(0)));
        } finally {
            j.close();
        }
    }

    @Test
    void whenDurableCompletesOnlyOnceTheCommitterHasForcedThePosition() throws Exception {
        Journal j = recoveredWith(entries(UUID.randomUUID(), 10));
        CompletableFuture<Void> f = j.whenDurable(j.appendedPosition());
        assertFalse(f.isDone());
        j.commitOnce();
        assertTrue(f.isDone() && !f.isCompletedExceptionally());
        assertEquals(1, j.stats().fsyncs());
        assertEquals(j.stats().appendedPosition(), j.stats().syncedPosition());
    }

    @Test
    void aCleanShutdownWithEverythingAcknowledgedLeavesNothingToReplay() throws Exception {
        Journal j = recoveredWith(entries(UUID.randomUUID(), 20));
        j.start();
        acknowledge(j, "pg", j.appendedPosition());
        j.close();
        Journal again = journal("pg");
        recover(again);
        assertEquals(0, again.recoveryReport().toReplay());
        assertEquals(0, again.recoveryReport().records());
    }
}
