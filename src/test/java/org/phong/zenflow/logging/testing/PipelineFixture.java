package org.phong.zenflow.logging.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.time.ExecutorScheduler;

/**
 * The plain-Java pipeline as unit tests build it, in one place: a timer thread and a 4-thread
 * executor of its own, plain worker threads, no stored seqs ({@code sequenceLookup} answers 0), and
 * every pipeline it started shut down by {@link #close()} (call it from {@code @AfterEach}). A test
 * changes what it needs on the {@link #builder} before {@link #start(LoggingPipeline.Builder)}.
 */
public final class PipelineFixture implements AutoCloseable {
    private static final long SHUTDOWN_MS = 1000;
    private static final long TERMINATION_S = 5;
    private static final int EXECUTOR_THREADS = 4;

    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
    private final ExecutorService executor = Executors.newFixedThreadPool(EXECUTOR_THREADS);
    private final List<LoggingPipeline> started = new ArrayList<>();

    /** @return the timer thread the pipelines' scheduler runs on */
    public ScheduledExecutorService timer() {
        return timer;
    }

    /** @return the executor the pipelines' sink drains run on */
    public ExecutorService executor() {
        return executor;
    }

    /** @return a builder with these settings and sinks and the fixture's defaults, not built yet */
    public LoggingPipeline.Builder builder(LoggingSettings settings, List<? extends LogSink> sinks) {
        return LoggingPipeline.builder().settings(settings).sinks(List.<LogSink>copyOf(sinks))
                .scheduler(new ExecutorScheduler(timer)).executor(executor).threadFactory(Thread::new)
                .sequenceLookup(run -> 0);
    }

    /** @return a started pipeline with these settings and sinks, shut down by {@link #close()} */
    public LoggingPipeline start(LoggingSettings settings, LogSink... sinks) {
        return start(builder(settings, List.of(sinks)));
    }

    /** @return the pipeline {@code b} builds, started, and shut down by {@link #close()} */
    public LoggingPipeline start(LoggingPipeline.Builder b) {
        LoggingPipeline p = b.build();
        started.add(p);
        return p.start();
    }

    /** Leaves {@code p} alone at {@link #close()} (a test that crashed it on purpose). */
    public void forget(LoggingPipeline p) {
        started.remove(p);
    }

    /** Shuts down every pipeline started here, then the timer and the executor. */
    @Override
    public void close() throws InterruptedException {
        for (LoggingPipeline p : started) p.shutdown(SHUTDOWN_MS);
        started.clear();
        executor.shutdownNow();
        timer.shutdownNow();
        if (!executor.awaitTermination(TERMINATION_S, TimeUnit.SECONDS)) {
            throw new IllegalStateException("sink drains still running " + TERMINATION_S + " s after shutdown");
        }
    }
}
