/**
 * MicroProfile Metrics of the module (Prometheus at {@code /metrics}): the bridge from the core's
 * {@link org.phong.zenflow.logging.stats.PipelineObserver} and getters to the application registry.
 *
 * <p>Invariants: every metric is listed once in {@link org.phong.zenflow.logging.metrics.MetricNames#ALL}
 * (name {@code zenflow.logging.<area>.<thing>}, kind, unit, tags, description) and registered from
 * there; the table in docs/operations.md and {@code docs/grafana/zenflow-logging.json} are tested against that list.
 * Counters are exact (incremented per event); gauges read the core at scrape time; {@code route()}
 * timing and end-to-end latency are sampled. Other concerns (journal, Kafka, WebSocket, cluster) register
 * their metrics in classes of their own here, with the same naming, through {@link
 * org.phong.zenflow.logging.metrics.CatalogMetrics} (a component's monotonic totals become counters by the
 * {@link org.phong.zenflow.logging.metrics.CounterMirror}).
 */
package org.phong.zenflow.logging.metrics;
