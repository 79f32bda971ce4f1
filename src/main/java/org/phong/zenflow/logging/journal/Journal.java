package org.phong.zenflow.logging.journal;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32C;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * The write-ahead journal: append-only, checksummed segments, group commit on one committer thread,
 * per-durable-sink acknowledgement, deletion of segments every durable sink has passed, startup
 * recovery. See package-info for the format and the invariants.
 */
public final class Journal {
    private static final Logger LOG = Logger.getLogger(Journal.class.getName());
    /** Segment token of an entry that was not journaled (journal unavailable or full). */
    public static final long NOT_JOURNALED = -1;
    /** Appends are gathered in memory up to this before a write to the file. */
    private static final int WRITE_BUFFER_BYTES = 1 << 20;
    /** The committer's poll while it waits for appends under fsync=always. */
    private static final long ALWAYS_IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** A fully acknowledged open segment is sealed (so it can be deleted) once this old ... */
    private static final long SEAL_ACKED_AFTER_MS = 10_000;
    /** ... or this fraction of segment-bytes full. */
    private static final int SEAL_ACKED_FRACTION = 8;
    private static final String LOCK_FILE = "journal.lock";
    /** How long close() waits for the committer's last step. */
    private static final long COMMITTER_STOP_WAIT_MS = 5_000;
    /** Entries kept in memory for followers that keep up (the hot path; see {@link RecentWindow}). */
    static final int WINDOW_ENTRIES = 1 << 15;
    /** Record size assumed before the first append (an entry with a short message and some metadata). */
    private static final long DEFAULT_RECORD_BYTES = 512;
    /** Free space on the journal's file system is sampled this often (by the committer, never on append). */
    private static final long FREE_SPACE_CHECK_MS = 1_000;
    /** Space left free on the file system: the journal's budget never counts it. */
    static final long FREE_SPACE_RESERVE_BYTES = 64L << 20;

    private final JournalSettings settings;
    private final List<String> sinks;
    private final Map<String, Integer> sinkIndex = new HashMap<>();
    /** The sinks that read the journal themselves (Kafka; the database as a durable follower) and their positions. */
    private final Followers followers;
    /** {@code followers.overflow()}: null without durable followers. */
    private final Overflow overflow;
    private final RecentWindow window = new RecentWindow(WINDOW_ENTRIES);
    private volatile long usableBytes = Long.MAX_VALUE;
    private long lastSpaceCheckMs = Long.MIN_VALUE;
    /** Records of a failed write that never reached the file (handed to the overflow by fail()). */
    private List<LogEntry> unwritten = List.of();
    private final List<Runnable> syncListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ThreadFactory threadFactory;
    private final Scheduler clock;
    private final Path dir;

    // ---- guarded by this
    private final SegmentList segments = new SegmentList();
    private Segment current;
    private FileChannel channel;
    private final ByteBuffer pending = ByteBuffer.allocate(WRITE_BUFFER_BYTES);
    private FileChannel lockChannel;
    private final CRC32C crc = new CRC32C();
    private volatile long appendedPosition;
    private final PositionsFile positionsFile;
    /** Lowest base of the segment files a retry found but startup did not recover; no position passes it. */
    private long unrecoveredFrom = Long.MAX_VALUE;

    private volatile long writtenPosition;
    private volatile long syncedPosition;
    private volatile String problem;       // null when available
    private volatile boolean full;
    private volatile long nextRetryMs;

    /** whenDurable's waits: their own monitor, never taken together with this one. */
    private final DurabilityWaiters waiters;

    private final AtomicLong appendedEntries = new AtomicLong();
    private final AtomicLong appendedBytes = new AtomicLong();
    private final AtomicLong unjournaled = new AtomicLong();
    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicLong fsyncNanosTotal = new AtomicLong();
    private volatile long lastFsyncNanos;
    private volatile long maxFsyncNanos;
    private volatile RecoveryReport recovery = new RecoveryReport(0, 0, 0, 0, List.of(), null);

    private volatile boolean running;
    private volatile boolean committerIdle;
    /** Set under the lock; the committer notifies listeners and fails waiters outside it (lock order). */
    private final java.util.concurrent.atomic.AtomicBoolean availabilityChanged = new java.util.concurrent.atomic.AtomicBoolean();
    private Thread committer;
    private final List<Runnable> availabilityListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param settings      directory, policy, sizes
     * @param durableSinks  names of the durable sinks, each with its own acknowledged position
     * @param threadFactory makes the one committer thread
     * @param clock         wall/monotonic ms for segment ages and retries
     */
    public Journal(JournalSettings settings, List<String> durableSinks, ThreadFactory threadFactory, Scheduler clock) {
        this(settings, durableSinks, Map.of(), threadFactory, clock);
    }

    /**
     * @param settings      directory, policy, sizes
     * @param durableSinks  names of the durable sinks, each with its own acknowledged position
     * @param followers     non-durable followers (name = most journal bytes its backlog may hold), which read the
     *                      journal through a {@link JournalTail} and keep segments until they pass them
     * @param threadFactory makes the one committer thread
     * @param clock         wall/monotonic ms for segment ages and retries
     */
    public Journal(JournalSettings settings, List<String> durableSinks, Map<String, Long> followers,
                   ThreadFactory threadFactory, Scheduler clock) {
        this(settings, durableSinks, followers, java.util.Set.of(), threadFactory, clock);
    }

    /**
     * @param settings          directory, policy, sizes
     * @param durableSinks      names of durable sinks fed by the collector (segment-counted acknowledgements)
     * @param followers         followers (name = most journal bytes its backlog may hold)
     * @param durableFollowers  followers among them that are durable sinks reading the journal (the database):
     *                          they never skip, and take the {@link Overflow} of entries the journal could not hold
     * @param threadFactory     makes the one committer thread
     * @param clock             wall/monotonic ms for segment ages and retries
     */
    public Journal(JournalSettings settings, List<String> durableSinks, Map<String, Long> followers,
                   java.util.Set<String> durableFollowers, ThreadFactory threadFactory, Scheduler clock) {
        this.settings = settings;
        this.followers = new Followers(followers, durableFollowers, durableSinks);
        this.overflow = this.followers.overflow();
        this.sinks = List.copyOf(durableSinks);
        for (int i = 0; i < sinks.size(); i++) sinkIndex.put(sinks.get(i), i);
        this.threadFactory = threadFactory;
        this.clock = clock;
        this.dir = settings.dir().toAbsolutePath().normalize();
        this.positionsFile = new PositionsFile(dir, sinks, segments, this.followers, clock);
        this.waiters = new DurabilityWaiters(() -> syncedPosition, () -> problem);
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
        JournalRecovery r = new JournalRecovery(dir, sinks, followers, segments, clock);
        try {
            Files.createDirectories(dir);
            lock();
            long next = r.run(positionsFile.load(), runSeq);
            appendedPosition = next;
            writtenPosition = next;
            syncedPosition = next;
            openSegment(next);
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
        running = true;
        committer = threadFactory.newThread(this::commitLoop);
        committer.setName("zenflow-log-journal-committer");
        committer.start();
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
        if (problem != null || full || current == null || (overflow != null && overflow.holding())) {
            return notJournaled(e);
        }
        byte[][] strings = RecordCodec.strings(e);
        int size = RecordCodec.framedSize(strings);
        try {
            if (current.bytes + size > settings.segmentBytes() && current.records > 0) roll();
            if (segments.bytes() + size > settings.maxBytes()) {
                full = true;
                availabilityChanged.set(true);
                LOG.severe("Journal " + dir + " is full (" + segments.bytes() + " of " + settings.maxBytes() + " bytes, "
                        + JournalSettings.MAX_BYTES + "): new entries are kept in memory only (level 3) until the sinks catch up");
                return notJournaled(e);
            }
            if (pending.remaining() < size) writePending();
            if (size > pending.capacity()) {
                ByteBuffer big = ByteBuffer.allocate(size);
                RecordCodec.write(big, e, strings, crc);
                big.flip();
                while (big.hasRemaining()) channel.write(big);
            } else {
                RecordCodec.write(pending, e, strings, crc);
            }
        } catch (IOException ex) {
            fail("cannot write the journal segment " + current.file + ": " + ex, ex);
            return notJournaled(e);
        }
        window.add(appendedPosition, appendedPosition + size, e);
        appendedBytes.addAndGet(size);
        current.bytes += size;
        current.records++;
        segments.grew(size);
        appendedPosition += size;
        if (size > pending.capacity()) writtenPosition = appendedPosition;
        appendedEntries.incrementAndGet();
        if (committerIdle) LockSupport.unpark(committer);
        return current.base;
    }

    /** Under the lock: an entry the journal cannot hold; the durable followers get it from the overflow. */
    private long notJournaled(LogEntry e) {
        unjournaled.incrementAndGet();
        if (overflow != null) overflow.add(e);
        return NOT_JOURNALED;
    }

    /** Under the lock: the in-memory appends to the file (page cache). */
    private void writePending() throws IOException {
        if (pending.position() == 0) return;
        pending.flip();
        try {
            while (pending.hasRemaining()) channel.write(pending);
        } catch (IOException e) {
            // Records not wholly in the file are not readable there: fail() hands them to the overflow.
            unwritten = RecordCodec.readFrom(pending.duplicate(), pending.position());
            throw e;
        } finally {
            pending.clear();
        }
        writtenPosition = appendedPosition;
    }

    /** Under the lock: seals the current segment (written and forced) and starts the next. */
    private void roll() throws IOException {
        writePending();
        if (settings.fsync() != FsyncPolicy.NONE) channel.force(false);
        channel.close();
        current.sealed = true;
        openSegment(appendedPosition);
    }

    private void openSegment(long base) throws IOException {
        Path file = dir.resolve(SegmentFile.name(base));
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            ByteBuffer h = SegmentFile.header(base);
            while (h.hasRemaining()) ch.write(h);
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(file);
            throw e;
        }
        Segment s = new Segment(base, file, sinks.size(), clock.nowMillis());
        s.bytes = SegmentFile.HEADER_BYTES;
        // the header occupies positions [base, base + HEADER_BYTES)
        appendedPosition = base + SegmentFile.HEADER_BYTES;
        writtenPosition = appendedPosition;
        channel = ch;
        current = s;
        segments.add(s);
    }

    /** Under the lock (or at startup): the journal stops journaling until a retry succeeds. */
    private void fail(String reason, Throwable cause) {
        boolean first = problem == null || full;
        problem = reason;
        nextRetryMs = clock.nowMillis() + settings.retryMs();
        if (current != null) current.sealed = true;
        current = null;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the channel is given up either way
            }
            channel = null;
        }
        pending.clear();
        window.clear();
        if (overflow != null && !unwritten.isEmpty()) overflow.addAll(unwritten);
        unwritten = List.of();
        if (first) {
            LOG.log(Level.SEVERE, "Journal unavailable (level 3: entries are kept in memory only, bounded by the "
                    + "router's capacity; a crash now loses them): " + reason + "; retried every " + settings.retryMs() + " ms", cause);
        }
        availabilityChanged.set(true);
    }

    // ================================================================ commit (committer thread)

    private void commitLoop() {
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(settings.fsyncIntervalMs());
        long nextTick = System.nanoTime();
        while (running) {
            if (settings.fsync() == FsyncPolicy.ALWAYS) {
                if (appendedPosition == syncedPosition || problem != null) {
                    committerIdle = true;
                    LockSupport.parkNanos(ALWAYS_IDLE_PARK_NANOS);
                    committerIdle = false;
                }
            } else {
                nextTick += intervalNanos;
                long wait = nextTick - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
                else nextTick = System.nanoTime();
            }
            try {
                commitOnce();
                housekeeping();
                publishAvailability();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "Journal committer step failed; it continues", e);
            }
        }
    }

    /** Writes what is buffered and forces it (policy permitting), then completes the waiters it covers. */
    void commitOnce() {
        FileChannel ch;
        long target;
        synchronized (this) {
            if (problem != null) return;
            try {
                writePending();
            } catch (IOException e) {
                fail("cannot write the journal segment " + (current == null ? dir : current.file) + ": " + e, e);
                return;
            }
            ch = channel;
            target = writtenPosition;
        }
        if (target <= syncedPosition) return;
        if (settings.fsync() != FsyncPolicy.NONE) {
            long t0 = System.nanoTime();
            try {
                ch.force(false);
            } catch (ClosedChannelException e) {
                // a roll sealed (and forced) this segment meanwhile; everything up to target is forced
            } catch (IOException e) {
                synchronized (this) {
                    fail("cannot force the journal to disk: " + e, e);
                }
                return;
            }
            long took = System.nanoTime() - t0;
            lastFsyncNanos = took;
            if (took > maxFsyncNanos) maxFsyncNanos = took;
            fsyncNanosTotal.addAndGet(took);
            fsyncs.incrementAndGet();
        }
        syncedPosition = target;
        waiters.complete(target);
        for (Runnable l : syncListeners) l.run();
    }

    /** Outside the lock: fails waiters the journal can no longer serve and tells the listeners. */
    private void publishAvailability() {
        // Only a failed journal fails waiters: when it is merely full, what was appended before
        // still gets forced.
        String p = problem;
        if (p != null) waiters.fail(p);
        if (availabilityChanged.getAndSet(false)) notifyListeners();
    }

    /** Deletes passed segments, seals an idle fully acknowledged one, clears "full", retries a failed journal. */
    synchronized void housekeeping() {
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
        Segment c = current;
        if (c != null && c.records > 0 && c.ackedByAll() && followers.passed(c)
                && (now - c.createdMs >= SEAL_ACKED_AFTER_MS || c.bytes >= settings.segmentBytes() / SEAL_ACKED_FRACTION)) {
            try {
                roll();
            } catch (IOException e) {
                fail("cannot start a new journal segment: " + e, e);
                return;
            }
        }
        boolean deleted = segments.deletePassed(current, followers);
        if (full && segments.bytes() + settings.segmentBytes() <= settings.maxBytes()) {
            full = false;
            LOG.warning("Journal " + dir + " has room again (" + segments.bytes() + " bytes): journaling resumes");
            availabilityChanged.set(true);
        }
        Map<String, Long> at = positions();
        if (deleted || positionsFile.due(at, now)) positionsFile.save(at);
    }

    private void retry() {
        try {
            Files.createDirectories(dir);
            // Startup may have failed before it took the directory lock (e.g. another process held
            // it): without the lock this journal would write beside that process's segments.
            if (lockChannel == null) lock();
            // Segments this process does not know (the directory was unreadable or locked at startup)
            // stay for the next startup's replay: the new segment starts past all of them, and no
            // saved position may pass them (else the next startup would count them as delivered).
            long base = appendedPosition;
            long unknownFrom = unrecoveredFrom;
            for (long b : SegmentFile.bases(dir)) {
                base = Math.max(base, b + Files.size(dir.resolve(SegmentFile.name(b))));
                if (!segments.holds(b)) unknownFrom = Math.min(unknownFrom, b);
            }
            unrecoveredFrom = unknownFrom;
            openSegment(base);
            problem = null;
            LOG.warning("Journal " + dir + " is available again: journaling resumes");
            availabilityChanged.set(true);
        } catch (IOException | RuntimeException e) {
            nextRetryMs = clock.nowMillis() + settings.retryMs();
            LOG.log(Level.FINE, "Journal still unavailable", e);
        }
    }

    // ================================================================ positions

    /** Under the lock: every reader's position now (see {@link PositionsFile#current}). */
    private Map<String, Long> positions() {
        return positionsFile.current(appendedPosition, unrecoveredFrom);
    }

    // ================================================================ acknowledgements (sink drains)

    /**
     * Counts a durable sink's acknowledgement of a batch against the segments its entries are in.
     *
     * @param sink    the durable sink's name
     * @param entries the batch as the collector handed it out
     */
    public void acknowledge(String sink, List<LogEntry> entries) {
        if (!(entries instanceof JournaledEntries j)) return;
        Integer index = sinkIndex.get(sink);
        if (index == null) return;
        segments.acknowledge(index, j);
    }

    // ================================================================ followers

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
        return syncedPosition;
    }

    /**
     * @return the first segment with something at or after {@code cursor} to read (a sealed one with its
     *         end, the open one up to what is durable), the open one when the cursor is at the end, or
     *         null when the journal has no segment
     */
    synchronized SegmentList.Readable readableAt(long cursor) {
        return segments.readableAt(cursor, current, syncedPosition);
    }

    /** @param l runs on the committer each time more of the journal is durable (followers wake up) */
    public void onSynced(Runnable l) {
        syncListeners.add(l);
    }

    /**
     * The hot path of {@link JournalTail#read}: records from {@link RecentWindow} up to what is durable.
     *
     * @return entries handed out, or -1 when the follower must read the file
     */
    int readWindow(long cursor, int max, List<LogEntry> out, long[] ends) {
        return window.read(cursor, syncedPosition, max, out, ends);
    }

    /**
     * @param cursor a follower's cursor
     * @return true when nothing in the journal lies past {@code cursor} that it could still read: every record
     *         appended is durable and before the cursor (or, with the journal failed, every segment is behind it)
     */
    synchronized boolean exhausted(long cursor) {
        SegmentList.Readable r = readableAt(cursor);
        if (r == null) return true;
        return !r.sealed() && cursor >= r.limit() && syncedPosition >= appendedPosition;
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
        return appendedPosition;
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

    /** @param l runs (on the thread that changed it) whenever availability changes */
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
        return problem == null && !full && current != null;
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
        Map<String, Long> pos = positions();
        for (int i = 0; i < sinks.size(); i++) {
            backlogEntries.put(sinks.get(i), segments.backlogEntries(i));
            backlogBytes.put(sinks.get(i), Math.max(0, appendedPosition - pos.get(sinks.get(i))));
        }
        for (int i = 0; i < followers.size(); i++) {
            long bytes = Math.max(0, appendedPosition - followerRecordPosition(i));
            backlogEntries.put(followers.name(i), estimatedEntries(bytes));
            backlogBytes.put(followers.name(i), bytes);
        }
        long count = fsyncs.get();
        RecoveryReport r = recovery;
        return new JournalStats(true, available(), full, problem(), segments.bytes(), segments.size(), appendedPosition,
                syncedPosition, appendedEntries.get(), unjournaled.get(), backlogEntries, backlogBytes, count,
                NANOSECONDS.toMicros(lastFsyncNanos), NANOSECONDS.toMicros(maxFsyncNanos),
                count == 0 ? 0 : NANOSECONDS.toMicros(fsyncNanosTotal.get() / count),
                r.truncatedRecords(), r.truncatedBytes());
    }

    /**
     * What a process death leaves behind, for tests in one JVM: the file handles and the directory
     * lock are released, nothing buffered is written, nothing is deleted.
     */
    synchronized void abandon() {
        problem = "abandoned";
        for (FileChannel ch : new FileChannel[]{channel, lockChannel}) {
            if (ch == null) continue;
            try {
                ch.close();
            } catch (IOException ignored) {
                // as a dead process would
            }
        }
        channel = null;
        lockChannel = null;
    }

    /**
     * Stops the committer, writes and forces what is buffered, deletes passed segments and saves the
     * positions. Appends after this are not journaled.
     */
    public void close() {
        running = false;
        Thread c = committer;
        if (c != null) {
            LockSupport.unpark(c);
            try {
                c.join(COMMITTER_STOP_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (problem == null && channel != null) {
                try {
                    writePending();
                    channel.force(false);
                    syncedPosition = writtenPosition;
                    // sealed when every sink has it, so it is deleted now and not replayed next time
                    if (current.ackedByAll() && followers.passed(current)) current.sealed = true;
                    Segment keep = current;
                    current = null;
                    housekeeping();
                    current = keep;
                    Map<String, Long> at = positions();
                    if (positionsFile.changed(at)) positionsFile.save(at);
                    channel.close();
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
        waiters.complete(syncedPosition);
        waiters.fail(problem);
    }
}
