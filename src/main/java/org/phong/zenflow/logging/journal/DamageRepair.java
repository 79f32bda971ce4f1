package org.phong.zenflow.logging.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * What recovery does to a damaged segment, in this order: copy the whole file aside (so nothing is
 * ever cut without a copy an operator can examine), then overwrite each damaged range that valid
 * records follow with one padding record. Padding keeps every position in the file where it was, so
 * saved follower positions and the segment's base stay valid, and readers skip it.
 */
final class DamageRepair {
    /** Sub-directory of the journal directory that keeps copies of damaged segments. */
    static final String ASIDE_DIR = "damaged";

    private DamageRepair() {
    }

    /** @return the copy's path, as text, for the recovery report */
    static String copyAside(Path dir, Path segment) throws IOException {
        Path aside = dir.resolve(ASIDE_DIR);
        Files.createDirectories(aside);
        Path copy = aside.resolve(segment.getFileName() + "." + System.currentTimeMillis() + ".damaged");
        Files.copy(segment, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        return copy.toString();
    }

    /** Writes one padding record over each damaged range and forces the file. */
    static void pad(Path segment, List<SegmentFile.Damage> ranges) throws IOException {
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            for (SegmentFile.Damage d : ranges) {
                ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(d.length()));
                RecordCodec.writePadding(b, b.capacity(), crc);
                b.flip();
                long at = d.offset();
                while (b.hasRemaining()) at += ch.write(b, at);
            }
            ch.force(true);
        }
    }
}
