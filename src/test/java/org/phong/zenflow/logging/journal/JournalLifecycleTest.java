package org.phong.zenflow.logging.journal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.phong.zenflow.logging.testing.JournalFixtures.acknowledge;
import static org.phong.zenflow.logging.testing.JournalFixtures.recover;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.JournalFixtures;

/**
 * The journal's edges on real files: fsync policies, records larger than the write buffer and the
 * segment, damaged or foreign segment files at startup, the positions file (missing, corrupt,
 * ahead), the directory lock, retries, sealing an idle segment every follower has passed, waits around close,
 * and the stats snapshot. The committer is driven by hand except where the policy itself is tested.
 */
class JournalLifecycleTest extends JournalOnDisk {
    private static final long RETRY_MS = 1000;
    /** Generous: only a broken committer takes this long. */
    private static final long WAIT_S = 30;

    private List<LogEntry> entries(UUID run, int n) {
        return JournalFixtures.entries(workflow, run, n);
    }

    /** @return the journal directory's path, where a file holding {@code content} stands instead of a directory */
    private Path blockedDirectory(String content) throws IOException {
        Path blocked = dir.resolve("journal");
        Files.writeString(blocked, content);
        return blocked;
    }

    /** @return a "pg" journal in {@code blocked}, retrying every {@link #RETRY_MS}, past its (failed) recovery: unavailable */
    private Journal unavailableJournal(Path blocked) {
        Journal j = journal(new JournalSettings(true, blocked, FsyncPolicy.INTERVAL, 20, 1 << 30, SEGMENT, RETRY_MS, 1000), "pg");
        j.recover((e, s) -> { });
        return j;
    }

    private long[] appendAll(Journal j, List<LogEntry> in) {
        long[] tokens = new long[in.size()];
        for (int i = 0; i < in.size(); i++) tokens[i] = j.append(in.get(i));
        return tokens;
    }

    // ------------------------------------------------------------------ fsync policies

    @Test
    void fsyncNoneMakesWrittenEntriesDurableWithoutAnyForce() throws Exception {
        Journal j = journal(settings(SEGMENT, 1 << 30, FsyncPolicy.NONE), "pg");
        recover(j);
        entries(UUID.randomUUID(), 10).forEach(j::append);
        CompletableFuture<Void> f = j.whenDurable(j.appendedPosition());
        assertFalse(f.isDone(), "still in the in-memory buffer");
        j.commitOnce();
        assertTrue(f.isDone() && !f.isCompletedExceptionally());
        JournalStats s = j.stats();
        assertEquals(0, s.fsyncs(), "fsync=none never forces");
        assertEquals(0, s.meanFsyncMicros());
        assertEquals(s.appendedPosition(), s.syncedPosition());
        assertEquals(Files.size(segmentFiles().get(0)), s.appendedPosition(), "written to the file");
    }

    @Test
    void fsyncAlwaysCommitsEachAppendOnTheCommitterThread() throws Exception {
        Journal j = journal(settings(SEGMENT, 1 << 30, FsyncPolicy.ALWAYS), "pg");
        recover(j);
        j.start();
        try {
            for (LogEntry e : entries(UUID.randomUUID(), 3)) {
                j.append(e);
                j.whenDurable(j.appendedPosition()).get(WAIT_S, TimeUnit.SECONDS);
            }
            JournalStats s = j.stats();
            // one force per commit of an append, plus at most one for the segment the first append opens
            assertTrue(s.fsyncs() >= 1 && s.fsyncs() <= 4, "one force per commit: " + s.fsyncs());
            assertEquals(s.appendedPosition(), s.syncedPosition());
            assertTrue(s.maxFsyncMicros() >= s.lastFsyncMicros());
        } finally {
            j.close();
        }
    }

    @Test
    void fsyncIntervalCommitsOnTheCommitterThreadWithoutAnyNudge() throws Exception {
        Journal j = journal("pg");
        recover(j);
        j.start();
        try {
            entries(UUID.randomUUID(), 5).forEach(j::append);
            j.whenDurable(j.appendedPosition()).get(WAIT_S, TimeUnit.SECONDS);
            assertTrue(j.stats().fsyncs() >= 1);
        } finally {
            j.close();
        }
    }

    // ------------------------------------------------------------------ sizes

    @Test
    void aRecordLargerThanTheWriteBufferAndTheSegmentGetsASegmentOfItsOwn() throws Exception {
        Journal j = journal(settings(JournalSettings.MIN_SEGMENT_BYTES, 1L << 30, FsyncPolicy.INTERVAL), "pg");
        recover(j);
        UUID run = UUID.randomUUID();
        String huge = "x".repeat(3 << 19); // 1.5 MiB: more than the 1 MiB write buffer
        List<LogEntry> in = List.of(
                LogEntry.builder().workflowId(workflow).runId(run).nodeKey("a").ts(Entries.TS).level(LogLevel.INFO)
                        .message(huge).build().withSeq(1),
                LogEntry.builder().workflowId(workflow).runId(run).nodeKey("b").ts(Entries.TS).level(LogLevel.INFO)
                        .message(huge).build().withSeq(2));
        long[] tokens = appendAll(j, in);
        assertEquals(0, tokens[0], "an empty segment takes a record larger than segment-bytes");
        assertNotEquals(tokens[0], tokens[1], "the next one rolls");
        assertEquals(j.appendedPosition(), j.stats().appendedPosition());
        j.commitOnce();
        assertEquals(j.appendedPosition(), j.stats().syncedPosition());
        j.abandon();

        Journal again = journal(settings(JournalSettings.MIN_SEGMENT_BYTES, 1L << 30, FsyncPolicy.INTERVAL), "pg");
        assertEquals(Map.of(run, 2L), recover(again));
        assertEquals(2, segmentFiles().size() - 1, "two full segments plus the fresh one");
        assertEquals(in, JournalFiles.entries(dir));
    }

    @Test
    void aFullJournalStaysFullUntilDeletionsFreeAWholeSegment() throws Exception {
        long segment = JournalSettings.MIN_SEGMENT_BYTES;
        // a non-durable follower: the refused entries go to no overflow, so journaling resumes as soon as there is room
        Journal j = journal(settings(segment, 3 * segment, FsyncPolicy.NONE), "kafka");
        recover(j);
        List<LogEntry> in = entries(UUID.randomUUID(), 400);
        long[] tokens = appendAll(j, in);
        int journaled = 0;
        while (journaled < tokens.length && tokens[journaled] != Journal.NOT_JOURNALED) journaled++;
        assertTrue(journaled < in.size(), "the cap was reached");
        assertTrue(j.stats().full());
        j.commitOnce();
        // acknowledge only the first segment's records (it ends where the second begins): that frees less than the
        // room of one segment
        long first = tokens[0];
        int inFirst = 0;
        while (tokens[inFirst] == first) inFirst++;
        acknowledge(j, "kafka", tokens[inFirst]);
        j.housekeeping();
        assertFalse(Files.exists(dir.resolve(SegmentFile.name(first))), "the passed segment is deleted");
        JournalStats s = j.stats();
        assertTrue(s.bytesOnDisk() + segment > 3 * segment, "still no room for a segment: " + s.bytesOnDisk());
        assertTrue(s.full() && !s.available(), "stays full");
        assertEquals(Journal.NOT_JOURNALED, j.append(in.get(0)));
        // everything else acknowledged: room again
        acknowledge(j, "kafka", j.appendedPosition());
        j.housekeeping();
        assertTrue(j.available(), j.problem());
    }

    @Test
    void maxBytesIsACapOnTheFilesIncludingHeadersExactlyReachableNotExceeded() throws Exception {
        List<LogEntry> in = entries(UUID.randomUUID(), 3); // same framed size each (one-digit numbers)
        int size = RecordCodec.framedSize(RecordCodec.strings(in.get(0)));
        long exact = SegmentFile.HEADER_BYTES + 2L * size;

        Journal fits = journal(settings(SEGMENT, exact, FsyncPolicy.NONE), "pg");
        recover(fits);
        assertNotEquals(Journal.NOT_JOURNALED, fits.append(in.get(0)));
        assertNotEquals(Journal.NOT_JOURNALED, fits.append(in.get(1)), "exactly max-bytes is allowed");
        assertEquals(exact, fits.stats().bytesOnDisk());
        assertEquals(Journal.NOT_JOURNALED, fits.append(in.get(2)), "one record past it is not");
        assertTrue(fits.stats().full());
        assertEquals(1, fits.stats().unjournaledEntries());
        fits.close();

        Path other = dir.resolve("other");
        Journal oneShort = journal(new JournalSettings(true, other, FsyncPolicy.NONE, 20, exact - 1, SEGMENT, RETRY_MS, 1000), "pg");
        oneShort.recover((e, s) -> { });
        assertNotEquals(Journal.NOT_JOURNALED, oneShort.append(in.get(0)));
        assertEquals(Journal.NOT_JOURNALED, oneShort.append(in.get(1)), "one byte short of the second record");
        assertEquals(SegmentFile.HEADER_BYTES + size, oneShort.stats().bytesOnDisk());
        oneShort.close();
    }

    // ------------------------------------------------------------------ recovery

    @Test
    void aSegmentWithABadHeaderIsDeletedAndForeignFilesAreLeftAlone() throws Exception {
        List<LogEntry> in = entries(UUID.randomUUID(), 200);
        List<Path> files = crashedInTinySegments(in);
        assertTrue(files.size() >= 3, files.toString());
        Path first = files.get(0);
        List<LogEntry> inFirst = new ArrayList<>();
        SegmentFile.scan(first, 0, inFirst::add);
        try (var ch = Files.newByteChannel(first, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4)); // magic zeroed
        }
        Path foreign = dir.resolve("journal-backup.seg");
        Files.writeString(foreign, "not a segment");

        Journal again = journal("pg");
        recover(again);
        RecoveryReport r = again.recoveryReport();
        assertFalse(Files.exists(first), "no valid record: deleted");
        assertTrue(Files.exists(foreign), "a file that is not named like a segment is not ours");
        assertEquals(files.size(), r.segments(), "the foreign file is not counted");
        assertEquals(in.size() - inFirst.size(), r.records());
        assertTrue(r.cuts().get(0).contains("bad header"), r.cuts().toString());
        assertEquals(in.subList(inFirst.size(), in.size()), JournalFiles.entries(dir));
    }

    @Test
    void aZeroFilledTailIsCutAndTheFileTruncatedToItsRecords() throws Exception {
        List<LogEntry> in = entries(UUID.randomUUID(), 10);
        crashAfterJournaling(journal("pg"), in);
        Path seg = segmentFiles().get(0);
        long size = Files.size(seg);
        Files.write(seg, new byte[4096], StandardOpenOption.APPEND); // preallocated, never written

        Journal again = journal("pg");
        recover(again);
        RecoveryReport r = again.recoveryReport();
        assertEquals(10, r.records());
        assertEquals(4096, r.truncatedBytes());
        assertTrue(r.cuts().get(0).contains("out of bounds"), r.cuts().toString());
        assertEquals(size, Files.size(seg));
        assertEquals(in, JournalFiles.entries(dir));
    }

    @Test
    void aCorruptPositionIsIgnoredSoThatFollowerStillNeedsTheSegmentAndAPassedSegmentIsDeleted() throws Exception {
        List<LogEntry> in = entries(UUID.randomUUID(), 20);
        crashAfterJournaling(journal("pg", "kafka"), in);
        Files.writeString(dir.resolve("positions.properties"), "pg=not-a-number\nkafka=" + Long.MAX_VALUE + "\n");

        Journal again = journal("pg", "kafka");
        recover(again);
        assertEquals(in, JournalFiles.entries(dir));
        assertEquals(20, again.recoveryReport().toReplay());
        // kafka had passed it, pg's position is unreadable
        assertTrue(again.stats().sinkBacklogBytes().get("pg") > 0);
        assertEquals(0L, again.stats().sinkBacklogBytes().get("kafka"));
        again.abandon();

        // every follower past it: found, owed to nobody, and deleted by the next housekeeping
        Files.writeString(dir.resolve("positions.properties"), "pg=" + Long.MAX_VALUE + "\nkafka=" + Long.MAX_VALUE + "\n");
        Journal third = journal("pg", "kafka");
        recover(third);
        assertEquals(20, third.recoveryReport().records());
        assertEquals(0, third.recoveryReport().toReplay());
        assertEquals(0L, third.stats().sinkBacklogBytes().get("pg"));
        assertEquals(0L, third.stats().sinkBacklogBytes().get("kafka"));
        Path old = dir.resolve(SegmentFile.name(0));
        assertTrue(Files.exists(old));
        third.housekeeping();
        assertFalse(Files.exists(old), "passed by every follower: deleted");
        String saved = Files.readString(dir.resolve("positions.properties"));
        assertTrue(saved.contains("pg=" + segmentBase(segmentFiles().get(0))), "the open segment's base: " + saved);
        third.close();

        // a missing positions file: every follower needs everything still on disk
        Journal fourth = journal("pg", "kafka");
        Files.delete(dir.resolve("positions.properties"));
        recover(fourth);
        assertEquals(0, fourth.recoveryReport().toReplay(), "nothing left on disk after the clean close");
    }

    @Test
    void aRecoveredSegmentIsDeletedOnceItsFollowerHasPassedIt() throws Exception {
        Journal j = journal("pg");
        recover(j);
        List<LogEntry> in = entries(UUID.randomUUID(), 30);
        long[] tokens = appendAll(j, in);
        j.commitOnce();
        j.abandon();

        Journal again = journal("pg");
        recover(again);
        assertEquals(30, again.recoveryReport().toReplay());
        assertTrue(again.stats().sinkBacklogBytes().get("pg") > 0);
        acknowledge(again, "pg", again.appendedPosition());
        assertEquals(0L, again.stats().sinkBacklogBytes().get("pg"));
        Path old = dir.resolve(SegmentFile.name(tokens[0]));
        assertTrue(Files.exists(old));
        again.housekeeping();
        assertFalse(Files.exists(old), "recovered sealed, now passed: deleted");
    }

    @Test
    void aLargeSegmentIsRecoveredWholeInJournalOrder() throws Exception {
        List<LogEntry> in = entries(UUID.randomUUID(), 4500);
        crashAfterJournaling(journal(settings(1 << 20, 1 << 30, FsyncPolicy.INTERVAL), "pg"), in);

        Journal again = journal(settings(1 << 20, 1 << 30, FsyncPolicy.INTERVAL), "pg");
        recover(again);
        assertEquals(1, again.recoveryReport().segments());
        assertEquals(4500, again.recoveryReport().records());
        assertEquals(4500, again.recoveryReport().toReplay());
        assertEquals(in, JournalFiles.entries(dir));
    }

    // ------------------------------------------------------------------ lock, retries, close

    @Test
    void aSecondJournalOnALockedDirectoryStaysUnavailableUntilTheLockIsFree() throws Exception {
        // non-durable followers: what the second journal refuses goes to no overflow, so it journals again once retried
        Journal owner = journal("kafka");
        recover(owner);
        Journal second = journal("kafka");
        RecoveryReport r = second.recover((e, s) -> { });
        assertNotNull(r.error());
        assertTrue(r.error().contains("in use"), r.error());
        assertEquals(Journal.NOT_JOURNALED, second.append(entries(UUID.randomUUID(), 1).get(0)));

        clock.advance(RETRY_MS);
        second.housekeeping();
        assertFalse(second.available(), "a retry must not take a directory another journal holds");
        assertNotNull(second.problem());

        LogEntry ownersEntry = entries(UUID.randomUUID(), 1).get(0);
        owner.append(ownersEntry); // never acknowledged
        owner.close();
        clock.advance(RETRY_MS);
        second.housekeeping();
        assertTrue(second.available(), second.problem());
        LogEntry secondsEntry = entries(UUID.randomUUID(), 1).get(0);
        long token = second.append(secondsEntry);
        assertNotEquals(Journal.NOT_JOURNALED, token);
        assertTrue(token > 0, "the new segment starts past the segments already on disk: " + token);
        second.close();

        Journal third = journal("kafka");
        recover(third);
        assertEquals(List.of(ownersEntry, secondsEntry), JournalFiles.entries(dir), "both processes' segments, in position order");
        assertEquals(2, third.recoveryReport().records());
        third.close();
    }

    @Test
    void aFailedRetryWaitsAnotherRetryInterval() throws Exception {
        Path blocked = blockedDirectory("a file where the directory should be");
        Journal j = unavailableJournal(blocked);
        clock.advance(RETRY_MS);
        j.housekeeping(); // fails again: the next try is RETRY_MS from now
        assertFalse(j.available());
        Files.delete(blocked);
        clock.advance(RETRY_MS - 1);
        j.housekeeping();
        assertFalse(j.available(), "not before the retry interval after the failed retry");
        clock.advance(1);
        j.housekeeping();
        assertTrue(j.available(), j.problem());
        j.close();
    }

    @Test
    void waitsBeyondTheLastCommitFailAtCloseAndWaitsAfterCloseFailAtOnce() throws Exception {
        Journal j = recoveredWith(entries(UUID.randomUUID(), 5));
        long appended = j.appendedPosition();
        CompletableFuture<Void> later = j.whenDurable(appended + 1000);
        CompletableFuture<Void> now = j.whenDurable(appended);
        j.commitOnce();
        assertTrue(now.isDone() && !now.isCompletedExceptionally());
        assertFalse(later.isDone(), "nothing was appended that far");
        CompletableFuture<Void> pendingAtClose = j.whenDurable(appended + 10);
        j.close();
        for (CompletableFuture<Void> f : List.of(later, pendingAtClose)) {
            ExecutionException ex = assertThrows(ExecutionException.class, () -> f.get(WAIT_S, TimeUnit.SECONDS));
            assertTrue(ex.getCause() instanceof JournalUnavailableException, ex.toString());
        }
        assertTrue(j.whenDurable(appended).isDone() && !j.whenDurable(appended).isCompletedExceptionally(),
                "what was forced stays durable");
        CompletableFuture<Void> after = j.whenDurable(appended + 1);
        assertTrue(after.isCompletedExceptionally());
        assertEquals(Journal.NOT_JOURNALED, j.append(entries(UUID.randomUUID(), 1).get(0)));
        assertEquals("the journal is closed", j.problem());
        j.close(); // twice: harmless
        assertEquals("the journal is closed", j.problem());
    }

    @Test
    void closingAnUnavailableJournalNeitherThrowsNorWrites() throws Exception {
        Path blocked = blockedDirectory("x");
        Journal j = unavailableJournal(blocked);
        j.close();
        assertEquals("the journal is closed", j.problem());
        assertEquals("x", Files.readString(blocked));
        j.abandon(); // nothing open: nothing to release
    }

    @Test
    void availabilityListenersHearTheChangeAndAFailingListenerDoesNotStopOthers() throws Exception {
        long segment = JournalSettings.MIN_SEGMENT_BYTES;
        Journal j = journal(settings(segment, 2 * segment, FsyncPolicy.NONE), "pg");
        recover(j);
        List<Boolean> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        j.onAvailabilityChange(() -> {
            throw new IllegalStateException("broken listener");
        });
        j.onAvailabilityChange(() -> heard.add(j.available()));
        j.start();
        try {
            for (LogEntry e : entries(UUID.randomUUID(), 200)) j.append(e);
            assertTrue(j.stats().full());
            await("a listener heard the change").atMost(Duration.ofSeconds(WAIT_S)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(() -> !heard.isEmpty());
            assertEquals(List.of(false), heard);
        } finally {
            j.close();
        }
    }

    // ------------------------------------------------------------------ sealing

    @Test
    void anIdleSegmentEveryFollowerHasPassedIsSealedAndDeletedAfterTenSeconds() throws Exception {
        Journal j = recoveredWith(entries(UUID.randomUUID(), 3));
        j.commitOnce();
        Path first = segmentFiles().get(0);
        clock.advance(9_999);
        j.housekeeping();
        assertTrue(Files.exists(first), "not acknowledged: kept");
        acknowledge(j, "pg", j.appendedPosition());
        j.housekeeping();
        assertTrue(Files.exists(first), "young and small: kept open");
        clock.advance(1);
        j.housekeeping();
        assertFalse(Files.exists(first), "sealed and passed: deleted");
        assertEquals(1, segmentFiles().size());
        Path fresh = segmentFiles().get(0);
        clock.advance(60_000);
        j.housekeeping();
        assertEquals(List.of(fresh), segmentFiles(), "an empty segment is never sealed");
        assertEquals(0L, j.stats().sinkBacklogBytes().get("pg"));
        assertTrue(Files.readString(dir.resolve("positions.properties")).contains("pg=" + segmentBase(segmentFiles().get(0))));
    }

    @Test
    void aSegmentEveryFollowerHasPassedIsSealedAtOnceWhenAnEighthFull() throws Exception {
        long segment = JournalSettings.MIN_SEGMENT_BYTES * 2;
        Journal j = journal(settings(segment, 1 << 30, FsyncPolicy.INTERVAL), "pg");
        recover(j);
        List<LogEntry> in = new ArrayList<>();
        UUID run = UUID.randomUUID();
        while (j.stats().appendedPosition() < segment / 8) {
            List<LogEntry> one = entries(run, in.size() + 1).subList(in.size(), in.size() + 1);
            in.addAll(one);
            j.append(one.get(0));
        }
        acknowledge(j, "pg", j.appendedPosition()); // all in segment 0
        j.housekeeping();
        assertFalse(Files.exists(dir.resolve(SegmentFile.name(0))), "sealed without waiting and deleted");
        assertEquals(1, j.stats().segments());
    }

    private static long segmentBase(Path p) {
        return SegmentFile.baseOf(p.getFileName().toString());
    }

    @Test
    void theStatsSnapshotMatchesTheFilesOnDisk() throws Exception {
        Journal j = journal(settings(8192, 1 << 30, FsyncPolicy.INTERVAL), "pg", "kafka");
        recover(j);
        entries(UUID.randomUUID(), 150).forEach(j::append);
        j.commitOnce();
        acknowledge(j, "pg", j.appendedPosition());
        JournalStats s = j.stats();
        long onDisk = 0;
        for (Path p : segmentFiles()) onDisk += Files.size(p);
        assertTrue(s.enabled() && s.available() && !s.full());
        assertNull(s.problem());
        assertEquals(onDisk, s.bytesOnDisk());
        assertEquals(segmentFiles().size(), s.segments());
        assertEquals(150, s.appendedEntries());
        assertEquals(0, s.unjournaledEntries());
        assertEquals(s.appendedPosition(), s.syncedPosition());
        assertEquals(0L, s.sinkBacklogEntries().get("pg"));
        assertTrue(s.sinkBacklogEntries().get("kafka") >= 150, "estimated from the bytes, headers included: " + s.sinkBacklogEntries());
        assertEquals(s.appendedPosition() - SegmentFile.HEADER_BYTES, s.sinkBacklogBytes().get("kafka"), "kafka is at the first record");
        assertEquals(0L, s.sinkBacklogBytes().get("pg"), "pg's position is exact: it has everything");
        assertEquals(1, s.fsyncs());
        assertTrue(s.meanFsyncMicros() <= s.maxFsyncMicros());
        assertEquals(0, s.truncatedRecords());
        JournalStats off = JournalStats.disabled();
        assertFalse(off.enabled() || off.available());
        assertNotNull(off.problem());
    }
}
