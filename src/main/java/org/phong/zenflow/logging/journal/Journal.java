package org.phong.zenflow.logging.journal;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * The write-ahead journal: append-only, checksummed segments, group commit on one committer thread,
 * per-reader positions, deletion of segments every reader has passed, startup recovery. See package-info
 * for the format, the invariants and the classes each concern lives in.
 *
 * <p>This class is the facade and the lock: its monitor guards the write path and the segment list
 * ({@link SegmentWriter}, {@link SegmentList}, {@link PositionsFile}, {@link JournalRecovery} all run under it),
 * and it decides availability: failed ({@code problem}), full, retried.
 */
public final class Journal {
    private static final Logger LOG = Logger.getLogger(Journal.class.getName());
    /** Segment token of an entry that was not journaled (journal unavailable or full). */
    public static final long NOT_JOURNALED = -1;
    /** An open segment every follower has passed is sealed (so it can be deleted) once this old ... */
    private static final long SEAL_ACKED_AFTER_MS = 10_000;
    /** ... or this fraction of segment-bytes full. */
    private static final int SEAL_ACKED_FRACTION = 8;
    private static final String LOCK_FILE = "journal.lock";
    /** Entries kept in memory for followers that keep up (the hot path; see {@link RecentWindow}). */
    static final int WINDOW_ENTRIES = 1 << 15;
    /** Record size assumed before the first append (an entry with a short message and some metadata). */
    private static final long DEFAULT_RECORD_BYTES = 512;
    /** Free space on the journal's file system is sampled this often (by the committer, never on append). */
    private static final long FREE_SPACE_CHECK_MS = 1_000;
    /** Space left free on the file system: the journal's budget never counts it. */
    static final long FREE_SPACE_RESERVE_BYTES = 64L << 20;

    private final JournalSettings settings;
    private final Path dir;
    private final Scheduler clock;
    /** The sinks that read the journal themselves (Kafka; the database as a durable follower) and their positions. */
    private final Followers followers;
    /** {@code followers.overflow()}: null without durable followers. */
    private final Overflow overflow;
    private final RecentWindow window = new RecentWindow(WINDOW_ENTRIES);
    private final DurabilityWaiters waiters;
    private final GroupCommit commit;

    // ---- guarded by this
    private final SegmentList segments = new SegmentList();
    private final SegmentWriter writer;
    private final PositionsFile positionsFile;
    private FileChannel lockChannel;
    /** Lowest base of the segment files a retry found that startup did not recover ({@code Long.MAX_VALUE}: none). */
    private long unrecoveredFrom = Long.MAX_VALUE;
    private long lastSpaceCheckMs = Long.MIN_VALUE;
    // written under the lock, read anywhere
    private volatile String problem;       // null when available
    private volatile boolean full;
    private volatile long nextRetryMs;
    private volatile long usableBytes = Long.MAX_VALUE;
    private volatile RecoveryReport recovery = new RecoveryReport(0, 0, 0, 0, List.of(), null);
    /** Set under the lock; the committer notifies listeners and fails waiters outside it (lock order). */
    private final AtomicBoolean availabilityChanged = new AtomicBoolean();
    private final List<Runnable> availabilityListeners = new CopyOnWriteArrayList<>();

    private final AtomicLong appendedEntries = new AtomicLong();
    private final AtomicLong appendedBytes = new AtomicLong();
    private final AtomicLong unjournaled = new AtomicLong();

    /**
     * @param settings          directory, policy, sizes
     * @param followers         the sinks that read the journal (name = most journal bytes its backlog may hold);
     *                          each keeps segments until it passes them
     * @param durableFollowers  followers among them that are durable sinks reading the journal (the database):
     *                          they never skip, and take the {@link Overflow} of entries the journal could not hold
     * @param threadFactory     makes the one committer thread
     * @param clock             wall/monotonic ms for segment ages and retries
     */
    public Journal(JournalSettings settings, Map<String, Long> followers, Set<String> durableFollowers,
                   ThreadFactory threadFactory, Scheduler clock) {
        this.settings = settings;
        this.followers = new Followers(followers, durableFollowers);
        this.overflow = this.followers.overflow();
        this.clock = clock;
        this.dir = settings.dir().toAbsolutePath().normalize();
        this.writer = new SegmentWriter(dir, settings, segments, window, clock);
        this.positionsFile = new PositionsFile(dir, this.followers, clock);
        this.waiters = new DurabilityWaiters(this::syncedPosition, () -> problem);
        this.commit = new GroupCommit(this, settings, threadFactory, waiters);
    }

    // ================================================================ startup

    /**
     * Opens the directory, validates every segment (truncating a damaged one at its last valid
     * record), and opens a fresh segment for appends. Never throws for an unusable directory: the
     * journal then starts unavailable (level 3) and is retried every retry-ms.
     *
     * @param runSeq receives, per run found in the journal, its workflow and highest seq (to continue
     *               the run's numbering after a restart)
     * @return what was found
     */
    public synchronized RecoveryReport recover(BiConsumer<LogEntry, Long> runSeq) {
        JournalRecovery r = new JournalRecovery(dir, followers, segments, clock);
        try {
            Files.createDirectories(dir);
            lock();
            long next = r.run(positionsFile.load(), runSeq);
            writer.startAt(next);
            commit.syncedAt(next);
            writer.open(next);
            problem = null;
        } catch (IOException | RuntimeException e) {
            fail("cannot open the journal directory " + dir + ": " + e, e);
            recovery = r.report(problem);
            return recovery;
        }
        recovery = r.report(null);
        JournalRecovery.log(dir, recovery, settings);
        return recovery;
    }

    /** One process per directory: an OS lock, released by the OS when the process dies (kill -9 too). */
    private void lock() throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        java.nio.channels.FileLock l;
        try {
            l = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            ch.close();
            throw new IOException("the journal directory is in use by another pipeline or process (" + LOCK_FILE + " is locked)");
        }
        lockChannel = ch;
    }

    /** Starts the committer thread (group commit, deletion of passed segments, retries). */
    public void start() {
        commit.start();
    }

    // ================================================================ append (router workers)

    /**
     * Appends a sequenced entry (called on the router worker that owns its run, right after the seq
     * was assigned, so the journal is in routing order). Buffers in memory; the committer writes
     * and forces. Never blocks on a force.
     *
     * @return the base of the segment holding the record, or {@link #NOT_JOURNALED}
     */
    public synchronized long append(LogEntry e) {
        if (problem != null || full || writer.current() == null || (overflow != null && overflow.holding())) {
            return notJournaled(e);
        }
        byte[][] strings = RecordCodec.strings(e);
        int size = RecordCodec.framedSize(strings);
        long base;
        try {
            writer.makeRoom(size);
            if (segments.bytes() + size > settings.maxBytes()) {
                full = true;
                availabilityChanged.set(true);
                LOG.severe("Journal " + dir + " is full (" + segments.bytes() + " of " + settings.maxBytes() + " bytes, "
                        + JournalSettings.MAX_BYTES + "): new entries are kept in memory only (level 3) until the sinks catch up");
                return notJournaled(e);
            }
            base = writer.append(e, strings, size);
        } catch (IOException ex) {
            fail("cannot write the journal segment " + writer.current().file + ": " + ex, ex);
            return notJournaled(e);
        }
        appendedBytes.addAndGet(size);
        appendedEntries.incrementAndGet();
        commit.wake();
        return base;
    }

    /** Under the lock: an entry the journal cannot hold; the durable followers get it from the overflow. */
    private long notJournaled(LogEntry e) {
        unjournaled.incrementAndGet();
        if (overflow != null) overflow.add(e);
        return NOT_JOURNALED;
    }

    /** Under the lock (or at startup): the journal stops journaling until a retry succeeds. */
    private void fail(String reason, Throwable cause) {
        boolean first = problem == null || full;
        problem = reason;
        nextRetryMs = clock.nowMillis() + settings.retryMs();
        List<LogEntry> lost = writer.abandon();
        window.clear();
        if (overflow != null && !lost.isEmpty()) overflow.addAll(lost);
        if (first) {
            LOG.log(Level.SEVERE, "Journal unavailable (level 3: entries are kept in memory only, bounded by the "
                    + "router's capacity; a crash now loses them): " + reason + "; retried every " + settings.retryMs() + " ms", cause);
        }
        availabilityChanged.set(true);
    }

    // ================================================================ commit (the committer, see GroupCommit)

    /** Writes what is buffered and forces it (policy permitting), then completes the waiters it covers. */
    void commitOnce() {
        commit.commitOnce();
    }

    /**
     * The committer's step under the lock: the buffered appends to the file.
     *
     * @return what to force outside the lock, or null when the journal is failed (or the write failed it)
     */
    synchronized GroupCommit.Unforced writeOut() {
        if (problem != null) return null;
        try {
            writer.writePending();
        } catch (IOException e) {
            fail("cannot write the journal segment " + (writer.current() == null ? dir : writer.current().file) + ": " + e, e);
            return null;
        }
        return new GroupCommit.Unforced(writer.channel(), writer.written());
    }

    /** The committer's force failed: the journal fails. */
    synchronized void forceFailed(IOException e) {
        fail("cannot force the journal to disk: " + e, e);
    }

    /** @return why the journal failed (not merely full), or null; read anywhere */
    String failure() {
        return problem;
    }

    /** Outside the lock: fails waiters the journal can no longer serve and tells the listeners. */
    void publishAvailability() {
        // Only a failed journal fails waiters: when it is merely full, what was appended before
        // still gets forced.
        String p = problem;
        if (p != null) waiters.fail(p);
        if (availabilityChanged.getAndSet(false)) notifyListeners();
    }

    // ================================================================ housekeeping (the committer)

    /** Deletes passed segments, seals an idle one every follower has passed, clears "full", retries a failed journal. */
    synchronized void housekeeping() {
        housekeeping(writer.current());
    }

    /**
     * Under the lock.
     *
     * @param open the segment still taking appends (never sealed or deleted here); null at close, where the
     *             open segment has been sealed if every reader has it, and may then be deleted
     */
    private void housekeeping(Segment open) {
        long now = clock.nowMillis();
        if (now - lastSpaceCheckMs >= FREE_SPACE_CHECK_MS) {
            lastSpaceCheckMs = now;
            try {
                usableBytes = Files.getFileStore(dir).getUsableSpace();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "Cannot read the free space of the journal's file system", e);
            }
        }
        if (problem != null) {
            if (now >= nextRetryMs) retry();
            return;
        }
        if (open != null && open.records > 0 && followers.passed(open)
                && (now - open.createdMs >= SEAL_ACKED_AFTER_MS || open.bytes >= settings.segmentBytes() / SEAL_ACKED_FRACTION)) {
            try {
                writer.roll();
            } catch (IOException e) {
                fail("cannot start a new journal segment: " + e, e);
                return;
            }
        }
        boolean deleted = segments.deletePassed(open == null ? null : writer.current(), followers);
        if (full && segments.bytes() + settings.segmentBytes() <= settings.maxBytes()) {
            full = false;
            LOG.warning("Journal " + dir + " has room again (" + segments.bytes() + " bytes): journaling resumes");
            availabilityChanged.set(true);
        }
        Map<String, Long> at = positionsFile.savable();
        if (deleted || positionsFile.due(at, now)) positionsFile.save(at);
    }

    private void retry() {
        try {
            Files.createDirectories(dir);
            // Startup may have failed before it took the directory lock (e.g. another process held
            // it): without the lock this journal would write beside that process's segments.
            if (lockChannel == null) lock();
            // Segments this process does not know (the directory was unreadable or locked at startup)
            // stay for the next startup's recovery: the new segment starts past all of them, and no
            // saved position may pass what a follower lacks of them (else the next startup would
            // start it past them: skipped, for the database too).
            long base = writer.appended();
            long unknownFrom = Long.MAX_VALUE;
            for (long b : SegmentFile.bases(dir)) {
                base = Math.max(base, b + Files.size(dir.resolve(SegmentFile.name(b))));
                if (!segments.holds(b)) unknownFrom = Math.min(unknownFrom, b);
            }
            writer.open(base);
            if (unknownFrom < unrecoveredFrom) {
                unrecoveredFrom = unknownFrom;
                positionsFile.holdBack(unknownFrom, base);
                LOG.warning("Journal " + dir + ": segment files from position " + unknownFrom + " were not recovered at startup; "
                        + "they stay for the next startup, and the followers (the database too) read what they have not "
                        + "stored of them after it");
            }
            problem = null;
            LOG.warning("Journal " + dir + " is available again: journaling resumes");
            availabilityChanged.set(true);
        } catch (IOException | RuntimeException e) {
            nextRetryMs = clock.nowMillis() + settings.retryMs();
            LOG.log(Level.FINE, "Journal still unavailable", e);
        }
    }

    // ================================================================ followers (JournalTail)

    /**
     * @param follower a follower's name, as given to the constructor
     * @return a reader from the follower's position (recovered at startup); call after {@link #recover}
     */
    public JournalTail tail(String follower) {
        int i = followers.indexOf(follower);
        if (i < 0) throw new IllegalArgumentException("not a follower of this journal: " + follower);
        return new JournalTail(this, i, follower, followers.maxBytes(i), followers.position(i), followers.durable(i));
    }

    /** @return the names of the followers */
    public List<String> followers() {
        return followers.names();
    }

    long followerPosition(int i) {
        return followers.position(i);
    }

    /**
     * @return the follower's position, moved past a segment header when it stands at a segment's base (the end
     *         of the previous segment's last record): the header holds no record, so it is no backlog
     */
    synchronized long followerRecordPosition(int i) {
        return segments.recordPosition(followers.position(i));
    }

    void advanceFollower(int i, long position) {
        followers.advance(i, position);
    }

    /**
     * @return the end of what is durable in the journal (forced; under fsync=none: written): followers read
     *         no further, so they never publish an entry a power loss could take from the journal again
     */
    long readableEnd() {
        return commit.synced();
    }

    /**
     * @return the first segment with something at or after {@code cursor} to read (a sealed one with its
     *         end, the open one up to what is durable), the open one when the cursor is at the end, or
     *         null when the journal has no segment
     */
    synchronized SegmentList.Readable readableAt(long cursor) {
        return segments.readableAt(cursor, writer.current(), commit.synced());
    }

    /** @param l runs on the committer each time more of the journal is durable (followers wake up) */
    public void onSynced(Runnable l) {
        commit.onSynced(l);
    }

    /**
     * The hot path of {@link JournalTail#read}: records from {@link RecentWindow} up to what is durable.
     *
     * @return entries handed out, or -1 when the follower must read the file
     */
    int readWindow(long cursor, int max, List<LogEntry> out, long[] ends) {
        return window.read(cursor, commit.synced(), max, out, ends);
    }

    /**
     * @param cursor a follower's cursor
     * @return true when nothing in the journal lies past {@code cursor} that it could still read: every record
     *         appended is durable and before the cursor (or, with the journal failed, every segment is behind it)
     */
    synchronized boolean exhausted(long cursor) {
        SegmentList.Readable r = readableAt(cursor);
        if (r == null) return true;
        return !r.sealed() && cursor >= r.limit() && commit.synced() >= writer.appended();
    }

    /**
     * @param follower a follower's index
     * @param cursor   its cursor
     * @param max      most entries
     * @return overflow entries for a durable follower that has read the whole journal (empty otherwise)
     */
    List<LogEntry> overflowFor(int follower, long cursor, int max) {
        int oi = followers.overflowIndex(follower);
        if (oi < 0 || overflow == null || !overflow.holding() || !exhausted(cursor)) return List.of();
        return overflow.peek(oi, max);
    }

    /** A durable follower has written the next {@code n} overflow entries. */
    void overflowTaken(int follower, int n) {
        overflow.took(followers.overflowIndex(follower), n);
    }

    /** @return about how many entries {@code bytes} of journal hold (from the average record size so far) */
    public long estimatedEntries(long bytes) {
        long n = appendedEntries.get();
        if (n == 0 || bytes <= 0) return 0;
        return Math.max(1, (long) ((double) bytes * n / Math.max(1, appendedBytes.get())));
    }

    /** @return about how many bytes {@code entries} records take (the average record size so far; 512 before any) */
    public long estimatedBytes(long entries) {
        long n = appendedEntries.get();
        long avg = n == 0 ? DEFAULT_RECORD_BYTES : Math.max(1, appendedBytes.get() / n);
        return entries * avg;
    }

    /** @return entries accepted that wait in memory for the durable followers (the journal could not hold them) */
    public int overflowEntries() {
        return overflow == null ? 0 : overflow.size();
    }

    /**
     * @return bytes the journal holds and the most it may hold: max-bytes, or less when the file system has
     *         less free space (keeping {@link #FREE_SPACE_RESERVE_BYTES} free)
     */
    public JournalUsage usage() {
        long used = segments.bytes();
        long free = usableBytes;
        long byDisk = free == Long.MAX_VALUE ? Long.MAX_VALUE : used + Math.max(0, free - FREE_SPACE_RESERVE_BYTES);
        return new JournalUsage(used, Math.min(settings.maxBytes(), byDisk), settings.maxBytes(), free);
    }

    // ================================================================ durability waits

    /** @return the journal position after the last append (a record appended before this call ends at or before it) */
    public long appendedPosition() {
        return writer.appended();
    }

    private long syncedPosition() {
        return commit.synced();
    }

    /**
     * @param position a position from {@link #appendedPosition()}
     * @return completes when everything up to {@code position} is durable; fails with
     *         {@link JournalUnavailableException} when the journal cannot promise it
     */
    public CompletableFuture<Void> whenDurable(long position) {
        return waiters.whenDurable(position);
    }

    // ================================================================ state

    /** @param l runs whenever availability changes (on the committer, outside the journal's lock) */
    public void onAvailabilityChange(Runnable l) {
        availabilityListeners.add(l);
    }

    private void notifyListeners() {
        for (Runnable l : availabilityListeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Journal availability listener failed", e);
            }
        }
    }

    /** @return true when appends are journaled now */
    public boolean available() {
        return problem == null && !full && writer.current() != null;
    }

    /** @return why the journal is not journaling, or null */
    public String problem() {
        String p = problem;
        if (p != null) return p;
        return full ? "journal full: " + segments.bytes() + " of " + settings.maxBytes() + " bytes (" + JournalSettings.MAX_BYTES + ")" : null;
    }

    /** @return what recovery found at startup */
    public RecoveryReport recoveryReport() {
        return recovery;
    }

    /** @return the directory */
    public Path dir() {
        return dir;
    }

    /** @return the settings */
    public JournalSettings settings() {
        return settings;
    }

    /** @return a consistent snapshot (takes the append lock briefly) */
    public synchronized JournalStats stats() {
        Map<String, Long> backlogEntries = new LinkedHashMap<>();
        Map<String, Long> backlogBytes = new LinkedHashMap<>();
        long appended = writer.appended();
        for (int i = 0; i < followers.size(); i++) {
            long bytes = Math.max(0, appended - followerRecordPosition(i));
            backlogEntries.put(followers.name(i), estimatedEntries(bytes));
            backlogBytes.put(followers.name(i), bytes);
        }
        long count = commit.fsyncs();
        RecoveryReport r = recovery;
        return new JournalStats(true, available(), full, problem(), segments.bytes(), segments.size(), appended,
                commit.synced(), appendedEntries.get(), unjournaled.get(), backlogEntries, backlogBytes, count,
                NANOSECONDS.toMicros(commit.lastFsyncNanos()), NANOSECONDS.toMicros(commit.maxFsyncNanos()),
                count == 0 ? 0 : NANOSECONDS.toMicros(commit.fsyncNanosTotal() / count),
                r.truncatedRecords(), r.truncatedBytes());
    }

    /**
     * What a process death leaves behind, for tests in one JVM: the file handles and the directory
     * lock are released, nothing buffered is written, nothing is deleted.
     */
    synchronized void abandon() {
        problem = "abandoned";
        writer.die();
        if (lockChannel != null) {
            try {
                lockChannel.close();
            } catch (IOException ignored) {
                // as a dead process would
            }
        }
        lockChannel = null;
    }

    /**
     * Stops the committer, writes and forces what is buffered, deletes passed segments and saves the
     * positions. Appends after this are not journaled.
     */
    public void close() {
        commit.stop();
        synchronized (this) {
            if (problem == null && writer.channel() != null) {
                try {
                    commit.syncedAt(writer.flushAndForce());
                    // sealed when every follower has it, so it is deleted now and not read again next time
                    Segment open = writer.current();
                    if (followers.passed(open)) open.sealed = true;
                    housekeeping(null);
                    Map<String, Long> at = positionsFile.savable();
                    if (positionsFile.changed(at)) positionsFile.save(at);
                    writer.closeChannel();
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "Cannot force the journal at shutdown", e);
                }
            }
            problem = "the journal is closed";
            if (lockChannel != null) {
                try {
                    lockChannel.close();
                } catch (IOException ignored) {
                    // the lock goes with the channel either way
                }
                lockChannel = null;
            }
        }
        waiters.complete(commit.synced());
        waiters.fail(problem);
    }
}
