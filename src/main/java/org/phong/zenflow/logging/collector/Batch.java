package org.phong.zenflow.logging.collector;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.phong.zenflow.logging.api.LogEntry;

/** One run's flushed entries on their way to every sink, counting the durable sinks still to take it. */
final class Batch {
    final List<LogEntry> entries;
    final AtomicInteger durablePending;

    Batch(List<LogEntry> entries, int durableSinks) {
        this.entries = entries;
        this.durablePending = new AtomicInteger(durableSinks);
    }
}
