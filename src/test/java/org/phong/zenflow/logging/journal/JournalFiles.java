package org.phong.zenflow.logging.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.testing.JournalFixtures;

/**
 * What the segment files of a journal directory hold, read straight from disk: after {@code recover} that is
 * what recovery kept (damaged ranges padded, torn tails cut, empty segments deleted), i.e. what a reader from
 * the oldest segment gets; and the bytes of one record, for tests that write segment files by hand.
 */
final class JournalFiles {
    private JournalFiles() {
    }

    /** @return every entry of every segment file in {@code dir}, in position order */
    static List<LogEntry> entries(Path dir) throws IOException {
        List<LogEntry> out = new ArrayList<>();
        for (Path p : JournalFixtures.segmentFiles(dir)) {
            long base = SegmentFile.baseOf(p.getFileName().toString());
            if (base < 0) continue; // named *.seg, but not a segment of ours
            SegmentFile.scan(p, base, out::add);
        }
        return out;
    }

    /** @return {@code e} as one framed record (length, checksum, payload), as a segment file holds it */
    static byte[] record(LogEntry e) {
        byte[][] s = RecordCodec.strings(e);
        ByteBuffer b = ByteBuffer.allocate(RecordCodec.framedSize(s));
        RecordCodec.write(b, e, s, new CRC32C());
        return b.array();
    }
}
