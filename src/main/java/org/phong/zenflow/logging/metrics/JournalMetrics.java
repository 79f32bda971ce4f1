package org.phong.zenflow.logging.metrics;

import static org.phong.zenflow.logging.metrics.MetricNames.*;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.metrics.Tag;
import org.phong.zenflow.logging.RunningPipeline;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.journal.JournalStats;

/**
 * The journal's and the degradation machine's metrics ({@link MetricNames#JOURNAL}): gauges over
 * {@link JournalStats} snapshots (a scrape reads one snapshot, taken at most once per
 * {@link #SNAPSHOT_MAX_AGE_NANOS}), and counters mirrored from the journal's own totals by the
 * {@link CounterMirror}. Durations are exported in seconds, sizes in bytes.
 */
@ApplicationScoped
public class JournalMetrics {
    /** A scrape reads a dozen gauges; they share one snapshot this young. */
    private static final long SNAPSHOT_MAX_AGE_NANOS = 500_000_000L;
    private static final double MICROS_PER_SECOND = 1e6;

    @Inject
    RunningPipeline module;

    @Inject
    CatalogMetrics metrics;

    private volatile JournalStats snapshot;
    private volatile long snapshotAt;

    /** Registers after the pipeline is built (LoggingModule observes at the default priority). */
    void register(@Observes @Priority(CatalogMetrics.AFTER_PIPELINE) @Initialized(ApplicationScoped.class) Object ignored) {
        LoggingPipeline p = module.runningOrNull();
        if (p == null) return;
        gauge(JOURNAL_SIZE, JournalStats::bytesOnDisk);
        gauge(JOURNAL_SEGMENTS, s -> s.segments());
        gauge(JOURNAL_AVAILABLE, s -> s.available() ? 1 : 0);
        counter(JOURNAL_APPENDED, JournalStats::appendedEntries);
        counter(JOURNAL_UNJOURNALED, JournalStats::unjournaledEntries);
        counter(JOURNAL_FSYNCS, JournalStats::fsyncs);
        seconds(JOURNAL_FSYNC_LAST, s -> s.lastFsyncMicros() / MICROS_PER_SECOND);
        seconds(JOURNAL_FSYNC_MAX, s -> s.maxFsyncMicros() / MICROS_PER_SECOND);
        seconds(JOURNAL_FSYNC_MEAN, s -> s.meanFsyncMicros() / MICROS_PER_SECOND);
        counter(JOURNAL_TRUNCATED_RECORDS, JournalStats::truncatedRecords);
        counter(JOURNAL_TRUNCATED_BYTES, JournalStats::truncatedBytes);
        for (String sink : p.durableSinkNames()) {
            Tag tag = new Tag(SINK, sink);
            gauge(JOURNAL_SINK_BACKLOG_ENTRIES, s -> s.sinkBacklogEntries().getOrDefault(sink, 0L), tag);
            gauge(JOURNAL_SINK_BACKLOG, s -> s.sinkBacklogBytes().getOrDefault(sink, 0L), tag);
        }
        // zenflow.logging.degradation.level is PipelineMetrics' gauge over health.Degradation (PipelineDegradation).
        metrics.counter(DEGRADATION_SAMPLED_OUT, pipeline(q -> q.degradation().sampledOut()));
        metrics.counter(DEGRADATION_TRANSITIONS, pipeline(q -> q.degradation().transitions()));
    }

    private LongSupplier pipeline(ToLongFunction<LoggingPipeline> read) {
        return () -> {
            LoggingPipeline p = module.runningOrNull();
            return p == null ? 0 : read.applyAsLong(p);
        };
    }

    private void counter(String name, ToLongFunction<JournalStats> f) {
        metrics.counter(name, () -> f.applyAsLong(stats()));
    }

    private void gauge(String name, ToLongFunction<JournalStats> f, Tag... tags) {
        metrics.gauge(name, this, (Function<JournalMetrics, Long>) m -> f.applyAsLong(m.stats()), tags);
    }

    private void seconds(String name, ToDoubleFunction<JournalStats> f) {
        metrics.gauge(name, this, (Function<JournalMetrics, Double>) m -> f.applyAsDouble(m.stats()));
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
