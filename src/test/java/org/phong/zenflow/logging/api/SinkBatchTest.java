package org.phong.zenflow.logging.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.CollectingSink;
import org.phong.zenflow.logging.testing.Entries;

class SinkBatchTest {
    private final List<LogEntry> two = Entries.batch(UUID.randomUUID(), UUID.randomUUID(), 1, 2);

    @Test
    void theUnjournaledCountIsWithinTheEntries() {
        assertThrows(IllegalArgumentException.class, () -> new SinkBatch(two, 3));
        assertThrows(IllegalArgumentException.class, () -> new SinkBatch(two, -1));
        assertEquals(2, new SinkBatch(two, 2).unjournaled());
        SinkBatch all = SinkBatch.of(two);
        assertEquals(0, all.unjournaled());
        assertSame(two, all.entries(), "not copied");
    }

    @Test
    void aSinkThatOnlyTakesListsGetsTheEntries() throws Exception {
        CollectingSink sink = CollectingSink.durable("db");
        sink.process(new SinkBatch(two, 1));
        assertEquals(List.of(two), sink.batches());
    }
}
