package org.phong.zenflow.logging.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.phong.zenflow.logging.testing.JournalFixtures.DATABASE;
import static org.phong.zenflow.logging.testing.JournalFixtures.recover;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.testing.ExactlyOnce;
import org.phong.zenflow.logging.testing.JournalFixtures;

/**
 * A journal whose startup recovery fails (the directory locked by another process, a segment file that cannot be
 * read) and whose retry succeeds later: the retry leaves the segment files recovery never read for the next
 * startup, while the database, a durable follower, goes on with the new segments. Whatever it saves in the
 * positions file meanwhile must not pass what it has not stored of those files, or the next startup skips them
 * for it. Three lives of a journal on one directory, the database driven by hand as {@code DurableFollower} drives
 * it (journal first, then the overflow; acknowledge once stored), its table keyed by (run, seq) as PostgreSQL's is.
 */
class JournalFailedStartTest extends JournalOnDisk {
    private static final long RETRY_MS = 1000;
    private static final int BATCH = 64;

    /** The database: rows by (run, seq), stored once however often written, and every read counted. */
    private static final class Database {
        final Map<String, LogEntry> table = new LinkedHashMap<>();
        final Map<String, Integer> reads = new HashMap<>();

        void write(LogEntry e) {
            String id = id(e);
            table.putIfAbsent(id, e);
            reads.merge(id, 1, Integer::sum);
        }

        int reads(LogEntry e) {
            return reads.getOrDefault(id(e), 0);
        }
    }

    private static String id(LogEntry e) {
        return e.runId() + ":" + e.seq();
    }

    private static List<String> ids(List<LogEntry> in) {
        return in.stream().map(JournalFailedStartTest::id).toList();
    }

    /** Runs' entries, round robin (as many runs interleave in the journal). */
    private List<LogEntry> interleaved(int runs, int perRun) {
        List<List<LogEntry>> byRun = new ArrayList<>();
        for (int r = 0; r < runs; r++) byRun.add(JournalFixtures.entries(workflow, UUID.randomUUID(), perRun));
        List<LogEntry> out = new ArrayList<>();
        for (int i = 0; i < perRun; i++) for (List<LogEntry> run : byRun) out.add(run.get(i));
        return out;
    }

    /** Appends every entry, journaled; commits; @return them, confirmed durable. */
    private static List<LogEntry> appendConfirmed(Journal j, List<LogEntry> in) {
        for (LogEntry e : in) assertNotEquals(Journal.NOT_JOURNALED, j.append(e), "journaled: " + e);
        j.commitOnce();
        CompletableFuture<Void> durable = j.whenDurable(j.appendedPosition());
        assertTrue(durable.isDone() && !durable.isCompletedExceptionally(), "confirmed durable");
        return in;
    }

    /**
     * The database follows the journal as {@code DurableFollower} does: reads from the tail, writes, acknowledges;
     * once the journal is read to its end, the overflow. Stops after {@code max} entries written.
     */
    private static void follow(JournalTail tail, Database db, int max) throws IOException {
        int written = 0;
        List<LogEntry> batch = new ArrayList<>();
        long[] ends = new long[BATCH];
        while (written < max) {
            batch.clear();
            int n = tail.read(Math.min(BATCH, max - written), batch, ends);
            if (n > 0) {
                batch.forEach(db::write);
                tail.acknowledge(ends[n - 1]);
                written += n;
                continue;
            }
            List<LogEntry> over = tail.overflow(Math.min(BATCH, max - written));
            if (over.isEmpty()) return;
            over.forEach(db::write);
            tail.overflowTaken(over.size());
            written += over.size();
        }
    }

    /** The first life: entries confirmed durable, the database stores only the first {@code stored} of them. */
    private List<LogEntry> firstLife(int stored, Database db) throws IOException {
        Journal first = journal(DATABASE);
        recover(first);
        List<LogEntry> confirmed = appendConfirmed(first, interleaved(3, 600));
        assertTrue(segmentFiles().size() >= 3, "several segments: " + segmentFiles());
        follow(first.tail(DATABASE), db, stored);
        assertEquals(stored, db.table.size());
        first.close(); // saves the database's position, a record inside the first segment
        return confirmed;
    }

    /**
     * The second life, after a startup that failed ({@code unblock} removes the cause): entries while it is failed
     * (the overflow: accepted, not confirmed durable), the retry, entries journaled and confirmed again, the
     * database keeping up, a housekeeping that saves its position, a clean close.
     *
     * @return the entries confirmed durable in this life
     */
    private List<LogEntry> secondLife(Journal second, Runnable unblock, Database db, List<LogEntry> overflowed) throws IOException {
        JournalTail tail = second.tail(DATABASE); // as the pipeline does, right after recover
        List<LogEntry> whileFailed = interleaved(2, 50);
        for (LogEntry e : whileFailed) assertEquals(Journal.NOT_JOURNALED, second.append(e));
        overflowed.addAll(whileFailed);
        follow(tail, db, Integer.MAX_VALUE);

        unblock.run();
        clock.advance(RETRY_MS);
        second.housekeeping();
        assertTrue(second.available(), "the retry succeeded: " + second.problem());

        List<LogEntry> confirmed = appendConfirmed(second, interleaved(2, 300));
        follow(tail, db, Integer.MAX_VALUE);
        assertTrue(tail.caughtUp());
        clock.advance(PositionsFile.FOLLOWER_SAVE_INTERVAL_MS);
        second.housekeeping(); // the database's moved position is saved
        second.close();
        return confirmed;
    }

    /** The third life: a clean start; the database reads on from its saved position until it has everything. */
    private void thirdLife(Database db) throws IOException {
        Journal third = journal(DATABASE);
        recover(third);
        assertNull(third.recoveryReport().error(), "the third start recovers every segment");
        follow(third.tail(DATABASE), db, Integer.MAX_VALUE);
        third.close();
    }

    private static void assertEveryConfirmedEntryStoredOnce(Database db, List<LogEntry> confirmed, List<LogEntry> overflowed,
                                                            List<LogEntry> storedInFirstLife, List<LogEntry> notStoredInFirstLife) {
        new ExactlyOnce().mustArrive(ids(confirmed)).mayArrive(ids(overflowed)).readAll(db.table.keySet())
                .verdict().assertExact("the database's table after the third start");
        // What the first life had not stored is read exactly once (by the third), none skipped, none twice ...
        long notOnce = notStoredInFirstLife.stream().filter(e -> db.reads(e) != 1).count();
        assertEquals(0, notOnce, "entries of the first life the database had not stored, read other than once");
        // ... and what it had stored is not owed to it again by the saved position.
        assertEquals(storedInFirstLife.size(), storedInFirstLife.stream().filter(e -> db.reads(e) == 1).count(),
                "entries the first life stored, read again later");
    }

    @Test
    void aStartupOnALockedDirectoryRetriedLaterNeverSavesAPositionPastTheSegmentsItDidNotRecover() throws Exception {
        Database db = new Database();
        int stored = 300;
        List<LogEntry> firstConfirmed = firstLife(stored, db);

        // Another process still holds the directory when the second life starts.
        Journal second = journal(DATABASE);
        List<LogEntry> overflowed = new ArrayList<>();
        List<LogEntry> secondConfirmed;
        try (FileChannel ch = FileChannel.open(dir.resolve("journal.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = ch.tryLock();
            assertNotNull(held);
            recover(second);
            RecoveryReport r = second.recoveryReport();
            assertNotNull(r.error());
            assertTrue(r.error().contains("in use"), r.error());
            secondConfirmed = secondLife(second, () -> release(held), db, overflowed);
        }

        thirdLife(db);
        List<LogEntry> confirmed = new ArrayList<>(firstConfirmed);
        confirmed.addAll(secondConfirmed);
        assertEveryConfirmedEntryStoredOnce(db, confirmed, overflowed, firstConfirmed.subList(0, stored),
                firstConfirmed.subList(stored, firstConfirmed.size()));
    }

    @Test
    void aStartupThatCannotReadASegmentRetriedLaterNeverSavesAPositionPastTheSegmentsItDidNotRecover() throws Exception {
        Database db = new Database();
        int stored = 300;
        List<LogEntry> firstConfirmed = firstLife(stored, db);

        // The second segment cannot be read at the second start (a directory where the file should be): recovery
        // keeps the first segment and fails there; the file is back by the third start.
        Path unreadable = segmentFiles().get(1);
        Path aside = dir.resolve("aside");
        Files.move(unreadable, aside);
        Files.createDirectory(unreadable);
        Journal second = journal(DATABASE);
        recover(second);
        assertNotNull(second.recoveryReport().error());
        List<LogEntry> overflowed = new ArrayList<>();
        List<LogEntry> secondConfirmed = secondLife(second, () -> { }, db, overflowed);
        Files.delete(unreadable);
        Files.move(aside, unreadable);

        thirdLife(db);
        List<LogEntry> confirmed = new ArrayList<>(firstConfirmed);
        confirmed.addAll(secondConfirmed);
        // The second life read the first segment again (its position was not known then): stored once all the same.
        new ExactlyOnce().mustArrive(ids(confirmed)).mayArrive(ids(overflowed)).readAll(db.table.keySet())
                .verdict().assertExact("the database's table after the third start");
        List<LogEntry> notStored = firstConfirmed.subList(stored, firstConfirmed.size());
        assertEquals(0, notStored.stream().filter(e -> db.reads(e) != 1).count(),
                "entries of the first life the database had not stored, read other than once");
    }

    private static void release(FileLock l) {
        try {
            l.release();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
