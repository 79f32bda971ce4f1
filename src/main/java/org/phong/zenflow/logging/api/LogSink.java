package org.phong.zenflow.logging.api;

import java.util.List;

/**
 * A destination for batches of sequenced log entries: the module's plugin interface. The
 * {@code GlobalLogCollector} gives every sink its own queue and its own thread of control, so a
 * slow or failing sink never blocks the others or the router.
 *
 * <p>A <em>durable</em> sink (PostgreSQL) is retried with backoff until it succeeds, and the
 * module counts an entry as safe only when every durable sink has taken it. A non-durable sink
 * (a live view) gets each batch once; a failure is counted, not retried.
 *
 * <p>Implementations are discovered through CDI ({@code @ApplicationScoped} beans implementing
 * this interface) or passed to the collector directly when the core is built in plain Java.
 */
public interface LogSink {

    /**
     * Writes a batch. Entries of one run arrive in ascending {@code seq}; a batch may hold several
     * runs. Must be idempotent on {@code (runId, seq)} for durable sinks, since a batch whose
     * outcome was unknown (a timeout) is written again.
     *
     * @param entries the batch, never empty; the list must not be kept after return
     * @throws Exception when the batch was not (or not surely) written
     */
    void process(List<LogEntry> entries) throws Exception;

    /**
     * Writes a batch, with what the pipeline knows about it: the collector calls this one. The default writes
     * {@link SinkBatch#entries()} through {@link #process(List)}, so most sinks implement only that; a sink that
     * reads the write-ahead journal instead (Kafka) overrides this to learn of the entries it will not find there.
     * Same contract as {@link #process(List)}.
     *
     * @param batch the batch, never empty
     * @throws Exception when the batch was not (or not surely) written
     */
    default void process(SinkBatch batch) throws Exception {
        process(batch.entries());
    }

    /** @return a short stable name for metrics, health and logs (e.g. {@code postgresql}) */
    String name();

    /** @return false when the sink knows it cannot currently write (e.g. its circuit is open) */
    boolean isHealthy();

    /** @return true when the module must not consider an entry safe before this sink has it */
    default boolean isDurable() {
        return false;
    }

    /**
     * @return true when {@link #process} only hands the batch to the sink's own bounded queue: it never
     *         blocks, never throws, and is safe to call from several threads at once. The collector then
     *         calls it directly on the thread that flushed the batch (a run's batches still arrive in seq
     *         order) instead of through a queue and drain of its own, so the sink's bound is the only one and
     *         a burst is never dropped in front of it. Non-durable sinks only.
     */
    default boolean acceptsInline() {
        return false;
    }

    /** @return the most entries this sink wants in one {@link #process} call */
    default int maxBatchEntries() {
        return Integer.MAX_VALUE;
    }
}
