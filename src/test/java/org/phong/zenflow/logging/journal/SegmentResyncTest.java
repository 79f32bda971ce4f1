package org.phong.zenflow.logging.journal;

import static org.phong.zenflow.logging.journal.JournalFiles.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.testing.Entries;

/**
 * Damage in the middle of a segment costs only the records it touches: the scan resynchronizes at the
 * next valid record, recovery copies the segment aside, pads the damaged range (positions unchanged)
 * and names the lost entries by run and seq.
 */
class SegmentResyncTest {
    private static final UUID WORKFLOW = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
    private static final UUID RUN_A = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    private static final UUID RUN_B = UUID.fromString("00000000-0000-0000-0000-0000000000b2");

    @TempDir
    Path dir;

    private static LogEntry entry(UUID run, long seq) {
        return Entries.valid().workflowId(WORKFLOW).runId(run).message("message " + seq + " of " + run).build().withSeq(seq);
    }

    /** 200 records alternating runs A and B (seq 1..100 each); returns the file offsets of each record. */
    private long[] writeSegment(Path f) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = SegmentFile.header(0);
        out.write(h.array(), 0, h.limit());
        long[] offsets = new long[200];
        for (int i = 0; i < 200; i++) {
            offsets[i] = out.size();
            out.write(record(entry(i % 2 == 0 ? RUN_A : RUN_B, i / 2 + 1)));
        }
        Files.write(f, out.toByteArray());
        return offsets;
    }

    private static void overwrite(Path f, long at, int n) throws Exception {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            byte[] junk = new byte[n];
            for (int i = 0; i < n; i++) junk[i] = (byte) (0x5A ^ i);
            ch.write(ByteBuffer.wrap(junk), at);
        }
    }

    @Test
    void sixteenBytesInTheMiddleCostOnlyTheRecordTheyTouch() throws Exception {
        Path f = dir.resolve(SegmentFile.name(0));
        long[] off = writeSegment(f);
        overwrite(f, off[100] + 20, 16);             // inside record 100 (run A, seq 51)
        List<LogEntry> got = new ArrayList<>();
        SegmentFile.Scan s = SegmentFile.scan(f, 0, got::add);
        assertEquals(199, s.records());
        assertNull(s.damage(), "valid records follow: not a tail");
        assertEquals(1, s.skipped().size());
        assertEquals(off[100], s.skipped().get(0).offset());
        assertEquals(off[101] - off[100], s.skipped().get(0).length());
        assertEquals(Files.size(f), s.validEnd());
    }

    @Test
    void damageAcrossTwoRecordsCostsBoth() throws Exception {
        Path f = dir.resolve(SegmentFile.name(0));
        long[] off = writeSegment(f);
        overwrite(f, off[51] - 4, 16);               // the end of record 50 and the frame of record 51
        SegmentFile.Scan s = SegmentFile.scan(f, 0, (java.util.function.Consumer<LogEntry>) null);
        assertEquals(198, s.records());
        assertEquals(1, s.skipped().size());
        assertEquals(off[50], s.skipped().get(0).offset());
        assertEquals(off[52] - off[50], s.skipped().get(0).length());
    }

    @Test
    void garbageTailIsStillCut() throws Exception {
        Path f = dir.resolve(SegmentFile.name(0));
        long[] off = writeSegment(f);
        overwrite(f, off[199] + 10, 30);
        SegmentFile.Scan s = SegmentFile.scan(f, 0, (java.util.function.Consumer<LogEntry>) null);
        assertEquals(199, s.records());
        assertEquals(off[199], s.validEnd());
        assertTrue(s.damage().contains("at offset " + off[199]), s.damage());
    }

    @Test
    void recoveryPadsCopiesAsideAndNamesTheLostEntries() throws Exception {
        Path jdir = dir.resolve("journal");
        Files.createDirectories(jdir);
        Path f = jdir.resolve(SegmentFile.name(0));
        long[] off = writeSegment(f);
        long sizeBefore = Files.size(f);
        overwrite(f, off[100] + 20, 16);              // run A seq 51
        overwrite(f, off[151] + 30, 8);               // run B seq 76
        Journal j = JournalFixtures.journal(jdir);
        List<LogEntry> seen = new ArrayList<>();
        RecoveryReport r = j.recover((e, seq) -> seen.add(e));
        try {
            assertEquals(198, r.records());
            assertEquals(198, seen.size());
            assertEquals(List.of("run " + RUN_A + " seq 51..51", "run " + RUN_B + " seq 76..76"), r.lost());
            assertEquals(1, r.asideFiles().size());
            assertTrue(Files.exists(Path.of(r.asideFiles().get(0))));
            assertEquals(sizeBefore, Files.size(Path.of(r.asideFiles().get(0))));
            // Positions unchanged: the file keeps its size and a second scan finds no damage at all.
            assertEquals(sizeBefore, Files.size(f));
            SegmentFile.Scan again = SegmentFile.scan(f, 0, (java.util.function.Consumer<LogEntry>) null);
            assertEquals(198, again.records());
            assertTrue(again.skipped().isEmpty() && again.damage() == null, "padding reads as valid");
        } finally {
            j.close();
        }
    }
}
