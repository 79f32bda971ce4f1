package org.phong.zenflow.logging.stats;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.RecordingObserver;

class EndToEndTrackerTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final RecordingObserver observer = new RecordingObserver(1);
    private final EndToEndTracker tracker = new EndToEndTracker(observer, nanos::get);
    private final UUID wf = UUID.randomUUID();
    private final UUID run = UUID.randomUUID();

    @Test
    void aSampleIsReportedWhenTheBatchHoldingItsSeqIsDurableAndNotBefore() {
        tracker.expect(run, 3, 1_000);
        tracker.expect(run, 7, 2_000);
        nanos.set(10_000);
        tracker.durable(Entries.batch(wf, run, 1, 2)); // seq 1..2: neither sample yet
        assertEquals(List.of(), observer.endToEndNanos);
        tracker.durable(Entries.batch(wf, run, 3, 3)); // seq 3..5: the first
        assertEquals(List.of(9_000L), observer.endToEndNanos);
        nanos.set(20_000);
        tracker.durable(Entries.batch(wf, run, 6, 5)); // seq 6..10: the second
        assertEquals(List.of(9_000L, 18_000L), observer.endToEndNanos);
        assertEquals(0, tracker.pendingSamples(), "nothing left behind for the run");
    }

    @Test
    void batchesOfOtherRunsDoNotReleaseSamples() {
        tracker.expect(run, 1, 1_000);
        tracker.durable(Entries.batch(wf, UUID.randomUUID(), 1, 10));
        assertEquals(1, tracker.pendingSamples());
        tracker.durable(Entries.batch(wf, run, 1, 1));
        assertEquals(1, observer.endToEndNanos.size());
    }
}
