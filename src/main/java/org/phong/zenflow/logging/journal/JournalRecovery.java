package org.phong.zenflow.logging.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.logging.Logger;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * Startup recovery of a journal directory: every segment file is read and checked, damage is repaired (copied
 * aside first, then padded in the middle or cut at the tail) and reported, with the entries it took; the valid
 * segments join the journal's {@link SegmentList} sealed; every run's highest seq goes to the caller; the followers
 * start at their saved positions.
 * See package-info, "Recovery", for what damage costs.
 *
 * <p>Invariants:
 * <ul>
 *   <li>segments are read in position order, and each one joins the list as soon as it is read, so a recovery
 *       that fails half way leaves the journal knowing exactly the segments before the failure (a retry keeps
 *       the rest for the next startup);</li>
 *   <li>nothing is changed in a damaged file before a copy of it is in {@code damaged/}; padding keeps every
 *       position in the file, so saved positions stay record boundaries;</li>
 *   <li>a segment with no valid record is deleted; later segments are still read;</li>
 *   <li>a follower never starts before the oldest segment or after the end; one without a saved position starts
 *       at the oldest segment (nothing skipped on first use).</li>
 * </ul>
 *
 * <p>Locking: one instance per {@code recover} call, run under the journal's lock before the committer starts and
 * before any tail exists; it has no lock of its own.
 */
final class JournalRecovery {
    /** Logged under the journal's name, as before the journal was split into classes. */
    private static final Logger LOG = Logger.getLogger(Journal.class.getName());

    private final Path dir;
    private final Followers followers;
    private final SegmentList segments;
    private final Scheduler clock;

    // What was found so far: the report of a recovery that failed half way counts what it got through.
    private int files;
    private long found;
    private long toReplay;
    private long cutBytes;
    private final List<String> cuts = new ArrayList<>();
    private final List<String> asides = new ArrayList<>();
    private final LostTracker lostTracker = new LostTracker();

    /**
     * @param followers the journal's followers (seeded here)
     * @param segments  the journal's (empty) segment list (filled here)
     */
    JournalRecovery(Path dir, Followers followers, SegmentList segments, Scheduler clock) {
        this.dir = dir;
        this.followers = followers;
        this.segments = segments;
        this.clock = clock;
    }

    /**
     * Recovers every segment file of the directory, then seeds the followers' positions.
     *
     * @param saved  the positions file's content (reader name = position)
     * @param runSeq receives every valid entry and its seq, in journal order (the caller keeps each run's highest)
     * @return where appends continue: the end of the last segment recovered (0 when there is none)
     * @throws IOException when a file cannot be read or repaired; what was recovered before stays in the list
     */
    long run(Map<String, Long> saved, BiConsumer<LogEntry, Long> runSeq) throws IOException {
        long next = 0;
        for (long base : SegmentFile.bases(dir)) {
            files++;
            Segment s = recoverSegment(base, runSeq);
            if (s == null) continue;
            segments.add(s);
            next = Math.max(next, s.end());
        }
        seedFollowers(saved, next);
        // Records a durable follower has still to store (it reads them from its position on).
        for (Segment s : segments) if (followers.durableBehind(s)) toReplay += s.records;
        return next;
    }

    /** @return the recovered segment (sealed), or null when the file held no valid record (it is deleted) */
    private Segment recoverSegment(long base, BiConsumer<LogEntry, Long> runSeq) throws IOException {
        Path file = dir.resolve(SegmentFile.name(base));
        SegmentFile.Scan scan = SegmentFile.scanWith(file, base, lostTracker.visitor(runSeq));
        if (scan.damaged()) {
            asides.add(DamageRepair.copyAside(dir, file));
            for (SegmentFile.Damage d : scan.skipped()) {
                String line = file.getFileName() + ": " + d.reason() + "; " + d.length() + " damaged bytes padded, "
                        + "the records after them kept";
                cuts.add(line);
                cutBytes += d.length();
                LOG.severe("Journal damage found at startup (a corrupt file): " + line);
            }
            if (!scan.skipped().isEmpty()) DamageRepair.pad(file, scan.skipped());
        }
        if (scan.damage() != null) {
            String cut = file.getFileName() + ": " + scan.damage() + "; cut " + scan.bytesCut() + " bytes, kept "
                    + scan.records() + " records before it";
            cuts.add(cut);
            cutBytes += scan.bytesCut();
            LOG.severe("Journal damage found at startup (a crash mid-write or a corrupt file): " + cut);
            if (scan.records() > 0) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(scan.validEnd());
                    ch.force(true);
                }
            }
        }
        if (scan.records() == 0) {
            Files.delete(file);
            return null;
        }
        Segment s = new Segment(base, file, clock.nowMillis());
        s.records = scan.records();
        s.bytes = scan.validEnd();
        if (scan.lastEntryEnd() < scan.validEnd()) s.lastEntryEnd = scan.lastEntryEnd();
        s.sealed = true;
        found += s.records;
        return s;
    }

    private void seedFollowers(Map<String, Long> saved, long next) {
        long oldest = segments.isEmpty() ? next : segments.oldest().base;
        for (int i = 0; i < followers.size(); i++) {
            Long pos = saved.get(followers.name(i));
            // Never tracked before (first start with this follower): from the oldest record kept, so
            // nothing is skipped; some of it may reach the follower a second time.
            long start = pos == null ? oldest : Math.min(Math.max(pos, oldest), next);
            if (pos != null && pos < oldest) {
                LOG.warning("Journal position of " + followers.name(i) + " (" + pos + ") is before the oldest segment (" + oldest
                        + "): the entries in between are gone for it (it was not tracked while they were deleted)");
            }
            followers.seed(i, start);
        }
    }

    /** @param error why the journal could not be opened, or null @return what was found (so far, on error) */
    RecoveryReport report(String error) {
        return new RecoveryReport(files, found, toReplay, cutBytes, List.copyOf(cuts), error, lostTracker.lost(), List.copyOf(asides));
    }

    /** Logs a successful recovery: each loss at SEVERE, then one summary line. */
    static void log(Path dir, RecoveryReport r, JournalSettings settings) {
        for (String l : r.lost()) LOG.severe("Journal damage lost entries: " + l);
        LOG.info("Journal " + dir + ": " + r.segments() + " segment files, " + r.records() + " valid records, " + r.toReplay()
                + " to replay, " + r.cuts().size() + " damaged segments (" + r.truncatedBytes() + " bytes cut); fsync " + settings.fsync()
                + (settings.fsync() == FsyncPolicy.INTERVAL ? " every " + settings.fsyncIntervalMs() + " ms" : ""));
    }
}
