package org.phong.zenflow.logging.metrics;

import static org.phong.zenflow.logging.metrics.MetricNames.*;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;
import org.phong.zenflow.logging.RunningPipeline;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.collector.SinkStatus;
import org.phong.zenflow.logging.config.ObservabilitySettings;
import org.phong.zenflow.logging.health.Degradation;
import org.phong.zenflow.logging.stats.PipelineObserver.DropReason;
import org.phong.zenflow.logging.stats.PipelineObserver;

/**
 * The bridge from the plain-Java core to MicroProfile Metrics: registers every metric of
 * {@link MetricNames#ALL} in the application registry, hands the pipeline a {@link PipelineObserver}
 * that turns core events into counter increments and timer/histogram updates, and reads gauges from
 * the core's getters at scrape time.
 *
 * <p>Cost on the hot path: every counter the observer touches is resolved once (per level, reason,
 * sink) into final fields and maps, so an event is a map lookup and a {@code Counter.inc()}. Timing of
 * {@code route()} and the end-to-end latency are sampled (see {@code metrics.route-sample-every}).
 *
 * <p>Fault Tolerance already exports its own metrics for the PostgreSQL writer (retries, circuit
 * breaker opened/state, timeouts, scope base); this class does not duplicate them. The collector's
 * retries above Fault Tolerance are {@code zenflow.logging.sink.retries}.
 */
@ApplicationScoped
public class PipelineMetrics {
    @Inject
    MetricRegistry registry;

    @Inject
    RunningPipeline module;

    @Inject
    ObservabilitySettings settings;

    @Inject
    Instance<Degradation> degradation;

    private final Map<String, Def> defs = new HashMap<>();
    private final Map<LogLevel, Counter> accepted = new EnumMap<>(LogLevel.class);
    private final Map<DropReason, Map<LogLevel, Counter>> dropped = new EnumMap<>(DropReason.class);
    private final Map<PipelineObserver.RejectReason, Map<LogLevel, Counter>> rejected = new EnumMap<>(PipelineObserver.RejectReason.class);
    private final Map<IngestionRejection, Counter> ingestion = new EnumMap<>(IngestionRejection.class);
    private final ConcurrentHashMap<String, SinkMeters> sinks = new ConcurrentHashMap<>();
    private Timer routeDuration;
    private Timer batchWait;
    private Timer pipelineLatency;
    private Histogram batchSize;
    private volatile Observer observer;

    /** Why an ingestion request was refused whole; the tag value is the lower-case name. */
    public enum IngestionRejection {
        INVALID, TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, BACKPRESSURE, UNAUTHENTICATED, FORBIDDEN, OTHER;

        /** @param status an HTTP status of 400 or more @return its reason */
        public static IngestionRejection of(int status) {
            return switch (status) {
                case 400 -> INVALID;
                case 401 -> UNAUTHENTICATED;
                case 403 -> FORBIDDEN;
                case 413 -> TOO_LARGE;
                case 415 -> UNSUPPORTED_MEDIA_TYPE;
                case 429 -> BACKPRESSURE;
                default -> OTHER;
            };
        }
    }

    /** Per-sink meters, resolved once when the sink is attached. */
    private record SinkMeters(Counter written, Counter failures, Counter retries, Counter dropped,
                              Timer success, Timer failure, Histogram batchSize) {
    }

    @PostConstruct
    void register() {
        for (Def d : ALL) defs.put(d.name(), d);
        for (LogLevel l : LogLevel.values()) accepted.put(l, counter(ROUTER_ACCEPTED, tag(LEVEL, l)));
        for (DropReason r : DropReason.values()) {
            Map<LogLevel, Counter> byLevel = new EnumMap<>(LogLevel.class);
            for (LogLevel l : LogLevel.values()) byLevel.put(l, counter(ROUTER_DROPPED, tag(REASON, r), tag(LEVEL, l)));
            dropped.put(r, byLevel);
        }
        for (PipelineObserver.RejectReason r : PipelineObserver.RejectReason.values()) {
            Map<LogLevel, Counter> byLevel = new EnumMap<>(LogLevel.class);
            for (LogLevel l : LogLevel.values()) byLevel.put(l, counter(ROUTER_REJECTED, tag(REASON, r), tag(LEVEL, l)));
            rejected.put(r, byLevel);
        }
        for (IngestionRejection r : IngestionRejection.values()) ingestion.put(r, counter(INGESTION_REJECTED, tag(REASON, r)));
        routeDuration = registry.timer(metadata(ROUTE_DURATION));
        batchWait = registry.timer(metadata(BATCH_WAIT));
        pipelineLatency = registry.timer(metadata(PIPELINE_LATENCY));
        batchSize = registry.histogram(metadata(BATCH_SIZE));

        gauge(ROUTER_IN_FLIGHT, p -> p.admission().inFlight());
        gauge(ROUTER_CAPACITY, p -> p.admission().capacity());
        gauge(ROUTER_THRESHOLD, p -> p.settings().thresholdEntries());
        gauge(ROUTER_QUEUE_DEPTH, p -> p.router().queueDepth());
        gauge(BUFFER_ACTIVE_RUNS, p -> (long) p.buffers().activeRuns());
        gauge(BUFFER_ENTRIES, p -> p.buffers().bufferedEntries());
        gauge(BUFFER_MEMORY, p -> p.buffers().estimateMemory().totalBytes());
        gauge(BUFFER_LARGEST_RUN_MEMORY, p -> p.buffers().estimateMemory().largestRunBytes());
        registry.gauge(metadata(DEGRADATION_LEVEL), (Supplier<Long>) () ->
                degradation.isResolvable() ? (long) degradation.get().level() : 0L);
    }

    /** @return the observer to build the pipeline with (a plain object: no CDI proxy on the hot path) */
    public PipelineObserver observer() {
        Observer o = observer;
        if (o == null) {
            synchronized (this) {
                if (observer == null) observer = new Observer(settings.routeSampleEvery());
                o = observer;
            }
        }
        return o;
    }

    /** Counts one ingestion request refused whole. @param reason why */
    public void ingestionRejected(IngestionRejection reason) {
        ingestion.get(reason).inc();
    }

    // ---------------------------------------------------------------- registration helpers

    private Metadata metadata(String name) {
        Def d = defs.get(name);
        if (d == null) throw new IllegalArgumentException("not in MetricNames.ALL: " + name);
        var b = Metadata.builder().withName(name).withDescription(d.description());
        if (d.unit() != null) b.withUnit(d.unit());
        return b.build();
    }

    private static Tag tag(String key, Enum<?> value) {
        return new Tag(key, value.name().toLowerCase(Locale.ROOT));
    }

    private Counter counter(String name, Tag... tags) {
        return registry.counter(metadata(name), tags);
    }

    /** A gauge of the running pipeline; 0 before it starts. */
    private void gauge(String name, Function<LoggingPipeline, Long> read) {
        registry.gauge(metadata(name), (Supplier<Long>) () -> {
            LoggingPipeline p = module.runningOrNull();
            return p == null ? 0L : read.apply(p);
        });
    }

    private SinkMeters sinkMeters(String sink, boolean durable) {
        return sinks.computeIfAbsent(sink, s -> {
            Tag t = new Tag(SINK, s);
            registry.gauge(metadata(SINK_BACKLOG), (Supplier<Long>) () -> backlogOf(s), t);
            return new SinkMeters(counter(SINK_WRITTEN, t), counter(SINK_FAILURES, t), counter(SINK_RETRIES, t),
                    counter(SINK_DROPPED, t),
                    registry.timer(metadata(SINK_WRITE_DURATION), t, new Tag(OUTCOME, "success")),
                    registry.timer(metadata(SINK_WRITE_DURATION), t, new Tag(OUTCOME, "failure")),
                    registry.histogram(metadata(SINK_BATCH_SIZE), t));
        });
    }

    private long backlogOf(String sink) {
        LoggingPipeline p = module.runningOrNull();
        if (p == null) return 0;
        for (SinkStatus s : p.sinkStatus()) if (s.name().equals(sink)) return s.backlog();
        return 0;
    }

    /** The observer the core calls; every meter it touches is resolved already. */
    private final class Observer implements PipelineObserver {
        private final int sampleEvery;

        Observer(int sampleEvery) {
            this.sampleEvery = sampleEvery;
        }

        @Override
        public int sampleEvery() {
            return sampleEvery;
        }

        @Override
        public void accepted(LogLevel level) {
            accepted.get(level).inc();
        }

        @Override
        public void dropped(DropReason reason, LogLevel level) {
            dropped.get(reason).get(level).inc();
        }

        @Override
        public void rejected(RejectReason reason, LogLevel level) {
            rejected.get(reason).get(level).inc();
        }

        @Override
        public void routeSampled(long nanos) {
            routeDuration.update(Duration.ofNanos(nanos));
        }

        @Override
        public void batchFlushed(int entries, long waitedMs) {
            batchSize.update(entries);
            batchWait.update(Duration.ofMillis(Math.max(0, waitedMs)));
        }

        @Override
        public void sinkAttached(String sink, boolean durable) {
            sinkMeters(sink, durable);
        }

        @Override
        public void sinkWrote(String sink, int entries, long nanos, boolean retry) {
            SinkMeters m = sinkMeters(sink, false);
            m.written().inc(entries);
            if (retry) m.retries().inc();
            m.success().update(Duration.ofNanos(nanos));
            m.batchSize().update(entries);
        }

        @Override
        public void sinkFailed(String sink, int entries, long nanos, boolean retry) {
            SinkMeters m = sinkMeters(sink, false);
            m.failures().inc();
            if (retry) m.retries().inc();
            m.failure().update(Duration.ofNanos(nanos));
        }

        @Override
        public void sinkDropped(String sink, int entries) {
            sinkMeters(sink, false).dropped().inc(entries);
        }

        @Override
        public void routedToDurable(long nanos) {
            pipelineLatency.update(Duration.ofNanos(nanos));
        }
    }
}
