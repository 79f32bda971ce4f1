package org.phong.zenflow.logging.buffer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;

/**
 * The latest entries of one run, kept encoded: a run's ring costs about 40 bytes an entry instead of
 * the ~450 of its {@link LogEntry} objects, so a full 200-entry ring fits in ~9.5 KiB.
 *
 * <p>Layout: entries are appended to an open <em>tail</em> of raw encoded bytes; every
 * {@link #BLOCK_ENTRIES} entries the tail is sealed into a DEFLATE-compressed block
 * ({@link RingCodec}, primed with a shared dictionary). Blocks form a FIFO; the oldest block is
 * dropped once the entries after it still fill the capacity, so the ring holds between
 * {@code capacity} and {@code capacity + BLOCK_ENTRIES - 1} entries and <em>shows</em> exactly the
 * last {@code capacity} of them (the extra ones of the oldest block are invisible).
 *
 * <p>What is not stored: the seq (entries are consecutive: the ring knows its first seq), the run id
 * (the ring belongs to one run) and the workflow id unless an entry names another one than the
 * ring's first entry. The timestamp is a zig-zag varint of microseconds after the previous entry of
 * the same block (absolute for a block's first entry), so each block decodes on its own.
 *
 * <p>Entry encoding (raw, before compression): a flags byte (level in bits 0-1; errorCode, metadata,
 * traceId, hierarchy present in bits 2-5; other workflow id in bit 6), the timestamp, the workflow id
 * when flagged (16 bytes), then nodeKey, message and the present optional texts, each as a varint
 * length and UTF-8 bytes. Entries are clean (no NUL, no unpaired surrogate: {@link LogEntry}
 * guarantees it), so the hand-written UTF-8 encoder needs no replacement path.
 *
 * <p>Not thread-safe: guarded by the owning {@link WorkflowBuffer}'s monitor.
 */
final class CompactRing {
    /** The encoded tail grows by at least 1/2^this of its size (1/8). */
    private static final int GROWTH_SHIFT = 3;
    /**
     * Entries per sealed block: large enough to compress, small enough that the raw tail stays small.
     * 32 rather than 16: half the seals (each pays zlib's reset and the dictionary on the router worker),
     * and a 200-entry ring of the benchmark's workload took 9.2 MiB per 1,000 runs against 10.0 with 16
     * (the larger raw tail is more than paid for by the better-compressed blocks).
     */
    static final int BLOCK_ENTRIES = 32;
    private static final byte[] EMPTY = new byte[0];
    private static final int BLOCKS_INITIAL = 4;
    /** Array header and alignment of a byte[], for the estimate. */
    private static final long ARRAY_OVERHEAD_BYTES = 24;
    private static final LogLevel[] LEVELS = LogLevel.values();
    private static final int F_ERROR_CODE = 1 << 2;
    private static final int F_METADATA = 1 << 3;
    private static final int F_TRACE_ID = 1 << 4;
    private static final int F_HIERARCHY = 1 << 5;
    private static final int F_OTHER_WORKFLOW = 1 << 6;

    private final RingCodec codec;
    private final UUID runId;
    private int capacity;
    private UUID workflowId;

    /** Sealed blocks, oldest at {@code head}, as a circular array of {@code blockCount}. */
    private byte[][] blocks = new byte[BLOCKS_INITIAL][];
    private RingCodec.Dictionary[] dictionaries = new RingCodec.Dictionary[BLOCKS_INITIAL];
    private int head;
    private int blockCount;

    /** Raw encoded entries not yet sealed; grown by at most an eighth beyond what they need. */
    private byte[] tail = EMPTY;
    private int tailBytes;
    /** Where {@link #encode} writes; the ring's own tail only between add() calls' encode and append. */
    private byte[] out;
    private int outBytes;
    private int tailEntries;
    /** Epoch microseconds of the tail's last entry (the base of the next delta). */
    private long tailLastMicros;

    /** Seq of the first entry of the oldest block (or of the tail when there is no block). */
    private long firstStoredSeq = 1;
    /** Seq of the last entry; firstStoredSeq - 1 when empty. */
    private long lastSeq;

    /**
     * @param codec    the manager's codec
     * @param runId    the run every entry belongs to
     * @param capacity entries shown, at least 1
     */
    CompactRing(RingCodec codec, UUID runId, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        this.codec = codec;
        this.runId = runId;
        this.capacity = capacity;
    }

    /** @return entries shown: at most the capacity */
    int size() {
        return (int) Math.min(capacity, stored());
    }

    private long stored() {
        return lastSeq - firstStoredSeq + 1;
    }

    /** @return the oldest seq shown, or {@code lastSeq() + 1} when it is empty */
    long firstSeq() {
        return lastSeq - size() + 1;
    }

    /** @return the seq of the newest entry, 0 before any entry */
    long lastSeq() {
        return lastSeq;
    }

    /** @return entries shown at most */
    int capacity() {
        return capacity;
    }

    /**
     * Lowers (or raises, up to what is stored) the number of entries shown; storage shrinks as
     * whole blocks fall out of it.
     */
    void capacity(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        this.capacity = capacity;
        evict();
    }

    /**
     * Appends the run's next entry.
     *
     * @param e an entry of this ring's run whose seq is one more than the last one added (any seq for the first)
     */
    void add(LogEntry e) {
        if (!e.runId().equals(runId)) throw new IllegalArgumentException("entry of run " + e.runId() + " in the ring of " + runId);
        if (workflowId == null) {
            workflowId = e.workflowId();
            firstStoredSeq = e.seq();
            lastSeq = e.seq() - 1;
        } else if (e.seq() != lastSeq + 1) {
            throw new IllegalArgumentException("ring of run " + runId + " expects seq " + (lastSeq + 1) + ", got " + e.seq());
        }
        encode(e);
        appendToTail();
        lastSeq = e.seq();
        if (++tailEntries == BLOCK_ENTRIES) seal();
        evict();
    }

    /** @return shown entries with a seq greater than {@code afterSeq}, oldest first, decoded afresh */
    List<LogEntry> after(long afterSeq) {
        long from = Math.max(afterSeq + 1, firstSeq());
        if (from > lastSeq) return new ArrayList<>(0);
        List<LogEntry> out = new ArrayList<>((int) (lastSeq - from + 1));
        long blockFirst = firstStoredSeq;
        for (int i = 0; i < blockCount; i++, blockFirst += BLOCK_ENTRIES) {
            if (blockFirst + BLOCK_ENTRIES <= from) continue; // entirely before what is asked
            int slot = (head + i) % blocks.length;
            byte[] raw = codec.open(blocks[slot], dictionaries[slot]);
            decode(raw, raw.length, blockFirst, from, out);
        }
        decode(tail, tailBytes, lastSeq - tailEntries + 1, from, out);
        return out;
    }

    /** @return heap held by the encoded entries (blocks, tail and their bookkeeping arrays) */
    long estimatedBytes() {
        long n = ARRAY_OVERHEAD_BYTES + tail.length;
        for (int i = 0; i < blockCount; i++) n += ARRAY_OVERHEAD_BYTES + blocks[(head + i) % blocks.length].length;
        n += 2 * (ARRAY_OVERHEAD_BYTES + 4L * blocks.length);
        return n;
    }

    String debug() {
        StringBuilder b = new StringBuilder("tail " + tailBytes + "/" + tail.length + " blocks");
        for (int i = 0; i < blockCount; i++) b.append(' ').append(blocks[(head + i) % blocks.length].length);
        return b.toString();
    }

    /** @return sealed blocks held (for tests) */
    int blocks() {
        return blockCount;
    }

    // ---------------------------------------------------------------- storage

    private void seal() {
        RingCodec.Dictionary[] used = new RingCodec.Dictionary[1];
        byte[] sealed = codec.seal(tail, tailBytes, used);
        if (blockCount == blocks.length) growBlocks();
        int slot = (head + blockCount) % blocks.length;
        blocks[slot] = sealed;
        dictionaries[slot] = used[0];
        blockCount++;
        // A fresh empty tail: keeping the grown one would cost its full size per run.
        tail = EMPTY;
        tailBytes = 0;
        tailEntries = 0;
    }

    /** Drops oldest blocks whose entries are all outside the last {@code capacity}. */
    private void evict() {
        while (blockCount > 0 && stored() - BLOCK_ENTRIES >= capacity) {
            blocks[head] = null;
            dictionaries[head] = null;
            head = (head + 1) % blocks.length;
            blockCount--;
            firstStoredSeq += BLOCK_ENTRIES;
        }
    }

    private void growBlocks() {
        int n = blocks.length * 2;
        byte[][] b = new byte[n][];
        RingCodec.Dictionary[] d = new RingCodec.Dictionary[n];
        for (int i = 0; i < blockCount; i++) {
            int from = (head + i) % blocks.length;
            b[i] = blocks[from];
            d[i] = dictionaries[from];
        }
        blocks = b;
        dictionaries = d;
        head = 0;
    }

    // ---------------------------------------------------------------- encoding

    /** Encodes into the codec's per-thread scratch buffer ({@link #out}); appendToTail copies it exactly. */
    private void encode(LogEntry e) {
        out = codec.scratch();
        outBytes = 0;
        int flags = e.level().ordinal()
                | (e.errorCode() != null ? F_ERROR_CODE : 0)
                | (e.metadata() != null ? F_METADATA : 0)
                | (e.traceId() != null ? F_TRACE_ID : 0)
                | (e.hierarchy() != null ? F_HIERARCHY : 0)
                | (e.workflowId().equals(workflowId) ? 0 : F_OTHER_WORKFLOW);
        ensure(1 + 10 + 16);
        out[outBytes++] = (byte) flags;
        long micros = micros(e.ts());
        writeVarLong(tailEntries == 0 ? zigzag(micros) : zigzag(micros - tailLastMicros));
        tailLastMicros = micros;
        if ((flags & F_OTHER_WORKFLOW) != 0) {
            writeLong(e.workflowId().getMostSignificantBits());
            writeLong(e.workflowId().getLeastSignificantBits());
        }
        writeText(e.nodeKey());
        writeText(e.message());
        if (e.errorCode() != null) writeText(e.errorCode());
        if (e.metadata() != null) writeText(e.metadata());
        if (e.traceId() != null) writeText(e.traceId());
        if (e.hierarchy() != null) writeText(e.hierarchy());
    }

    private void appendToTail() {
        int need = tailBytes + outBytes;
        if (need > tail.length) tail = Arrays.copyOf(tail, Math.max(need, tail.length + (tail.length >> GROWTH_SHIFT)));
        System.arraycopy(out, 0, tail, tailBytes, outBytes);
        tailBytes = need;
        out = null;
    }

    private void ensure(int more) {
        if (outBytes + more > out.length) {
            out = Arrays.copyOf(out, Math.max(outBytes + more, out.length * 2));
            codec.scratch(out);
        }
    }

    private void writeVarLong(long v) {
        while ((v & ~0x7FL) != 0) {
            out[outBytes++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[outBytes++] = (byte) v;
    }

    private void writeLong(long v) {
        for (int i = 7; i >= 0; i--) out[outBytes++] = (byte) (v >>> (8 * i));
    }

    /** Varint UTF-8 length, then UTF-8 (at most 3 bytes a char; a surrogate pair is 4 bytes for 2 chars). */
    private void writeText(String s) {
        int n = s.length();
        ensure(5 + 3 * n);
        int lengthAt = outBytes;
        // Reserve the varint for the worst case only when the text may need more than one byte of length.
        int reserve = 3 * n < 0x80 ? 1 : 3 * n < 0x4000 ? 2 : 3 * n < 0x200000 ? 3 : 5;
        int p = lengthAt + reserve;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[p++] = (byte) c;
            } else if (c < 0x800) {
                out[p++] = (byte) (0xC0 | (c >> 6));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[p++] = (byte) (0xF0 | (cp >> 18));
                out[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                out[p++] = (byte) (0xE0 | (c >> 12));
                out[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        int len = p - lengthAt - reserve;
        // The length as a varint padded to the reserved width (0x80 continuation bytes), so no copy is needed.
        for (int i = 0; i < reserve; i++) {
            int b = (len >>> (7 * i)) & 0x7F;
            out[lengthAt + i] = (byte) (i < reserve - 1 ? b | 0x80 : b);
        }
        outBytes = p;
    }

    // ---------------------------------------------------------------- decoding

    private void decode(byte[] raw, int len, long seq, long from, List<LogEntry> out) {
        Reader r = new Reader(raw);
        long micros = 0;
        boolean first = true;
        while (r.pos < len) {
            int flags = raw[r.pos++] & 0xFF;
            long delta = unzigzag(r.varLong());
            micros = first ? delta : micros + delta;
            first = false;
            UUID wf = workflowId;
            if ((flags & F_OTHER_WORKFLOW) != 0) wf = new UUID(r.longValue(), r.longValue());
            String nodeKey = r.text();
            String message = r.text();
            String errorCode = (flags & F_ERROR_CODE) != 0 ? r.text() : null;
            String metadata = (flags & F_METADATA) != 0 ? r.text() : null;
            String traceId = (flags & F_TRACE_ID) != 0 ? r.text() : null;
            String hierarchy = (flags & F_HIERARCHY) != 0 ? r.text() : null;
            if (seq >= from) {
                out.add(LogEntry.builder().workflowId(wf).runId(runId).nodeKey(nodeKey)
                        .ts(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L))
                        .level(LEVELS[flags & 3]).message(message).errorCode(errorCode).metadata(metadata)
                        .traceId(traceId).hierarchy(hierarchy).build().withSeq(seq));
            }
            seq++;
        }
    }

    private static final class Reader {
        final byte[] b;
        int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        long varLong() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                int x = b[pos++] & 0xFF;
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) return v;
            }
        }

        long longValue() {
            long v = 0;
            for (int i = 0; i < 8; i++) v = (v << 8) | (b[pos++] & 0xFF);
            return v;
        }

        String text() {
            int len = (int) varLong();
            String s = new String(b, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }
    }

    private static long micros(Instant ts) {
        return Math.addExact(Math.multiplyExact(ts.getEpochSecond(), 1_000_000L), ts.getNano() / 1000);
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
