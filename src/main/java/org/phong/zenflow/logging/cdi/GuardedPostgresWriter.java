package org.phong.zenflow.logging.cdi;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.temporal.ChronoUnit;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.sink.postgres.PostgresLogSink;
import org.phong.zenflow.logging.sink.postgres.RejectionStats;

/**
 * The PostgreSQL sink as the server runs it: the plain {@link PostgresLogSink} behind MicroProfile
 * Fault Tolerance. Every figure of the annotations is bound to a module key in
 * microprofile-config.properties ({@code .../GuardedPostgresWriter/process/Retry/maxRetries=${...retry-attempts}}),
 * so the values below are only the spec's fallbacks.
 *
 * <p>Layers: {@code @Timeout} bounds one batch (when copy-connections splits it, its parts are written at once on
 * this thread and the managed executor, and all finish before the call returns, the timeout's interrupt
 * notwithstanding); {@code @Retry} retries a failed batch a few times with jittered delay; {@code @CircuitBreaker}
 * opens after failure-threshold consecutive failures and fails fast for recovery-time-ms. Above them the collector's
 * channel retries the batch with exponential backoff, forever: a durable sink never drops a batch.
 */
@ApplicationScoped
public class GuardedPostgresWriter implements LogSink {
    @Resource(lookup = "jdbc/zenflowLogs")
    DataSource dataSource;

    /** Writes the other parts of a batch split over copy-connections (the pipeline's managed executor). */
    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    @Inject
    LoggingSettings settings;

    @Inject
    SchemaState schema;

    private volatile PostgresLogSink delegate;

    private PostgresLogSink delegate() {
        PostgresLogSink d = delegate;
        if (d == null) {
            synchronized (this) {
                if (delegate == null) delegate = new PostgresLogSink(dataSource, settings, executor);
                d = delegate;
            }
        }
        return d;
    }

    @Override
    @Timeout(value = 5000, unit = ChronoUnit.MILLIS)
    @Retry(maxRetries = 3, delay = 1000, delayUnit = ChronoUnit.MILLIS, jitter = 200, retryOn = Exception.class,
            abortOn = CircuitBreakerOpenException.class) // an open circuit goes straight back to the channel's backoff
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 1.0, delay = 30000, delayUnit = ChronoUnit.MILLIS)
    public void process(List<LogEntry> entries) throws Exception {
        schema.requireReady();
        delegate().process(entries);
    }

    /** @return batches the sink wrote as several parts on several connections at once, since start */
    public long parallelBatches() {
        PostgresLogSink d = delegate;
        return d == null ? 0 : d.parallelBatches();
    }

    /** @return what the sink's dead-letter path did since start ({@code logs_rejected}) */
    public RejectionStats rejections() {
        PostgresLogSink d = delegate;
        return d == null ? RejectionStats.NONE : d.rejections();
    }

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public boolean isHealthy() {
        return schema.isReady() && delegate().isHealthy();
    }

    @Override
    public boolean isDurable() {
        return true;
    }

    @Override
    public int maxBatchEntries() {
        return settings.copyMaxRows();
    }
}
