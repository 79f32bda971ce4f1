package org.phong.zenflow.logging.buffer;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Compression shared by every {@link CompactRing} of a manager: raw DEFLATE (the JDK's zlib) of a
 * sealed block of entries, primed with a <em>shared dictionary</em>.
 *
 * <p>Why a dictionary: a block holds only {@link CompactRing#BLOCK_ENTRIES} entries, too few for
 * DEFLATE to learn a run's wording on its own (about 55 bytes an entry for 8 entries of the
 * benchmark's workload, 42 for 32). Primed with a few KiB of recent entries of any run, the same
 * block compresses to about 37 bytes an entry, because log lines of one engine repeat their
 * templates, node keys, metadata keys and hierarchy across runs.
 *
 * <p>The dictionary is sampled from the raw bytes of sealed blocks (the first ones, then renewed
 * every {@link #RENEW_EVERY_SEALS} seals by default, so it follows the workload). A block keeps a reference to
 * the {@link Dictionary} it was compressed with, so renewing never invalidates a block: an old
 * dictionary lives exactly as long as a block needs it. Dictionaries are immutable once published.
 *
 * <p>Threads: {@link #seal} and {@link #open} may run on any thread; the Deflater/Inflater are kept
 * per thread (router workers, the lookup executor, readers), and the dictionary is published
 * through a volatile field.
 */
final class RingCodec {
    /** Per-thread buffer of a block being compressed. */
    private static final int SCRATCH_BYTES = 8192;
    /** Per-thread buffer of one entry being encoded. */
    private static final int ENTRY_SCRATCH_BYTES = 4096;
    /** First guess of an inflated block: this many times the compressed size, at least MIN_INFLATE_BYTES (it grows as needed). */
    private static final int EXPECTED_RATIO = 6;
    private static final int MIN_INFLATE_BYTES = 64;
    /** Dictionary size: a few blocks' worth of raw entries. zlib uses at most 32 KiB of it. */
    static final int DICTIONARY_BYTES = 2048;
    /** Seals between two dictionary renewals. */
    static final int RENEW_EVERY_SEALS = 65_536;
    /** Level 9: ~11% fewer bytes than level 1 (6: ~9%) on the benchmark workload, for more CPU per seal (small blocks: the difference is modest). */
    private static final int LEVEL = Deflater.BEST_COMPRESSION;

    /** A published dictionary; {@code bytes} is never modified. */
    static final class Dictionary {
        final byte[] bytes;

        Dictionary(byte[] bytes) {
            this.bytes = bytes;
        }
    }

    private final ThreadLocal<Deflater> deflaters;
    private final ThreadLocal<Inflater> inflaters = ThreadLocal.withInitial(() -> new Inflater(true));
    private final ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);
    /** Where a ring encodes one entry before copying it into its tail (per thread: rings are appended from many). */
    private final ThreadLocal<byte[]> entryScratch = ThreadLocal.withInitial(() -> new byte[ENTRY_SCRATCH_BYTES]);

    private final int renewEverySeals;
    private volatile Dictionary current;
    /** Sampling state, guarded by this. */
    private byte[] sample;
    /** True while a sample is being collected (read without the lock: a stale false only delays sampling). */
    private volatile boolean sampling;
    private int sampled;
    private final java.util.concurrent.atomic.AtomicLong seals = new java.util.concurrent.atomic.AtomicLong();

    RingCodec() {
        this(RENEW_EVERY_SEALS, LEVEL);
    }

    /**
     * @param renewEverySeals seals between two dictionary renewals (tests use a small number)
     * @param level           DEFLATE level, 1..9
     */
    RingCodec(int renewEverySeals, int level) {
        this.renewEverySeals = renewEverySeals;
        this.deflaters = ThreadLocal.withInitial(() -> new Deflater(level, true));
    }

    /** @return this thread's buffer for encoding one entry */
    byte[] scratch() {
        return entryScratch.get();
    }

    /** @param grown this thread's entry buffer after it grew */
    void scratch(byte[] grown) {
        entryScratch.set(grown);
    }

    /** @return the dictionary new blocks are compressed with, or null before the first sample */
    Dictionary current() {
        return current;
    }

    /**
     * Compresses {@code raw[0..len)} with the current dictionary.
     *
     * @param out receives the dictionary used (index 0)
     * @return the compressed bytes, exactly sized
     */
    byte[] seal(byte[] raw, int len, Dictionary[] out) {
        Dictionary d = current;
        Deflater def = deflaters.get();
        def.reset();
        if (d != null) def.setDictionary(d.bytes);
        def.setInput(raw, 0, len);
        def.finish();
        byte[] buf = scratch.get();
        int n = 0;
        while (!def.finished()) {
            if (n == buf.length) buf = grow(buf);
            n += def.deflate(buf, n, buf.length - n);
        }
        out[0] = d;
        sampleFrom(raw, len);
        return Arrays.copyOf(buf, n);
    }

    private byte[] grow(byte[] buf) {
        byte[] bigger = Arrays.copyOf(buf, buf.length * 2);
        scratch.set(bigger);
        return bigger;
    }

    /**
     * Decompresses a sealed block (inflated until the stream ends, so no length is stored per block).
     *
     * @return the raw bytes (a fresh, exactly sized array)
     */
    byte[] open(byte[] sealed, Dictionary d) {
        Inflater inf = inflaters.get();
        inf.reset();
        if (d != null) inf.setDictionary(d.bytes);
        inf.setInput(sealed);
        byte[] raw = new byte[Math.max(MIN_INFLATE_BYTES, sealed.length * EXPECTED_RATIO)];
        int n = 0;
        try {
            while (!inf.finished()) {
                if (n == raw.length) raw = Arrays.copyOf(raw, raw.length * 2);
                int k = inf.inflate(raw, n, raw.length - n);
                if (k == 0 && !inf.finished() && (inf.needsInput() || inf.needsDictionary())) {
                    throw new IllegalStateException("a sealed ring block ends early");
                }
                n += k;
            }
        } catch (DataFormatException e) {
            throw new IllegalStateException("a sealed ring block does not inflate", e);
        }
        return n == raw.length ? raw : Arrays.copyOf(raw, n);
    }

    /** Collects the first bytes of sealed blocks into the next dictionary (renewed every RENEW_EVERY_SEALS seals). */
    private void sampleFrom(byte[] raw, int len) {
        long n0 = seals.incrementAndGet();
        if (current != null && n0 % renewEverySeals != 0 && !sampling) return;
        synchronized (this) {
            if (sample == null) {
                sampling = true;
                sample = new byte[DICTIONARY_BYTES];
                sampled = 0;
            }
            int n = Math.min(len, DICTIONARY_BYTES - sampled);
            System.arraycopy(raw, 0, sample, sampled, n);
            sampled += n;
            if (sampled == DICTIONARY_BYTES) {
                current = new Dictionary(sample);
                sample = null;
                sampling = false;
            }
        }
    }
}
