package org.phong.zenflow.logging.metrics;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.cdi.LoggingModule;
import org.phong.zenflow.logging.journal.JournalStats;

/**
 * The journal's and the degradation machine's metrics ({@code zenflow.logging.journal.*},
 * {@code zenflow.logging.degradation.*}), gauges over {@link JournalStats} snapshots and the
 * degradation state. A scrape reads one snapshot (taken at most once per {@link #SNAPSHOT_MAX_AGE_NANOS}).
 */
@ApplicationScoped
public class JournalMetrics {
    /** A scrape reads a dozen gauges; they share one snapshot this young. */
    private static final long SNAPSHOT_MAX_AGE_NANOS = 500_000_000L;

    @Inject
    MetricRegistry registry;

    @Inject
    LoggingModule module;

    private volatile JournalStats snapshot;
    private volatile long snapshotAt;

    /** Registers after the pipeline is built (LoggingModule observes at the default priority). */
    void register(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000)
                  @Initialized(ApplicationScoped.class) Object ignored) {
        LoggingPipeline p = module.runningOrNull();
        if (p == null) return;
        journal("bytes", "Bytes of all journal segment files on disk", JournalStats::bytesOnDisk);
        journal("segments", "Journal segment files on disk", s -> s.segments());
        journal("available", "1 when entries are journaled now, 0 when the journal is disabled, failed or full",
                s -> s.available() ? 1 : 0);
        journal("appended.entries", "Entries journaled since start", JournalStats::appendedEntries);
        journal("unjournaled.entries", "Entries routed while the journal was unavailable or full (memory only)",
                JournalStats::unjournaledEntries);
        journal("fsync.count", "Journal commits (forces to disk) since start", JournalStats::fsyncs);
        journal("fsync.last.micros", "Duration of the last journal force, microseconds", JournalStats::lastFsyncMicros);
        journal("fsync.max.micros", "Longest journal force since start, microseconds", JournalStats::maxFsyncMicros);
        journal("fsync.mean.micros", "Mean journal force since start, microseconds", JournalStats::meanFsyncMicros);
        journal("truncated.records", "Damaged journal records cut at startup (one per damaged segment)",
                JournalStats::truncatedRecords);
        journal("truncated.bytes", "Bytes cut from damaged journal segments at startup", JournalStats::truncatedBytes);
        journal("replayed.entries", "Entries replayed from the journal to the durable sinks since start",
                JournalStats::replayedEntries);
        for (String sink : p.durableSinkNames()) {
            Tag tag = new Tag("sink", sink);
            gauge("zenflow.logging.journal.sink.backlog.entries", "Journaled entries the durable sink has not acknowledged",
                    s -> s.sinkBacklogEntries().getOrDefault(sink, 0L), tag);
            gauge("zenflow.logging.journal.sink.backlog.bytes", "Journal bytes from the durable sink's position to the end",
                    s -> s.sinkBacklogBytes().getOrDefault(sink, 0L), tag);
        }
        // zenflow.logging.degradation.level is PipelineMetrics' gauge over health.Degradation (PipelineDegradation).
        registry.gauge(Metadata.builder().withName("zenflow.logging.degradation.sampled.out.entries")
                        .withDescription("DEBUG/INFO entries sampled out under memory pressure (level 4) since start").build(),
                p, (Function<LoggingPipeline, Long>) q -> q.degradation().sampledOut());
        registry.gauge(Metadata.builder().withName("zenflow.logging.degradation.transitions")
                        .withDescription("Degradation level changes since start").build(),
                p, (Function<LoggingPipeline, Long>) q -> q.degradation().transitions());
    }

    private void journal(String thing, String description, ToLongFunction<JournalStats> f) {
        gauge("zenflow.logging.journal." + thing, description, f);
    }

    private void gauge(String name, String description, ToLongFunction<JournalStats> f, Tag... tags) {
        registry.gauge(Metadata.builder().withName(name).withDescription(description).build(), this,
                (Function<JournalMetrics, Long>) m -> f.applyAsLong(m.stats()), tags);
    }

    private JournalStats stats() {
        long now = System.nanoTime();
        JournalStats s = snapshot;
        if (s == null || now - snapshotAt > SNAPSHOT_MAX_AGE_NANOS) {
            LoggingPipeline p = module.runningOrNull();
            s = p == null ? JournalStats.disabled() : p.journalStats();
            snapshot = s;
            snapshotAt = now;
        }
        return s;
    }
}
