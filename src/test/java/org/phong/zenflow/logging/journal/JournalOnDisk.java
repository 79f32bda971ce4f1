package org.phong.zenflow.logging.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.testing.JournalFixtures;
import org.phong.zenflow.logging.testing.ManualScheduler;

/**
 * Base of the tests of a journal on real files: a temporary directory, a clock driven by hand, one
 * workflow, and journals on that directory ({@link JournalFixtures} with these filled in).
 */
abstract class JournalOnDisk {
    /** A small segment, so tests cross segment boundaries with few entries. */
    static final long SEGMENT = JournalFixtures.SMALL_SEGMENT;
    /** Segments so small that a couple of hundred entries fill several (for damage tests). */
    static final long TINY_SEGMENT = 8192;

    final ManualScheduler clock = new ManualScheduler();
    final UUID workflow = UUID.randomUUID();

    @TempDir
    Path dir;

    /** @return settings on {@link #dir} (see {@link JournalFixtures#settings}) */
    JournalSettings settings(long segment, long max, FsyncPolicy fsync) {
        return JournalFixtures.settings(dir, segment, max, fsync);
    }

    /** @return a journal on {@link #dir} with {@link #SEGMENT}s, room enough and interval fsync, not yet recovered */
    Journal journal(String... followers) {
        return journal(settings(SEGMENT, JournalFixtures.ROOMY, FsyncPolicy.INTERVAL), followers);
    }

    /** "pg" is a durable follower, as the database is; any other follower is not (see JournalFixtures#journal). */
    Journal journal(JournalSettings s, String... followers) {
        return JournalFixtures.journal(s, clock, followers);
    }

    /** @return a journal as {@link #journal(String...)} gives it for "pg", recovered, with {@code in} appended (not committed) */
    Journal recoveredWith(List<LogEntry> in) {
        Journal j = journal("pg");
        JournalFixtures.recover(j);
        in.forEach(j::append);
        return j;
    }

    /** @return the segment files of {@link #dir}, in position order */
    List<Path> segmentFiles() throws IOException {
        return JournalFixtures.segmentFiles(dir);
    }

    /** Recovers {@code j} (on an empty directory), journals {@code in}, commits and crashes (no close). */
    static void crashAfterJournaling(Journal j, List<LogEntry> in) {
        JournalFixtures.recover(j);
        in.forEach(j::append);
        j.commitOnce();
        j.abandon();
    }

    /**
     * Journals {@code in} for the database in {@link #TINY_SEGMENT}s and crashes, leaving several segment
     * files to damage before the next start.
     *
     * @return the segment files
     */
    List<Path> crashedInTinySegments(List<LogEntry> in) throws IOException {
        crashAfterJournaling(journal(settings(TINY_SEGMENT, JournalFixtures.ROOMY, FsyncPolicy.INTERVAL), JournalFixtures.DATABASE), in);
        return segmentFiles();
    }
}
