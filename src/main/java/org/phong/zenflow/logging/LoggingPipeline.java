package org.phong.zenflow.logging;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.phong.zenflow.logging.config.SecuritySettings;
import org.phong.zenflow.logging.redact.Redactor;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;
import org.phong.zenflow.logging.buffer.BufferListener;
import org.phong.zenflow.logging.buffer.SequenceLookup;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.collector.DurableFollower;
import org.phong.zenflow.logging.collector.GlobalLogCollector;
import org.phong.zenflow.logging.stats.BacklogTrend;
import org.phong.zenflow.logging.collector.SinkStatus;
import org.phong.zenflow.logging.config.DegradationSettings;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.degradation.DegradationMonitor;
import org.phong.zenflow.logging.degradation.MemoryProbe;
import org.phong.zenflow.logging.journal.Journal;
import org.phong.zenflow.logging.journal.JournalFollower;
import org.phong.zenflow.logging.journal.JournalStats;
import org.phong.zenflow.logging.journal.JournalUsage;
import org.phong.zenflow.logging.journal.RecoveryReport;
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
 *
 * <p>With a journal ({@link Builder#journal}), every entry is appended to it right after its seq is
 * assigned, and the durable sinks follow the journal ({@link DurableFollower}); at {@link #start()} the
 * journal is recovered and each follower reads on from its saved position, so what a sink had not stored
 * before a restart reaches it first.
 */
public final class LoggingPipeline {
    private static final Logger LOG = Logger.getLogger(LoggingPipeline.class.getName());
    /** The durability high-water sweep runs this many times per cleanup-idle-after-ms. */
    private static final int SWEEPS_PER_IDLE_PERIOD = 4;
    /** The journal's fill and drain rates are sampled this often. */
    private static final long TREND_SAMPLE_MS = 1_000;

    private final LoggingSettings settings;
    private final Journal journal;
    private final List<JournalFollower> followers;
    /** With a journal: the durable sinks, each fed from the journal by its own follower (started in start()). */
    private final List<LogSink> durableSinks;
    private final List<DurableFollower> durableFollowers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Per run, each durable follower's highest stored seq (only with more than one durable follower). */
    private final Map<UUID, long[]> followerMarks = new java.util.concurrent.ConcurrentHashMap<>();
    private final BacklogTrend trend = new BacklogTrend();
    private final ThreadFactory threadFactory;
    private final PipelineObserver observer;
    private final Durability durability;
    private final DegradationMonitor degradation;
    private final Scheduler scheduler;
    private volatile boolean running;
    private final AdmissionControl admission;
    private final GlobalLogCollector collector;
    private final WorkflowBufferManager buffers;
    private final LogRouter router;
    /** Null when the observer samples nothing. */
    private final EndToEndTracker tracker;

    private LoggingPipeline(Builder b) {
        this.settings = b.settings;
        this.scheduler = b.scheduler;
        boolean journaled = b.journal != null && b.journal.enabled();
        this.threadFactory = b.threadFactory;
        this.observer = b.observer;
        // With a journal the durable sinks follow it (the journal is the backbone); without, the collector feeds them.
        this.durableSinks = journaled ? b.sinks.stream().filter(LogSink::isDurable).toList() : List.of();
        List<LogSink> collectorSinks = journaled ? b.sinks.stream().filter(s -> !s.isDurable()).toList() : b.sinks;
        // Non-durable sinks that read the journal themselves (Kafka): tracked, never waited for.
        this.followers = journaled ? b.sinks.stream().filter(s -> !s.isDurable() && s instanceof JournalFollower)
                .map(s -> (JournalFollower) s).toList() : List.of();
        Map<String, Long> shares = new HashMap<>();
        for (JournalFollower f : followers) shares.put(f.name(), f.journalMaxBytes());
        // A durable follower never skips: its share is the whole journal; the journal's budget bounds admission.
        for (LogSink d : durableSinks) shares.put(d.name(), Long.MAX_VALUE);
        java.util.Set<String> durableNames = new java.util.HashSet<>();
        for (LogSink d : durableSinks) durableNames.add(d.name());
        this.journal = journaled ? new Journal(b.journal, shares, durableNames, b.threadFactory, b.scheduler) : null;
        PipelineObserver o = b.observer;
        this.tracker = o.sampleEvery() > 0 ? new EndToEndTracker(o, System::nanoTime) : null;
        this.admission = new AdmissionControl(settings, b.scheduler, o);
        JournalPressure pressure = journal != null && !durableSinks.isEmpty() ? new JournalPressure(journal) : null;
        if (pressure != null) admission.pressure(pressure);
        this.collector = new GlobalLogCollector(collectorSinks, settings, b.executor, b.scheduler, this::released, o);
        this.buffers = new WorkflowBufferManager(settings, collector, b.scheduler, b.sequenceLookup, b.executor, o, tracker,
                journal, b.listener);
        this.router = new LogRouter(settings, admission, buffers, b.threadFactory, b.redactor, o);
        if (pressure != null) pressure.queued(() -> router.queueDepth() + buffers.parkedEntries());
        this.durability = new Durability(router, buffers, journal, b.scheduler, settings.cleanupIdleAfterMs());
        // Any durable sink counts, whether it follows the journal or the collector feeds it (journal off): durableSinks
        // holds only the followers, and keying on it left a journal-off pipeline keeping every released run's tombstone
        // and high-water mark for cleanup-idle-after-ms (+130% heap after 100,000 runs in the memory benchmark).
        if (b.lookupReadsDurableSinks && b.sinks.stream().anyMatch(LogSink::isDurable)) {
            durability.forgetWithBuffers();
            buffers.forgetPersistedRuns(durability::forgotten);
        }
        this.degradation = new DegradationMonitor(b.degradation, b.scheduler, b.memoryProbe, this::durableSinkFailing,
                () -> journal != null && !journal.available(), buffers, settings.ringBufferSize());
        router.sampler(degradation);
    }

    /**
     * The collector has handed a batch to every sink it feeds. Without durable followers that means every
     * durable sink has it; with them (journal mode) the batch is journaled and leaves "in flight": the durable
     * followers tell {@link #storedByFollower} when it is in the database.
     */
    private void released(List<LogEntry> batch) {
        if (batch.isEmpty()) return;
        boolean follows = !durableSinks.isEmpty();
        if (!follows) {
            LogEntry last = batch.get(batch.size() - 1);
            buffers.persisted(last.runId(), last.seq()); // before durability: it asks the buffers whether they still hold the run
            durability.persisted(batch);
        }
        // A batch holds one run's entries, so one workflow.
        admission.release(batch.get(0).workflowId(), batch.size());
        if (tracker != null && !follows) tracker.durable(batch);
    }

    /** A durable follower stored a batch (many runs, each ascending): persisted waits and latency samples. */
    private void storedByFollower(int follower, List<LogEntry> batch) {
        // Each run's last entry is its highest seq (runs ascend in a batch); consecutive entries of one run skip the map.
        Map<UUID, LogEntry> lastOfRun = new java.util.HashMap<>();
        LogEntry previous = null;
        for (LogEntry x : batch) {
            if (previous != null && !x.runId().equals(previous.runId())) lastOfRun.put(previous.runId(), previous);
            previous = x;
        }
        if (previous != null) lastOfRun.put(previous.runId(), previous);
        int n = durableSinks.size();
        for (Map.Entry<UUID, LogEntry> e : lastOfRun.entrySet()) {
            long seq = e.getValue().seq();
            if (n > 1) seq = slowestFollower(e.getKey(), follower, seq, n);
            if (seq > 0) {
                buffers.persisted(e.getKey(), seq);   // before durability: it asks the buffers whether they still hold the run
                durability.persistedUpTo(e.getKey(), seq);
            }
        }
        if (tracker != null && n == 1) {
            Map<UUID, List<LogEntry>> byRun = new java.util.LinkedHashMap<>();
            for (LogEntry x : batch) byRun.computeIfAbsent(x.runId(), k -> new java.util.ArrayList<>()).add(x);
            byRun.values().forEach(tracker::durable);
        }
    }

    /**
     * @return the run's highest seq every durable follower has stored, once more than one follows. A run's marks are
     * kept only while the followers disagree: once all have the same seq it is the reported minimum already, and a
     * later entry starts from zeros again, which reports nothing until every follower has it. (Kept for good, the
     * marks grew by one array per run ever written.) compute() makes each update and removal atomic per run.
     */
    private long slowestFollower(UUID run, int follower, long seq, int n) {
        long[] min = {Long.MAX_VALUE};
        followerMarks.compute(run, (k, marks) -> {
            long[] m = marks != null ? marks : new long[n];
            m[follower] = Math.max(m[follower], seq);
            long lo = Long.MAX_VALUE;
            long hi = Long.MIN_VALUE;
            for (long x : m) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            min[0] = lo;
            return lo == hi ? null : m;
        });
        return min[0];
    }

    /** @return runs whose durable followers disagree on the stored seq (for tests) */
    int followerMarkRuns() {
        return followerMarks.size();
    }

    private boolean durableSinkFailing() {
        for (SinkStatus s : sinkStatus()) if (s.durable() && !s.healthy()) return true;
        return false;
    }

    /** @return every sink's status: the collector's and the durable followers' */
    public List<SinkStatus> sinkStatus() {
        List<SinkStatus> out = new java.util.ArrayList<>(collector.status());
        for (DurableFollower f : durableFollowers) out.add(f.status(journal.estimatedEntries(f.backlogBytes())));
        return out;
    }

    /** @return names of the durable sinks, whether the collector or the journal feeds them */
    public List<String> durableSinkNames() {
        List<String> out = new java.util.ArrayList<>(collector.durableSinkNames());
        for (LogSink d : durableSinks) out.add(d.name());
        return out;
    }

    /** @return the durable followers (journal mode; empty otherwise) */
    public List<DurableFollower> durableFollowers() {
        return List.copyOf(durableFollowers);
    }

    /** @return the durable sinks' backlog in the journal and how long the journal can keep absorbing it */
    public BacklogOutlook outlook() {
        if (journal == null || durableFollowers.isEmpty()) return BacklogOutlook.NONE;
        long bytes = 0;
        long age = 0;
        for (DurableFollower f : durableFollowers) {
            bytes = Math.max(bytes, f.backlogBytes());
            age = Math.max(age, f.oldestPendingAgeMs());
        }
        JournalUsage u = journal.usage();
        long refuseAt = (long) (u.budgetBytes() * JournalPressure.REFUSE_FROM);
        return new BacklogOutlook(journal.estimatedEntries(bytes), bytes, age, trend.drainEntriesPerSec(), u.fraction(),
                u.usedBytes(), u.budgetBytes(), u.freeBytes(), trend.secondsUntilFull(refuseAt - u.usedBytes()),
                journal.overflowEntries());
    }

    /** @return the journal's fill and drain trend (sampled every second in journal mode) */
    public BacklogTrend backlogTrend() {
        return trend;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts the router workers and the idle sweeper. @return this */
    public LoggingPipeline start() {
        if (journal != null) {
            Map<UUID, Long> lastSeq = new HashMap<>();
            journal.recover((e, seq) -> lastSeq.merge(e.runId(), seq, Math::max));
            // A run found in the journal continues after its highest seq there (the database may
            // not have those entries yet, so its own lookup could answer lower).
            lastSeq.forEach(buffers::seedLastSeq);
            journal.onAvailabilityChange(degradation::evaluate);
            // Followers read from their own saved position, before any new entry is routed: what they had
            // not acknowledged before a restart comes first, in journal (so per-run seq) order.
            for (JournalFollower f : followers) {
                if (f.journalMaxBytes() + journal.settings().segmentBytes() > journal.settings().maxBytes()) {
                    LOG.warning("The journal share of " + f.name() + " (" + f.journalMaxBytes() + " bytes) plus one segment exceeds the "
                            + "journal's max-bytes (" + journal.settings().maxBytes() + "): a dead " + f.name() + " could fill the journal");
                }
                f.attach(journal.tail(f.name()));
            }
            for (LogSink d : durableSinks) {
                int index = durableFollowers.size();
                DurableFollower f = new DurableFollower(d, journal.tail(d.name()), settings.retryBackoffMs(),
                        settings.retryMaxBackoffMs(), threadFactory, observer, batch -> storedByFollower(index, batch));
                journal.onSynced(f::wake);
                durableFollowers.add(f);
            }
            journal.start();
            for (DurableFollower f : durableFollowers) f.start();
        }
        buffers.start();
        router.start();
        degradation.start();
        running = true;
        scheduleSweep();
        scheduleTrend();
        return this;
    }

    private void scheduleTrend() {
        if (!running || journal == null) return;
        scheduler.schedule(() -> {
            long written = 0;
            for (DurableFollower f : durableFollowers) written += f.written();
            trend.sample(scheduler.nowMillis(), journal.usage().usedBytes(), written);
            scheduleTrend();
        }, TREND_SAMPLE_MS);
    }

    private void scheduleSweep() {
        if (!running) return;
        scheduler.schedule(() -> {
            durability.sweep();
            scheduleSweep();
        }, Math.max(1, settings.cleanupIdleAfterMs() / SWEEPS_PER_IDLE_PERIOD));
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
        boolean drained = collector.awaitDrained(timeoutMs);
        for (DurableFollower f : durableFollowers) drained &= f.stop(timeoutMs);
        running = false;
        degradation.stop();
        // Followers get their bounded chance to acknowledge what they read, so their saved positions are current.
        for (JournalFollower f : followers) f.awaitCaughtUp();
        if (journal != null) journal.close();
        return drained;
    }

    /** @return the durability waits */
    public Durability durability() { return durability; }

    /** @return the journal, or null when the pipeline runs without one */
    public Journal journal() { return journal; }

    /** @return a snapshot of the journal (a disabled one without journal) */
    public JournalStats journalStats() {
        return journal == null ? JournalStats.disabled() : journal.stats();
    }

    /** @return what the journal found at startup (empty without journal) */
    public RecoveryReport recoveryReport() {
        return journal == null ? new RecoveryReport(0, 0, 0, 0, List.of(), null) : journal.recoveryReport();
    }

    /** @return the degradation state machine */
    public DegradationMonitor degradation() { return degradation; }

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
        private JournalSettings journal;
        private DegradationSettings degradation = DegradationSettings.defaults();
        private MemoryProbe memoryProbe = MemoryProbe.jvm();
        private BufferListener listener = BufferListener.NONE;
        private boolean lookupReadsDurableSinks;

        private Builder() {
        }

        /** @param v journal settings; null or enabled=false runs without a journal (the default) @return this */
        public Builder journal(JournalSettings v) { this.journal = v; return this; }

        /** @param v degradation settings (default: the defaults file) @return this */
        public Builder degradation(DegradationSettings v) { this.degradation = Objects.requireNonNull(v); return this; }

        /** @param v the heap probe (default: the JVM's; tests inject one) @return this */
        public Builder memoryProbe(MemoryProbe v) { this.memoryProbe = Objects.requireNonNull(v); return this; }

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

        /**
         * Declares that the sequence lookup reads what the durable sinks wrote (the database), so a
         * completed run whose entries are all written needs no memory here (no tombstone, no
         * persisted mark). Off by default: a lookup that does not read the sinks needs the tombstones.
         *
         * @param v true when the lookup reads the durable sinks @return this
         */
        public Builder lookupReadsDurableSinks(boolean v) { this.lookupReadsDurableSinks = v; return this; }

        /** @param v masks secrets before any sink ({@link Redactor#NONE}: none) @return this */
        public Builder redactor(Redactor v) { this.redactor = Objects.requireNonNull(v, "redactor"); return this; }
        /** @param v hears what the pipeline does (metrics); optional, {@link PipelineObserver#NONE} by default @return this */
        public Builder observer(PipelineObserver v) { this.observer = Objects.requireNonNull(v, "observer"); return this; }
        /**
         * Optional: told of each entry the moment it gets its seq, before batching (the live tail).
         *
         * @param v must not block (see {@link BufferListener}) @return this
         */
        public Builder listener(BufferListener v) { this.listener = Objects.requireNonNull(v, "listener"); return this; }

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
