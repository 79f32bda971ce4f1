package org.phong.zenflow.logging.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32C;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * A {@link JournalFollower}'s reader: reads the journal forward in journal order (so every run in seq
 * order) from a <em>cursor</em>, up to what the committer has made durable (forced), and carries the
 * follower's acknowledgements back to the journal as exact positions.
 *
 * <p>Threads: {@link #read} and {@link #enforceShare} belong to one reader thread; {@link #acknowledge}
 * may be called from any thread (it only moves a maximum).
 *
 * <p>Share bound: when the journal bytes from the follower's acknowledged position to the end exceed
 * {@code journalMaxBytes}, the reader skips records (reads them without handing them out) until it is at
 * most half of that behind the end, counts them as {@link #skipped()}, and moves the follower's position
 * to its cursor, so the journal can delete the segments. Entries already handed out (held in the
 * follower's memory) are still delivered; a restart after such a jump resumes past them.
 */
public final class JournalTail {
    private static final Logger LOG = Logger.getLogger(JournalTail.class.getName());
    /** Bytes read from a segment file at a time. */
    private static final int READ_CHUNK = 1 << 20;
    /** After a jump the reader is at most journalMaxBytes / this behind the end. */
    private static final int SHARE_RESUME_DIVISOR = 2;

    private final Journal journal;
    private final int index;
    private final String name;
    private final long maxBytes;
    private final CRC32C crc = new CRC32C();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder jumps = new LongAdder();
    private ByteBuffer buf = ByteBuffer.allocate(READ_CHUNK);

    private long cursor;
    private FileChannel channel;
    private long channelBase = -1;

    /** A durable follower: also reads the journal's overflow (entries it could not hold). */
    private final boolean durable;

    JournalTail(Journal journal, int index, String name, long maxBytes, long start, boolean durable) {
        this.durable = durable;
        this.journal = journal;
        this.index = index;
        this.name = name;
        this.maxBytes = maxBytes;
        this.cursor = start;
    }

    /**
     * Reads up to {@code max} records from the cursor on.
     *
     * @param out  receives the entries, in journal order
     * @param ends receives, per entry (same index as in {@code out}, from 0), the position just past its
     *             record: the value to {@link #acknowledge} once the follower has it
     * @return how many were read (0: nothing written past the cursor yet)
     */
    public int read(int max, List<LogEntry> out, long[] ends) throws IOException {
        enforceShare();
        int limit = Math.min(max, ends.length);
        int fromMemory = journal.readWindow(cursor, limit, out, ends);
        if (fromMemory > 0) {
            cursor = ends[fromMemory - 1];
            return fromMemory;
        }
        return readInto(limit, out, ends, false);
    }

    /**
     * A durable follower's second source: once it has read everything the journal holds, the entries the
     * journal could not hold (failed or full), in order. Empty otherwise.
     *
     * @param max most entries
     * @return the next overflow entries (not yet taken: call {@link #overflowTaken} once they are written)
     */
    public List<LogEntry> overflow(int max) {
        return durable ? journal.overflowFor(index, cursor, max) : List.of();
    }

    /** @return overflow entries waiting (for a durable follower; 0 otherwise) */
    public int overflowPending() {
        return durable ? journal.overflowEntries() : 0;
    }

    /** @param n overflow entries from {@link #overflow} that the follower has written */
    public void overflowTaken(int n) {
        journal.overflowTaken(index, n);
    }

    /**
     * Applies the share bound without handing anything out (the follower calls it while its memory is
     * full, so a dead destination can never fill the journal).
     *
     * @return records skipped by this call
     */
    public long enforceShare() throws IOException {
        long end = journal.appendedPosition();
        if (end - journal.followerPosition(index) <= maxBytes) return 0;
        long target = end - maxBytes / SHARE_RESUME_DIVISOR;
        long n = 0;
        while (cursor < target) {
            int got = readInto(Integer.MAX_VALUE, null, null, true, target);
            if (got == 0) break;
            n += got;
        }
        skipped.add(n);
        jumps.increment();
        journal.advanceFollower(index, cursor);
        Level level = jumps.sum() == 1 ? Level.SEVERE : Level.FINE;
        LOG.log(level, "Journal backlog of " + name + " exceeded its share of " + maxBytes + " bytes: its position moves forward to "
                + cursor + "; " + n + " entries skipped for " + name + " only (" + skipped.sum() + " so far; the durable sinks have them)");
        return n;
    }

    private int readInto(int max, List<LogEntry> out, long[] ends, boolean skip) throws IOException {
        return readInto(max, out, ends, skip, Long.MAX_VALUE);
    }

    /** Reads whole records from the cursor's segment (moving to the next one at a sealed segment's end). */
    private int readInto(int max, List<LogEntry> out, long[] ends, boolean skip, long stopAt) throws IOException {
        int n = 0;
        while (n < max && cursor < stopAt) {
            SegmentList.Readable r = journal.readableAt(cursor);
            if (r == null) return n;               // nothing written past the cursor
            if (r.base() > cursor || cursor < r.base() + SegmentFile.HEADER_BYTES) {
                if (r.base() > cursor && channelBase >= 0) {
                    LOG.fine("Journal data of " + name + " from " + cursor + " to " + r.base() + " is gone; it resumes at " + r.base());
                }
                cursor = r.base() + SegmentFile.HEADER_BYTES;
            }
            if (cursor >= r.limit()) {
                if (r.sealed()) {
                    cursor = r.limit();          // past the end of a sealed segment: the next one
                    continue;
                }
                return n;                            // the open segment: wait for the committer
            }
            if (!openAt(r)) {
                cursor = r.limit();
                continue;
            }
            int got = decode(r, max - n, out, ends, n, skip, stopAt);
            if (got < 0) {                           // damage or end of file before limit: the segment ends here
                if (r.sealed()) {
                    cursor = r.limit();
                    continue;
                }
                return n;
            }
            n += got;
            if (got == 0) return n;
        }
        return n;
    }

    private boolean openAt(SegmentList.Readable r) throws IOException {
        if (channelBase == r.base() && channel != null) return true;
        closeChannel();
        try {
            channel = FileChannel.open(r.file(), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return false;
        }
        channelBase = r.base();
        return true;
    }

    /** @return records decoded (cursor moved past them), or -1 when the file ends or is damaged before the limit */
    private int decode(SegmentList.Readable r, int max, List<LogEntry> out, long[] ends, int at, boolean skip, long stopAt)
            throws IOException {
        long offset = cursor - r.base();
        long want = Math.min(r.limit() - cursor, buf.capacity());
        buf.clear().limit((int) want);
        while (buf.hasRemaining()) {
            if (channel.read(buf, offset + buf.position()) < 0) break;
        }
        boolean shortRead = buf.hasRemaining();   // the file ends before the limit (a failed, sealed segment)
        buf.flip();
        int n = 0;
        while (n < max && cursor < stopAt) {
            if (buf.remaining() < RecordCodec.FRAME_BYTES) {
                if (n == 0 && shortRead) return damaged(r, n, "file ends before " + r.limit());
                break;
            }
            int start = buf.position();
            int length = buf.getInt(start);
            int crcField = buf.getInt(start + RecordCodec.LENGTH_BYTES);
            if (length < RecordCodec.MIN_PAYLOAD || length > RecordCodec.MAX_PAYLOAD) return damaged(r, n, "bad length " + length);
            int framed = RecordCodec.FRAME_BYTES + length;
            if (buf.remaining() < framed) {
                if (framed > buf.capacity()) {       // a record larger than the buffer: read it again with room
                    buf = ByteBuffer.allocate(framed);
                    break;
                }
                if (n == 0 && (shortRead || cursor + buf.remaining() >= r.limit())) return damaged(r, n, "record cut short");
                break;
            }
            ByteBuffer lengthBytes = buf.duplicate().position(start).limit(start + RecordCodec.LENGTH_BYTES);
            ByteBuffer payload = buf.duplicate().position(start + RecordCodec.FRAME_BYTES).limit(start + framed);
            if (!RecordCodec.checksumMatches(lengthBytes, payload.duplicate(), crcField, crc)) return damaged(r, n, "checksum mismatch");
            buf.position(start + framed);
            cursor += framed;
            if (RecordCodec.isPadding(payload, payload.position())) continue;   // a damaged range recovery padded
            if (!skip) {
                out.add(RecordCodec.read(payload.slice()));
                ends[at + n] = cursor;
            }
            n++;
        }
        return n;
    }

    private int damaged(SegmentList.Readable r, int n, String why) {
        if (n > 0) return n;
        LOG.warning("Journal " + r.file().getFileName() + " unreadable for " + name + " at offset " + (cursor - r.base()) + " (" + why
                + "); it continues with the next segment");
        return -1;
    }

    /** @param position the end of a record the follower now has (and every record before it): moves its position */
    public void acknowledge(long position) {
        journal.advanceFollower(index, position);
    }

    /** @return the follower's acknowledged position */
    public long position() {
        return journal.followerPosition(index);
    }

    /** @return the reader's cursor (reader thread) */
    public long cursor() {
        return cursor;
    }

    /** @return journal bytes from the follower's position to the end */
    public long backlogBytes() {
        return Math.max(0, journal.appendedPosition() - journal.followerRecordPosition(index));
    }

    /** @return true when the follower has acknowledged everything appended so far */
    public boolean caughtUp() {
        return journal.followerRecordPosition(index) >= journal.readableEnd();
    }

    /** @return records skipped because the share was exceeded */
    public long skipped() {
        return skipped.sum();
    }

    /** @return the follower's name */
    public String name() {
        return name;
    }

    /** Releases the open file (reader thread, at stop). */
    public void close() {
        closeChannel();
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only handle
            }
        }
        channel = null;
        channelBase = -1;
    }
}
