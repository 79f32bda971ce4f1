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
import org.phong.zenflow.logging.cdi.GuardedPostgresWriter;
import org.phong.zenflow.logging.sink.postgres.RejectionStats;

/**
 * The PostgreSQL sink's dead-letter metrics ({@code zenflow.logging.postgresql.*}, application
 * scope), gauges over {@link GuardedPostgresWriter#rejections()} read at scrape time, and the count of
 * batches written on several connections ({@link GuardedPostgresWriter#parallelBatches()}). Cumulative
 * since start, like the Kafka sink's counters-as-gauges; alert on any increase of
 * {@code zenflow_logging_postgresql_rejected}: each is an entry in {@code logs_rejected}, not in
 * {@code logs}.
 */
@ApplicationScoped
public class PostgresSinkMetrics {
    /** Entries written to logs_rejected since start. */
    public static final String REJECTED = "zenflow.logging.postgresql.rejected";
    /** Batches split to isolate refused entries since start. */
    public static final String ISOLATED_BATCHES = "zenflow.logging.postgresql.isolated.batches";
    /** Epoch seconds of the last rejection, 0 when none since start. */
    public static final String LAST_REJECTED = "zenflow.logging.postgresql.last.rejected";
    /** Batches written as several parts on several connections at once (copy-connections) since start. */
    public static final String PARALLEL_BATCHES = "zenflow.logging.postgresql.parallel.batches";

    @Inject
    MetricRegistry registry;

    @Inject
    GuardedPostgresWriter writer;

    /** Registers with the application, after the pipeline (LoggingModule observes at the default priority). */
    void register(@Observes @Priority(CatalogMetrics.AFTER_PIPELINE) @Initialized(ApplicationScoped.class) Object ignored) {
        gauge(REJECTED, "Entries PostgreSQL refused for their content and the sink moved to logs_rejected since start"
                + " (each is missing from logs; see docs/durability.md)", RejectionStats::rejected);
        gauge(ISOLATED_BATCHES, "Batches refused for the content of some entries and split to isolate them since start",
                RejectionStats::isolatedBatches);
        gauge(LAST_REJECTED, "Epoch seconds of the last entry moved to logs_rejected (0: none since start)",
                r -> r.lastRejectedAt() == null ? 0 : r.lastRejectedAt().getEpochSecond());
        registry.gauge(Metadata.builder().withName(PARALLEL_BATCHES).withDescription("Batches of a deep backlog the sink split"
                        + " by run and wrote on several connections at once (copy-connections) since start").build(), this,
                (Function<PostgresSinkMetrics, Long>) m -> m.writer.parallelBatches());
    }

    private void gauge(String name, String description, ToLongFunction<RejectionStats> f) {
        registry.gauge(Metadata.builder().withName(name).withDescription(description).build(), this,
                (Function<PostgresSinkMetrics, Long>) m -> f.applyAsLong(m.writer.rejections()));
    }
}
