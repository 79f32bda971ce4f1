package org.phong.zenflow.logging.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * The open segment: its file, the in-memory write buffer in front of it, and two positions, <em>appended</em>
 * (the end of the last record appended) and <em>written</em> (the end of what reached the file, i.e. the page
 * cache). The committer's force makes written durable; appended &gt;= written &gt;= synced, always.
 *
 * <p>Invariants: records are encoded back to back in append order, so positions ascend and a record's position
 * is its segment's base plus its offset in the file; a record larger than the buffer goes to the file at once
 * (after what is buffered); when a write fails, the records that did not wholly reach the file are kept
 * ({@link #abandon} hands them back, for the overflow), since a reader of the file could never see them.
 *
 * <p>Locking: no lock of its own; every method runs under the journal's lock. {@link #appended} and
 * {@link #written} are volatile for the readers outside it (the committer's idle check, durability waits,
 * followers' backlog); {@link #current} is read outside it only by {@code Journal.available()}.
 */
final class SegmentWriter {
    /** Appends are gathered in memory up to this before a write to the file. */
    static final int BUFFER_BYTES = 1 << 20;

    private final Path dir;
    private final JournalSettings settings;
    private final SegmentList segments;
    private final RecentWindow window;
    private final Scheduler clock;
    private final ByteBuffer pending = ByteBuffer.allocate(BUFFER_BYTES);
    private final CRC32C crc = new CRC32C();
    /** The segment taking appends; null while the journal is failed (or before recovery). */
    private Segment current;
    private FileChannel channel;
    /** Records of a failed write that never reached the file (handed to the overflow by {@link #abandon}). */
    private List<LogEntry> unwritten = List.of();
    private volatile long appended;
    private volatile long written;

    /**
     * @param window receives every record appended, with its positions (the followers' hot path)
     */
    SegmentWriter(Path dir, JournalSettings settings, SegmentList segments, RecentWindow window, Scheduler clock) {
        this.dir = dir;
        this.settings = settings;
        this.segments = segments;
        this.window = window;
        this.clock = clock;
    }

    /** @return the segment taking appends, or null while the journal is failed */
    Segment current() {
        return current;
    }

    /** @return the end of the last record appended */
    long appended() {
        return appended;
    }

    /** @return the end of what reached the file */
    long written() {
        return written;
    }

    /** @return the open segment's channel (null after {@link #abandon}); the committer forces it outside the lock */
    FileChannel channel() {
        return channel;
    }

    /** Recovery: nothing past {@code position} is in any file; appends continue there (once {@link #open} succeeds). */
    void startAt(long position) {
        appended = position;
        written = position;
    }

    /**
     * Creates the segment file starting at {@code base} (header only) and makes it the open segment. A failure
     * leaves no file behind and the open segment unchanged.
     */
    void open(long base) throws IOException {
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
        Segment s = new Segment(base, file, clock.nowMillis());
        s.bytes = SegmentFile.HEADER_BYTES;
        // the header occupies positions [base, base + HEADER_BYTES)
        appended = base + SegmentFile.HEADER_BYTES;
        written = appended;
        channel = ch;
        current = s;
        segments.add(s);
    }

    /** Rolls to a new segment when a record of {@code size} bytes would not fit (an empty segment takes any record). */
    void makeRoom(int size) throws IOException {
        if (current.bytes + size > settings.segmentBytes() && current.records > 0) roll();
    }

    /** Seals the open segment (written, and forced unless fsync=none) and opens the next one where it ends. */
    void roll() throws IOException {
        writePending();
        if (settings.fsync() != FsyncPolicy.NONE) channel.force(false);
        channel.close();
        current.sealed = true;
        open(appended);
    }

    /**
     * Appends one encoded record ({@code size} = its framed size) to the open segment: into the buffer, or
     * straight to the file when larger than the buffer. Nothing is counted unless it succeeds.
     *
     * @return the base of the segment holding it
     */
    long append(LogEntry e, byte[][] strings, int size) throws IOException {
        if (pending.remaining() < size) writePending();
        if (size > pending.capacity()) {
            ByteBuffer big = ByteBuffer.allocate(size);
            RecordCodec.write(big, e, strings, crc);
            big.flip();
            while (big.hasRemaining()) channel.write(big);
        } else {
            RecordCodec.write(pending, e, strings, crc);
        }
        window.add(appended, appended + size, e);
        current.bytes += size;
        current.records++;
        segments.grew(size);
        appended += size;
        if (size > pending.capacity()) written = appended;
        return current.base;
    }

    /** Writes the buffered records to the file (page cache); on failure keeps the ones that did not wholly reach it. */
    void writePending() throws IOException {
        if (pending.position() == 0) return;
        pending.flip();
        try {
            while (pending.hasRemaining()) channel.write(pending);
        } catch (IOException e) {
            // Records not wholly in the file are not readable there: abandon() hands them to the overflow.
            unwritten = RecordCodec.readFrom(pending.duplicate(), pending.position());
            throw e;
        } finally {
            pending.clear();
        }
        written = appended;
    }

    /** Close: writes what is buffered and forces it; @return the end of what is now durable */
    long flushAndForce() throws IOException {
        writePending();
        channel.force(false);
        return written;
    }

    /** Close: the channel is closed; the open segment stays (sealed or not) for the last housekeeping's decision. */
    void closeChannel() throws IOException {
        channel.close();
    }

    /**
     * The journal failed: the open segment is sealed and let go, the channel closed, the buffer dropped.
     *
     * @return the records a failed write could not put in the file (empty otherwise), for the overflow
     */
    List<LogEntry> abandon() {
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
        List<LogEntry> lost = unwritten;
        unwritten = List.of();
        return lost;
    }

    /** A process death (tests): the channel is closed and nothing more is written; the open segment stays as it was. */
    void die() {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // as a dead process would
        }
        channel = null;
    }
}
