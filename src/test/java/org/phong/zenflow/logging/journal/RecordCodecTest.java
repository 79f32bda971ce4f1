package org.phong.zenflow.logging.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.testing.Entries;

/** The record frame: size, checksum over length and payload, and the bytes/entry docs/durability.md quotes. */
class RecordCodecTest {
    @Test
    void aRecordRoundTripsAndAnyFlippedBitBreaksItsChecksum() {
        LogEntry e = Entries.valid().metadata("{\"count\":42}").hierarchy("root/fetch").traceId("4bf92f3577b34da6")
                .build().withSeq(7);
        byte[][] s = RecordCodec.strings(e);
        ByteBuffer b = ByteBuffer.allocate(RecordCodec.framedSize(s));
        CRC32C crc = new CRC32C();
        RecordCodec.write(b, e, s, crc);
        assertEquals(b.capacity(), b.position());
        int length = b.getInt(0);
        int crcField = b.getInt(4);
        assertEquals(e, RecordCodec.read(ByteBuffer.wrap(b.array(), 8, length).slice()));
        for (int bit = 0; bit < b.capacity() * 8; bit += 13) {
            if (bit / 8 >= 4 && bit / 8 < 8) continue; // the crc field itself
            byte[] copy = b.array().clone();
            copy[bit / 8] ^= (byte) (1 << (bit % 8));
            ByteBuffer c = ByteBuffer.wrap(copy);
            assertFalse(RecordCodec.checksumMatches(c.duplicate().position(0).limit(4),
                    c.duplicate().position(8).limit(8 + length), crcField, crc), "bit " + bit);
        }
        System.out.println("journal record of a typical entry: " + b.capacity() + " bytes");
    }
}
