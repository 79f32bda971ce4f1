package org.phong.zenflow.logging.bench;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.buffer.BufferListener;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.config.ObservabilitySettings;
import org.phong.zenflow.logging.config.SecuritySettings;
import org.phong.zenflow.logging.redact.Redactor;
import org.phong.zenflow.logging.sink.postgres.PostgresLogReader;
import org.phong.zenflow.logging.sink.postgres.PostgresLogSink;
import org.phong.zenflow.logging.time.ExecutorScheduler;

/**
 * The pipeline as {@code cdi.LoggingModule} builds it in the server, with plain-Java stand-ins for
 * Liberty's parts (and the server's default redaction of secrets): one shared scheduled executor (the managed scheduled executor), a small fixed pool
 * (the managed executor: sink drains, seq lookups and the sink's parallel COPY parts), daemon router threads (the
 * managed thread factory), the real {@link PostgresLogSink} over the pool, the real seq lookup. The executors are
 * fixed-size so the thread count is a property of the pipeline, not of a growing pool.
 */
final class BenchPipeline implements AutoCloseable {
    /** Threads of the stand-in for Liberty's managed executor. */
    static final int EXECUTOR_THREADS = 4;
    private static final long SHUTDOWN_MS = 120_000;

    final LoggingPipeline pipeline;
    final PostgresLogSink sink;
    /** The same sink, timed (busy share, rows per call): the pipeline writes through this. */
    final TimedSink timed;
    final ScheduledExecutorService timer;
    final ExecutorService executor;

    BenchPipeline(DataSource ds, LoggingSettings settings, PipelineVariant variant) {
        this(ds, settings, variant, BufferListener.NONE);
    }

    /** @param listener told of every sequenced entry, as the server's live tail ({@code StreamHub}) is */
    BenchPipeline(DataSource ds, LoggingSettings settings, PipelineVariant variant, BufferListener listener) {
        // As the server's: Liberty's scheduled executor takes a cancelled task out of its queue at once
        // (its SchedulingHelper.cancel removes itself), the JDK's keeps it until its delay passes unless told.
        // Without this, every run completed within max-delay-ms leaves its cancelled flush timer on the heap.
        java.util.concurrent.ScheduledThreadPoolExecutor t = new java.util.concurrent.ScheduledThreadPoolExecutor(1, daemon("bench-timer"));
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        this.executor = Executors.newFixedThreadPool(EXECUTOR_THREADS, daemon("bench-executor"));
        this.sink = new PostgresLogSink(ds, settings, executor); // parts of a deep backlog's batch: copy-connections
        this.timed = new TimedSink(sink);
        PostgresLogReader reader = new PostgresLogReader(ds);
        LoggingPipeline.Builder b = LoggingPipeline.builder()
                .settings(settings)
                .sinks(List.of(timed))
                .scheduler(new ExecutorScheduler(timer))
                .executor(executor)
                .threadFactory(daemon("bench-router"))
                .redactor(Redactor.from(SecuritySettings.defaults())) // as the server: secrets masked on the worker
                .observer(new BenchObserver(ObservabilitySettings.defaults().routeSampleEvery())) // as the server's metrics
                .sequenceLookup(reader::lastSeq)
                .lookupReadsDurableSinks(true)
                .listener(listener);
        this.pipeline = variant.customize().apply(b).build().start();
    }

    /** Waits until nothing is in flight (every accepted entry committed) or the timeout. */
    boolean awaitIdle(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        pipeline.router().barrier().join();
        while (pipeline.admission().inFlight() > 0 || pipeline.buffers().bufferedEntries() > 0) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(10);
        }
        return true;
    }

    /** Drains and stops, as a server stop does. @return true when everything accepted was written */
    boolean shutdown() {
        boolean drained = pipeline.shutdown(SHUTDOWN_MS);
        timer.shutdownNow();
        executor.shutdownNow();
        return drained;
    }

    @Override
    public void close() {
        if (!timer.isShutdown()) shutdown();
    }

    static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
