package org.phong.zenflow.logging.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.phong.zenflow.logging.cdi.LoggingModule;
import org.phong.zenflow.logging.stream.StreamHub;

/**
 * The live tail's metrics ({@code zenflow.logging.stream.*}), read from {@link StreamHub}'s plain
 * getters at scrape time. Counters are exposed as gauges of monotonic totals (they start at 0 with
 * the server), so the hub stays free of MicroProfile types.
 */
@ApplicationScoped
public class StreamMetrics {

    @Inject
    MetricRegistry registry;

    @Inject
    LoggingModule module;

    void register(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        gauge("sessions", "Live-tail sessions (WebSocket and long-poll) open now", h -> h.openSessions());
        gauge("watched.runs", "Runs with at least one live-tail session", h -> h.watchedRuns());
        gauge("sessions.opened", "Live-tail sessions opened since start", StreamHub::sessionsOpened);
        gauge("frames.sent", "Frames of every type sent to live-tail clients since start", StreamHub::framesSent);
        gauge("entries.sent", "Log frames sent to live-tail clients since start", StreamHub::entriesSent);
        gauge("closed.slow", "Sessions closed 1013 because their outbound queue was full (client too slow) since start",
                StreamHub::closedSlow);
        gauge("closed.dead", "Sessions closed because the peer stopped answering pings since start", StreamHub::closedDead);
        gauge("history.timeouts", "Sessions closed 1013 because history did not reach the database within history-wait-ms since start",
                StreamHub::historyTimeouts);
    }

    private void gauge(String name, String description, ToLongFunction<StreamHub> read) {
        Metadata md = Metadata.builder().withName("zenflow.logging.stream." + name).withDescription(description).build();
        registry.gauge(md, module, m -> {
            StreamHub h = m.streamOrNull();
            return h == null ? 0L : read.applyAsLong(h);
        });
    }
}
