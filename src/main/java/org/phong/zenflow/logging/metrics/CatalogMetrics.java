package org.phong.zenflow.logging.metrics;

import static org.phong.zenflow.logging.metrics.MetricNames.metadata;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/**
 * Registers metrics of the catalogue ({@link MetricNames}: name, unit and description come from there)
 * in the application registry, for the classes that export a component's own numbers (cluster node,
 * journal, Kafka sink, live-tail hub). The component keeps plain {@code long}s, free of MicroProfile
 * types: a level becomes a gauge read at scrape time, a monotonic total a real counter kept up to date
 * by the {@link CounterMirror}.
 */
@ApplicationScoped
public class CatalogMetrics {
    /**
     * Priority of a registering {@code @Initialized(ApplicationScoped.class)} observer that needs the
     * built pipeline: after LoggingModule's start observer, which runs at the default priority
     * ({@code APPLICATION + 500}).
     */
    public static final int AFTER_PIPELINE = Interceptor.Priority.APPLICATION + 1000;

    @Inject
    MetricRegistry registry;

    @Inject
    CounterMirror mirror;

    /**
     * @param name  a counter of the catalogue
     * @param total a monotonic total, cheap to read, that the counter follows from now on
     */
    public void counter(String name, LongSupplier total) {
        mirror.mirror(registry.counter(metadata(name)), total);
    }

    /**
     * @param name   a gauge of the catalogue
     * @param source what the gauge reads (held by the registry)
     * @param read   reads the value from {@code source} at scrape time
     * @param tags   the gauge's tags, if any
     */
    public <T, R extends Number> void gauge(String name, T source, Function<T, R> read, Tag... tags) {
        registry.gauge(metadata(name), source, read, tags);
    }

    /** @return the timer of the catalogue named {@code name} */
    public Timer timer(String name) {
        return registry.timer(metadata(name));
    }
}
