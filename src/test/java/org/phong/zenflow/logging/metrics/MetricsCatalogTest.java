package org.phong.zenflow.logging.metrics;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The metric catalogue against what users read: names follow the convention, the Grafana dashboard
 * parses and queries only series that exist (the module's, as MetricNames derives them, or Fault
 * Tolerance's and the JVM's), every module metric is on the dashboard and in the table of docs/operations.md.
 * MetricsIT checks on the running server that every one of these series is really served.
 */
class MetricsCatalogTest {

    @Test
    void namesFollowTheConventionAndHaveDescriptions() {
        Set<String> seen = new HashSet<>();
        for (MetricNames.Def d : MetricNames.CATALOG) {
            assertTrue(d.name().matches("zenflow\\.logging\\.[a-z]+(\\.[a-z]+)+"), d.name());
            assertTrue(seen.add(d.name()), "twice: " + d.name());
            assertTrue(d.description().length() > 20, "described: " + d.name());
        }
        assertEquals("zenflow_logging_router_accepted_total", def(MetricNames.ROUTER_ACCEPTED).prometheusBase());
        assertEquals("zenflow_logging_buffer_memory_bytes", def(MetricNames.BUFFER_MEMORY).prometheusBase());
        assertEquals("zenflow_logging_kafka_sent_total", def(MetricNames.KAFKA_SENT).prometheusBase());
        assertEquals("zenflow_logging_cluster_entries_stored_total", def(MetricNames.CLUSTER_ENTRIES_STORED).prometheusBase());
        assertEquals("zenflow_logging_journal_fsync_last_seconds", def(MetricNames.JOURNAL_FSYNC_LAST).prometheusBase());
        assertEquals("zenflow_logging_stream_frames_sent_total", def(MetricNames.STREAM_FRAMES_SENT).prometheusBase());
        assertEquals(List.of("zenflow_logging_pipeline_latency_seconds", "zenflow_logging_pipeline_latency_seconds_count",
                        "zenflow_logging_pipeline_latency_seconds_sum", "zenflow_logging_pipeline_latency_seconds_max",
                        "zenflow_logging_pipeline_latency_seconds_bucket"),
                def(MetricNames.PIPELINE_LATENCY).prometheusSeries());
    }

    @Test
    void theDashboardParsesAndQueriesOnlyRealSeries() throws Exception {
        GrafanaDashboard g = GrafanaDashboard.load();
        assertEquals("zenflow-logging", g.root().getString("uid"));
        assertFalse(g.queries().isEmpty());
        Set<String> known = new HashSet<>(MetricNames.allPrometheusSeries());
        known.addAll(MetricNames.EXTERNAL_SERIES);
        Set<String> unknown = new TreeSet<>(g.seriesNames());
        unknown.removeAll(known);
        assertEquals(Set.of(), unknown, "dashboard queries series nobody produces");
        for (String q : g.queries()) {
            assertEquals(count(q, '('), count(q, ')'), "balanced parentheses: " + q);
            assertEquals(count(q, '{'), count(q, '}'), "balanced braces: " + q);
            if (q.contains("_bucket")) assertTrue(q.contains("histogram_quantile(") && q.contains("le"), "bucket query: " + q);
        }
    }

    @Test
    void everyModuleMetricIsOnTheDashboardAndInTheOperationsPage() throws Exception {
        Set<String> used = GrafanaDashboard.load().seriesNames();
        String page = Files.readString(Path.of("docs/operations.md"));
        Set<String> notOnDashboard = new TreeSet<>();
        Set<String> notDocumented = new TreeSet<>();
        for (MetricNames.Def d : MetricNames.CATALOG) { // cluster mode's too
            if (d.prometheusSeries().stream().noneMatch(used::contains)) notOnDashboard.add(d.name());
            if (!page.contains("`" + d.prometheusBase() + "`")) notDocumented.add(d.prometheusBase());
        }
        assertEquals(Set.of(), notOnDashboard, "module metrics missing from the dashboard");
        assertEquals(Set.of(), notDocumented, "module metrics missing from the table of docs/operations.md");
    }

    private static MetricNames.Def def(String name) {
        return MetricNames.def(name);
    }

    /**
     * Prometheus conventions: what only grows is a counter, never a gauge (names that say "sent",
     * "opened", "failed", "dropped", ... are counts); durations are seconds and sizes bytes, never
     * milli- or microseconds.
     */
    @Test
    void countsAreCountersAndUnitsAreBaseUnits() {
        for (MetricNames.Def d : MetricNames.CATALOG) {
            String n = d.name();
            if (d.kind() == MetricNames.Kind.GAUGE) {
                assertFalse(n.matches(".*\\.(sent|opened|failed|resent|dropped|rejected|skipped|appended|replayed|truncated|fsyncs|transitions|timeouts)(\\..*)?")
                        && !n.endsWith(".in.flight"), "a count exported as a gauge: " + n);
            }
            assertFalse(n.matches(".*\\.(millis|micros|nanos|ms|us|ns)$"), "not a base unit: " + n);
            if (d.unit() != null) assertTrue(Set.of("bytes", "seconds").contains(d.unit()), n + " unit " + d.unit());
        }
    }

    private static long count(String s, char c) {
        return s.chars().filter(x -> x == c).count();
    }
}
