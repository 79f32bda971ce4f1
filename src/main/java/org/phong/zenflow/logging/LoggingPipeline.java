package org.phong.zenflow.logging;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.phong.zenflow.logging.config.SecuritySettings;
import org.phong.zenflow.logging.redact.Redactor;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.buffer.SequenceLookup;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.collector.GlobalLogCollector;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.router.AdmissionControl;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.stats.EndToEndTracker;
import org.phong.zenflow.logging.stats.PipelineObserver;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * The core, assembled in plain Java: {@code LogRouter -> WorkflowBufferManager -> GlobalLogCollector -> sinks}.
 * The CDI layer, the benchmarks and the tests all build it here, from a few container-independent
 * parts: settings, sinks, a scheduler (clock + timers), an executor and a thread factory.
 *
 * <p>Data flows one way; the only thing that flows back is the collector telling admission control
 * that a batch is safe in every durable sink, which frees its place in flight.
 */
public final class LoggingPipeline {
    private final LoggingSettings settings;
    private final AdmissionControl admission;
    private final GlobalLogCollector collector;
    private final WorkflowBufferManager buffers;
    private final LogRouter router;
    /** Null when the observer samples nothing. */
    private final EndToEndTracker tracker;

    private LoggingPipeline(Builder b) {
        this.settings = b.settings;
        PipelineObserver o = b.observer;
        this.tracker = o.sampleEvery() > 0 ? new EndToEndTracker(o, System::nanoTime) : null;
        this.admission = new AdmissionControl(settings, b.scheduler, o);
        this.collector = new GlobalLogCollector(b.sinks, settings, b.executor, b.scheduler, this::released, o);
        this.buffers = new WorkflowBufferManager(settings, collector, b.scheduler, b.sequenceLookup, b.executor, o, tracker);
        this.router = new LogRouter(settings, admission, buffers, b.threadFactory, b.redactor, o);
    }

    private void released(List<LogEntry> batch) {
        // A batch holds one run's entries, so one workflow.
        admission.release(batch.get(0).workflowId(), batch.size());
        if (tracker != null) tracker.durable(batch);
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts the router workers and the idle sweeper. @return this */
    public LoggingPipeline start() {
        buffers.start();
        router.start();
        return this;
    }

    /**
     * Stops taking entries, flushes every run, and waits for the durable sinks to write what they hold.
     *
     * @param timeoutMs how long each stage may take
     * @return true when everything accepted reached the durable sinks
     */
    public boolean shutdown(long timeoutMs) {
        router.shutdown(timeoutMs);
        buffers.stop();
        return collector.awaitDrained(timeoutMs);
    }

    /** @return the router, the engine's entry point */
    public LogRouter router() { return router; }

    /** @return the run buffers */
    public WorkflowBufferManager buffers() { return buffers; }

    /** @return the collector */
    public GlobalLogCollector collector() { return collector; }

    /** @return admission control */
    public AdmissionControl admission() { return admission; }

    /** @return the settings in force */
    public LoggingSettings settings() { return settings; }

    /** Collects the parts; every one is required except the observer. */
    public static final class Builder {
        private LoggingSettings settings;
        private List<LogSink> sinks;
        private Scheduler scheduler;
        private Executor executor;
        private ThreadFactory threadFactory;
        private SequenceLookup sequenceLookup;
        /** On by default, with the defaults file's rules: a pipeline never stores a secret by omission. */
        private Redactor redactor = Redactor.from(SecuritySettings.defaults());
        private PipelineObserver observer = PipelineObserver.NONE;

        private Builder() {
        }

        /** @param v validated settings @return this */
        public Builder settings(LoggingSettings v) { this.settings = v; return this; }

        /** @param v every sink @return this */
        public Builder sinks(List<LogSink> v) { this.sinks = List.copyOf(v); return this; }

        /** @param v the shared clock and timer @return this */
        public Builder scheduler(Scheduler v) { this.scheduler = v; return this; }

        /** @param v runs sink drains and seq lookups @return this */
        public Builder executor(Executor v) { this.executor = v; return this; }

        /** @param v makes the router worker threads @return this */
        public Builder threadFactory(ThreadFactory v) { this.threadFactory = v; return this; }

        /** @param v last seq of runs not held in memory @return this */
        public Builder sequenceLookup(SequenceLookup v) { this.sequenceLookup = v; return this; }

        /** @param v masks secrets before any sink ({@link Redactor#NONE}: none) @return this */
        public Builder redactor(Redactor v) { this.redactor = Objects.requireNonNull(v, "redactor"); return this; }
        /** @param v hears what the pipeline does (metrics); optional, {@link PipelineObserver#NONE} by default @return this */
        public Builder observer(PipelineObserver v) { this.observer = Objects.requireNonNull(v, "observer"); return this; }

        /** @return the assembled, not yet started, pipeline */
        public LoggingPipeline build() {
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(sinks, "sinks");
            Objects.requireNonNull(scheduler, "scheduler");
            Objects.requireNonNull(executor, "executor");
            Objects.requireNonNull(threadFactory, "threadFactory");
            Objects.requireNonNull(sequenceLookup, "sequenceLookup");
            return new LoggingPipeline(this);
        }
    }
}
