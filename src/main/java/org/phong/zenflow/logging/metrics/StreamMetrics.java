package org.phong.zenflow.logging.metrics;

import static org.phong.zenflow.logging.metrics.MetricNames.*;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.ToLongFunction;
import org.phong.zenflow.logging.RunningPipeline;
import org.phong.zenflow.logging.stream.StreamHub;

/**
 * The live tail's metrics ({@link MetricNames#STREAM}), read from {@link StreamHub}'s plain getters:
 * the two levels as gauges at scrape time, the hub's monotonic totals as counters through the
 * {@link CounterMirror}, so the hub stays free of MicroProfile types.
 */
@ApplicationScoped
public class StreamMetrics {

    @Inject
    RunningPipeline module;

    @Inject
    CatalogMetrics metrics;

    void register(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        gauge(STREAM_SESSIONS, h -> h.openSessions());
        gauge(STREAM_WATCHED_RUNS, h -> h.watchedRuns());
        counter(STREAM_SESSIONS_OPENED, StreamHub::sessionsOpened);
        counter(STREAM_FRAMES_SENT, StreamHub::framesSent);
        counter(STREAM_ENTRIES_SENT, StreamHub::entriesSent);
        counter(STREAM_CLOSED_SLOW, StreamHub::closedSlow);
        counter(STREAM_CLOSED_DEAD, StreamHub::closedDead);
        counter(STREAM_HISTORY_TIMEOUTS, StreamHub::historyTimeouts);
    }

    private long read(ToLongFunction<StreamHub> read) {
        StreamHub h = module.streamOrNull();
        return h == null ? 0L : read.applyAsLong(h);
    }

    private void gauge(String name, ToLongFunction<StreamHub> f) {
        metrics.gauge(name, module, m -> read(f));
    }

    private void counter(String name, ToLongFunction<StreamHub> f) {
        metrics.counter(name, () -> read(f));
    }
}
