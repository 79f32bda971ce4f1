package org.phong.zenflow.logging.collector;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.SinkBatch;

/** One run's flushed batch on its way to every sink, counting the durable sinks still to take it. */
final class Batch {
    /** What a sink is handed when this batch goes alone (see {@link SinkChannel}). */
    final SinkBatch sinkBatch;
    final AtomicInteger durablePending;

    Batch(SinkBatch sinkBatch, int durableSinks) {
        this.sinkBatch = sinkBatch;
        this.durablePending = new AtomicInteger(durableSinks);
    }

    List<LogEntry> entries() {
        return sinkBatch.entries();
    }

    int size() {
        return sinkBatch.entries().size();
    }
}
