package org.phong.zenflow.logging.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;

/** The compact ring shows exactly the last {@code capacity} entries, decodes them equal to what went in, and stays small. */
class CompactRingTest {
    private static final UUID WF = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
    private static final UUID RUN = UUID.fromString("00000000-0000-0000-0000-0000000000bb");
    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00.123456Z");

    private final RingCodec codec = new RingCodec();

    @Test
    void emptyRingShowsNothing() {
        CompactRing r = new CompactRing(codec, RUN, 10);
        assertEquals(0, r.size());
        assertEquals(List.of(), r.after(0));
        assertEquals(r.lastSeq() + 1, r.firstSeq());
    }

    @Test
    void everyFieldRoundTripsAcrossBlocksAndTheTail() {
        CompactRing r = new CompactRing(codec, RUN, 1000);
        List<LogEntry> in = new ArrayList<>();
        for (long seq = 1; seq <= 3 * CompactRing.BLOCK_ENTRIES + 5; seq++) {
            LogEntry e = varied(seq);
            in.add(e);
            r.add(e);
        }
        assertEquals(3, r.blocks());
        assertEquals(in, r.after(0));
        assertEquals(in.subList(20, in.size()), r.after(20), "from the middle of a sealed block");
        assertEquals(in.subList(in.size() - 2, in.size()), r.after(in.size() - 2), "only the tail");
        assertEquals(List.of(), r.after(in.size()));
        assertNotSame(r.after(0).get(0), r.after(0).get(0), "decoded afresh: the ring holds no entry object");
    }

    @Test
    void showsExactlyTheLastCapacityEntriesAndDropsWholeBlocks() {
        int cap = 50;
        CompactRing r = new CompactRing(codec, RUN, cap);
        for (long seq = 1; seq <= 500; seq++) {
            r.add(simple(seq));
            long shown = Math.min(seq, cap);
            assertEquals(shown, r.size());
            assertEquals(seq - shown + 1, r.firstSeq());
            assertEquals(LongStream.rangeClosed(seq - shown + 1, seq).boxed().toList(), seqs(r.after(0)), "after seq " + seq);
        }
        // at most cap + BLOCK_ENTRIES - 1 entries stored: ceil(cap / BLOCK) + 1 sealed blocks at most
        assertTrue(r.blocks() <= cap / CompactRing.BLOCK_ENTRIES + 1, "blocks " + r.blocks());
    }

    @Test
    void aLowerCapacityHidesOlderEntriesAndAHigherOneShowsOnlyWhatIsStored() {
        CompactRing r = new CompactRing(codec, RUN, 100);
        for (long seq = 1; seq <= 100; seq++) r.add(simple(seq));
        r.capacity(10);
        assertEquals(LongStream.rangeClosed(91, 100).boxed().toList(), seqs(r.after(0)));
        r.capacity(100);
        assertTrue(r.size() >= 10 && r.size() < 10 + 2 * CompactRing.BLOCK_ENTRIES, "size " + r.size());
        assertEquals(100 - r.size() + 1, r.firstSeq());
        assertEquals(LongStream.rangeClosed(r.firstSeq(), 100).boxed().toList(), seqs(r.after(0)));
    }

    @Test
    void startsAtAnySeqThenRefusesGapsAndOtherRuns() {
        CompactRing r = new CompactRing(codec, RUN, 10);
        r.add(simple(41));
        assertEquals(41, r.firstSeq());
        assertThrows(IllegalArgumentException.class, () -> r.add(simple(43)));
        LogEntry other = LogEntry.builder().workflowId(WF).runId(UUID.randomUUID()).nodeKey("n").level(LogLevel.INFO)
                .message("m").ts(T0).build().withSeq(42);
        assertThrows(IllegalArgumentException.class, () -> r.add(other));
        assertThrows(IllegalArgumentException.class, () -> new CompactRing(codec, RUN, 0));
        assertEquals(List.of(41L), seqs(r.after(0)));
    }

    @Test
    void blocksCompressedWithAnOldDictionaryStillDecodeAfterRenewals() {
        RingCodec renewing = new RingCodec(2, 1);
        CompactRing first = new CompactRing(renewing, RUN, 10_000);
        List<LogEntry> in = new ArrayList<>();
        for (long seq = 1; seq <= 40 * CompactRing.BLOCK_ENTRIES; seq++) {
            LogEntry e = varied(seq);
            in.add(e);
            first.add(e);
        }
        assertEquals(in, first.after(0));
    }

    @Test
    void aFullRingOfTypicalEntriesCostsAboutFortyBytesAnEntry() {
        UUID other = UUID.randomUUID();
        CompactRing warm = new CompactRing(codec, other, 200);
        for (long seq = 1; seq <= 400; seq++) warm.add(typical(other, seq));
        CompactRing r = new CompactRing(codec, RUN, 200);
        for (long seq = 1; seq <= 1000; seq++) r.add(typical(RUN, seq));
        assertEquals(200, r.after(0).size());
        // ~450 bytes an entry as LogEntry objects; the budget is 10 MB per 1,000 full 200-entry rings
        System.out.println("compact ring: " + r.estimatedBytes() + " bytes for 200 entries; " + r.debug());
        assertTrue(r.estimatedBytes() < 200 * 50, "estimated " + r.estimatedBytes() + " bytes for 200 entries");
    }

    private static List<Long> seqs(List<LogEntry> l) {
        return l.stream().map(LogEntry::seq).toList();
    }

    private static LogEntry simple(long seq) {
        return LogEntry.builder().workflowId(WF).runId(RUN).nodeKey("node").level(LogLevel.INFO)
                .message("entry " + seq).ts(T0.plusMillis(seq)).build().withSeq(seq);
    }

    /** Every level, optional fields present and absent, non-ASCII text, time going backwards, another workflow. */
    private static LogEntry varied(long seq) {
        int k = (int) seq;
        LogEntry.Builder b = LogEntry.builder().workflowId(k % 7 == 0 ? UUID.nameUUIDFromBytes(new byte[]{(byte) k}) : WF)
                .runId(RUN).nodeKey("node-" + (k % 3) + (k % 5 == 0 ? "-é" : ""))
                .level(LogLevel.values()[k % 4])
                .message(k % 11 == 0 ? "" : "message " + k + " 日本語 \uD83D\uDE00 " + "x".repeat(k % 300))
                .ts(k % 4 == 0 ? T0.minusSeconds(86_400L * 365 * 2000 + k) : T0.plusNanos(1000L * (k % 2 == 0 ? k * 997 : -k)));
        if (k % 2 == 0) b.errorCode("E" + k);
        if (k % 3 == 0) b.metadata("{\"k\":" + k + ",\"s\":\"ü\"}");
        if (k % 5 != 0) b.traceId(Long.toHexString(k * 0x9E3779B97F4A7C15L));
        if (k % 6 != 0) b.hierarchy("root/loop[" + k + "]/n");
        return b.build().withSeq(seq);
    }

    /** Shaped like the benchmark's workload: ~100-byte message, small JSON metadata, trace id, hierarchy. */
    private static LogEntry typical(UUID run, long seq) {
        long h = seq * 0x9E3779B97F4A7C15L ^ run.getLeastSignificantBits();
        String[] nodes = {"fetch-orders", "transform", "http-call", "db-write", "notify", "loop-body"};
        String node = nodes[(int) Math.floorMod(h >>> 8, (long) nodes.length)];
        long items = (h >>> 24) & 0x3FF;
        long ms = (h >>> 34) & 0x7FF;
        String m = node + ": processed " + items + " items of batch " + seq + " in " + ms
                + " ms; upstream=orders-service region=eu-west-1 status=OK";
        return LogEntry.builder().workflowId(WF).runId(run).nodeKey(node).level(LogLevel.values()[(int) Math.floorMod(h, 4L)])
                .message(m.length() > 100 ? m.substring(0, 100) : m)
                .metadata("{\"attempt\":" + (1 + ((h >>> 45) & 3)) + ",\"durationMs\":" + ms + ",\"items\":" + items + "}")
                .traceId(Long.toHexString(h | Long.MIN_VALUE)).hierarchy("root/" + node)
                .ts(T0.plusMillis(seq * 3)).build().withSeq(seq);
    }
}
