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
import org.phong.zenflow.logging.cdi.RunsTableWiring;
import org.phong.zenflow.logging.sink.postgres.RetentionMaintainer;

/**
 * Retention's and the runs table's metrics ({@code zenflow.logging.retention.*},
 * {@code zenflow.logging.runs.*}): gauges over this node's counters since start (monotonic, like the
 * journal's), read at scrape time. Summed over nodes, {@code retention.partitions.dropped} is the
 * cluster's total; {@code retention.skipped} counts passes another node was doing.
 */
@ApplicationScoped
public class RetentionMetrics {
    @Inject
    MetricRegistry registry;

    @Inject
    RunsTableWiring runs;

    /** Registers after the pipeline (and so the retention maintainer) is built. */
    void register(@Observes @Priority(CatalogMetrics.AFTER_PIPELINE) @Initialized(ApplicationScoped.class) Object ignored) {
        if (runs.retentionOrNull() == null) return;
        retention("partitions.dropped", "Partitions of logs (and logs_rejected) this node detached and dropped since start",
                RetentionMaintainer::partitionsDropped);
        retention("rows.deleted", "Rows this node deleted from retained tables that are not partitioned since start",
                RetentionMaintainer::rowsDeleted);
        retention("runs.deleted", "Rows of the runs table this node deleted for retention since start",
                RetentionMaintainer::runsDeleted);
        retention("passes", "Retention passes this node ran (it held the advisory lock) since start",
                RetentionMaintainer::passes);
        retention("skipped", "Retention passes this node skipped because another node held the lock",
                RetentionMaintainer::skippedPasses);
        retention("failures", "Retention passes that failed part-way (retried next period)",
                RetentionMaintainer::failedPasses);
        registry.gauge(Metadata.builder().withName("zenflow.logging.runs.events.pending")
                        .withDescription("Run start/end events waiting to be written to the runs table").build(),
                runs, (Function<RunsTableWiring, Long>) w -> (long) w.events().pendingCount());
        registry.gauge(Metadata.builder().withName("zenflow.logging.runs.events.written")
                        .withDescription("Run start/end events written to the runs table since start").build(),
                runs, (Function<RunsTableWiring, Long>) w -> w.events().written());
    }

    private void retention(String thing, String description, ToLongFunction<RetentionMaintainer> f) {
        registry.gauge(Metadata.builder().withName("zenflow.logging.retention." + thing).withDescription(description).build(),
                runs, (Function<RunsTableWiring, Long>) w -> {
                    RetentionMaintainer m = w.retentionOrNull();
                    return m == null ? 0L : f.applyAsLong(m);
                });
    }
}
