package org.phong.zenflow.logging.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.router.Forwarder;
import org.phong.zenflow.logging.sink.kafka.ConsumerFactory;
import org.phong.zenflow.logging.sink.postgres.PartitionMaintainer;
import org.phong.zenflow.logging.sink.postgres.RunsTableWriter;
import org.phong.zenflow.logging.time.MonotonicClock;
import org.phong.zenflow.logging.time.Sleeper;

/**
 * One node of cluster mode, in plain Java: the {@link IngestProducer} every entry point of this node
 * produces to (it is the router's {@link Forwarder}), the {@link PartitionOwnerLoop} that stores what the
 * consumer group assigns this node, and the {@link OutputPublisher} that loop hands each commit to. The
 * CDI layer builds one with {@link #builder()} and starts it in place of the single-node pipeline; tests
 * build several in one JVM.
 *
 * <p><b>Lifecycle.</b> {@link #start} opens both producers, starts the loop on one thread of the given
 * factory and waits (bounded by the builder's {@code readyTimeout}) until the producer knows the ingest
 * topic's partitions; a node whose brokers are not reachable yet still starts: it refuses records (the
 * router answers REJECTED) and reports the producer as refused until they are. {@link #close} stops
 * taking records, flushes and closes the ingest producer (what it took gets its acknowledgement or its
 * failure), then stops the loop after its write in progress (the consumer leaves the group: the others
 * rebalance at once) and closes the publisher (what the loop published last is sent).
 *
 * <p><b>Producer readiness</b> ({@link Status#producerReady}): false while the ingest topic's metadata is
 * unknown (checked once per {@link #status} call, bounded by the producer's {@code max.block.ms}), and
 * while the last outcome of a record was a refusal or a failed delivery less than
 * {@value #TROUBLE_WINDOW_MS} ms ago with no acknowledgement since. The window makes the verdict recover
 * without traffic, which a load balancer that stopped sending traffic to an unready node would never
 * bring.
 *
 * <p>Time: a monotonic clock for the readiness window and the loop, a wall clock for the times of run
 * starts and ends, both injected. No static state.
 */
public final class ClusterNode implements Forwarder, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterNode.class.getName());
    /** How long a refusal or failed delivery keeps the producer reported as refused (unless a record is acknowledged). */
    public static final long TROUBLE_WINDOW_MS = 10_000;
    /** How long {@link #close()} lets buffered ingest records be acknowledged. */
    public static final long CLOSE_TIMEOUT_MS = 5_000;

    /**
     * What health and metrics read.
     *
     * @param node          this node's name in the ledger
     * @param started       {@link #start} ran
     * @param closed        {@link #close} ran
     * @param producerReady see the class comment
     * @param producerState "ready", "metadata unknown" or "refused"
     * @param producer      the ingest producer's counters
     * @param loop          the owner loop's counters (its running flag and last error included)
     * @param output        the output publisher's counters
     */
    public record Status(String node, boolean started, boolean closed, boolean producerReady, String producerState,
                         IngestProducer.Stats producer, PartitionOwnerLoop.Stats loop, OutputPublisher.Stats output) {
        /** @return true when the loop thread is gone while the node should run (it consumes nothing more) */
        public boolean loopDied() {
            return started && !closed && !loop.running();
        }

        /** @return what keeps this node from being ready, in operator words (empty: ready) */
        public List<String> problems() {
            List<String> out = new ArrayList<>();
            if (!started) out.add("cluster node not started");
            if (closed) out.add("cluster node stopped");
            if (loopDied()) out.add("the partition owner loop has stopped, so this node stores nothing (its partitions move to other "
                    + "nodes once the group evicts it): see the server log and restart the server");
            if (started && !closed && !producerReady) out.add("the ingest producer cannot hand records to Kafka (" + producerState
                    + "): check that the brokers of zenflow.logging.kafka.producer.bootstrap.servers are reachable and the ingest topic exists");
            return out;
        }
    }

    private final Builder b;
    private final String node;
    private volatile IngestProducer producer;
    private volatile OutputPublisher publisher;
    private volatile PartitionOwnerLoop loop;
    private volatile boolean metadataReady;
    private volatile boolean closed;
    /** Monotonic ms of the last acknowledgement and of the last refusal or failed delivery; Long.MIN_VALUE: never. */
    private volatile long lastAckAt = Long.MIN_VALUE;
    private volatile long lastTroubleAt = Long.MIN_VALUE;
    private volatile String lastTrouble = "";

    private ClusterNode(Builder b) {
        this.b = b;
        this.node = b.node;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return this node's name (ledger owner, runs table owner, consumer client id) */
    public String node() {
        return node;
    }

    /**
     * Opens the producers, starts the owner loop, waits up to the ready timeout for the ingest topic's
     * metadata. Once only.
     *
     * @return this
     * @throws InterruptedException when interrupted while waiting for the metadata (the node is started)
     */
    public synchronized ClusterNode start() throws InterruptedException {
        if (producer != null) throw new IllegalStateException("already started");
        producer = b.producers.ingest(b.ingestTopic, b.producerProperties("zenflow-ingest-"));
        publisher = b.producers.output(b.outputTopic, b.producerProperties("zenflow-output-"));
        PartitionOwnerLoop.Options o = PartitionOwnerLoop.Options.defaults(b.ingestTopic, node)
                .withPollTimeout(Duration.ofMillis(b.pollMs)).withRetryBackoff(b.retryBackoffMs, b.retryMaxBackoffMs);
        loop = new PartitionOwnerLoop(o, b.consumerProperties(), ConsumerFactory.kafka(), new PartitionLedger(b.dataSource),
                new FencedPartitionWriter(b.dataSource, new PartitionMaintainer(b.dataSource), new RunsTableWriter(node)), publisher,
                b.sleeper, b.nowMillis);
        loop.start(b.threads);
        metadataReady = producer.awaitReady(b.readyTimeout);
        if (!metadataReady) {
            LOG.warning("cluster node " + node + ": the ingest topic " + b.ingestTopic + " is not known to the producer after "
                    + b.readyTimeout.toMillis() + " ms (brokers unreachable, or the topic missing); records are refused until it is");
        }
        LOG.info("cluster node " + node + " started: ingest topic " + b.ingestTopic + ", output topic " + b.outputTopic + ", group "
                + b.groupId + ", brokers " + b.clientProperties.get("bootstrap.servers"));
        return this;
    }

    // ------------------------------------------------------------------ Forwarder: the router's destination

    @Override
    public CompletionStage<?> entry(LogEntry redacted) throws Refused {
        return send(new IngestRecord.Entry(redacted));
    }

    @Override
    public CompletionStage<?> started(WorkflowRunStarted event) throws Refused {
        return send(new IngestRecord.Started(event.workflowId(), event.runId(), b.wallClock.get()));
    }

    @Override
    public CompletionStage<?> ended(WorkflowRunCompleted event) throws Refused {
        return send(new IngestRecord.Ended(event.runId(), event.outcome(), b.wallClock.get()));
    }

    private CompletionStage<RecordMetadata> send(IngestRecord r) throws Refused {
        IngestProducer p = producer;
        if (p == null || closed) throw new Refused("cluster node " + node + " is " + (closed ? "stopped" : "not started"), null);
        try {
            return p.send(r).whenComplete((md, ex) -> {
                if (ex == null) {
                    lastAckAt = b.nowMillis.getAsLong();
                } else {
                    trouble(ex);
                }
            });
        } catch (IngestRefusedException e) {
            trouble(e.getCause() != null ? e.getCause() : e);
            throw new Refused(e.getMessage(), e);
        }
    }

    private void trouble(Throwable why) {
        lastTrouble = why.getClass().getSimpleName();
        lastTroubleAt = b.nowMillis.getAsLong();
    }

    // ------------------------------------------------------------------ what health and metrics read

    /**
     * @return the node's state now (thread-safe); while the ingest topic's metadata is unknown, checks it
     *         once first (bounded by the producer's {@code max.block.ms}): what readiness calls
     */
    public Status status() {
        IngestProducer p = producer;
        if (p != null && !metadataReady && !closed) {
            try {
                metadataReady = p.awaitReady(Duration.ZERO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return snapshot();
    }

    /** @return the node's state as last known, without any check (thread-safe, never waits): what metrics read */
    public Status snapshot() {
        IngestProducer p = producer;
        PartitionOwnerLoop l = loop;
        OutputPublisher o = publisher;
        boolean started = p != null;
        long now = b.nowMillis.getAsLong();
        long trouble = lastTroubleAt;
        boolean troubled = trouble != Long.MIN_VALUE && (lastAckAt == Long.MIN_VALUE || trouble - lastAckAt > 0)
                && now - trouble < TROUBLE_WINDOW_MS;
        String state = !metadataReady ? "metadata unknown" : troubled ? "refused (" + lastTrouble + ")" : "ready";
        return new Status(node, started, closed, started && metadataReady && !troubled, state,
                p == null ? new IngestProducer.Stats(0, 0, 0) : p.stats(),
                l == null ? new PartitionOwnerLoop.Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, null) : l.stats(),
                o == null ? new OutputPublisher.Stats(0, 0) : o.stats());
    }

    /** @return the partitions this node owns now */
    public java.util.Set<Integer> ownedPartitions() {
        PartitionOwnerLoop l = loop;
        return l == null ? java.util.Set.of() : l.ownedPartitions();
    }

    // ------------------------------------------------------------------ stop

    /**
     * Stops cleanly: no more records taken; the ingest producer flushes what it took (up to
     * {@value #CLOSE_TIMEOUT_MS} ms, what is left then fails: its waiters see the failure); the loop
     * stops after its write in progress and leaves the group; the publisher sends what it holds.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        IngestProducer p = producer;
        if (p != null) p.close(Duration.ofMillis(CLOSE_TIMEOUT_MS));
        PartitionOwnerLoop l = loop;
        if (l != null) l.close();
        OutputPublisher o = publisher;
        if (o != null) o.close();
        LOG.info("cluster node " + node + " stopped");
    }

    /**
     * What a crash does, as far as one JVM can imitate it (tests): the ingest producer drops what it has
     * not sent (its waiters see a failure), the loop is interrupted after at most {@code loopWait}, the
     * publisher drops what it holds. Whether the consumer tells the group it leaves is up to its
     * properties ({@code internal.leave.group.on.close=false}: it does not, and the group waits for the
     * session timeout as it would after a crash).
     *
     * @param loopWait how long the loop may take to stop before it is interrupted
     */
    synchronized void halt(Duration loopWait) {
        closed = true;
        IngestProducer p = producer;
        if (p != null) p.close(Duration.ZERO);
        PartitionOwnerLoop l = loop;
        if (l != null) l.close(loopWait);
        OutputPublisher o = publisher;
        if (o != null) o.close(Duration.ZERO);
    }

    /** Makes the producers (tests may wrap them). */
    public interface Producers {
        /** @return the ingest producer of {@code topic} on {@code properties} */
        IngestProducer ingest(String topic, Map<String, Object> properties);

        /** @return the output publisher of {@code topic} on {@code properties} */
        OutputPublisher output(String topic, Map<String, Object> properties);

        /** The real ones: {@link IngestProducer#create}, {@link OutputPublisher#create}. */
        Producers KAFKA = new Producers() {
            @Override
            public IngestProducer ingest(String topic, Map<String, Object> properties) {
                return IngestProducer.create(topic, properties);
            }

            @Override
            public OutputPublisher output(String topic, Map<String, Object> properties) {
                return OutputPublisher.create(topic, properties);
            }
        };
    }

    /** Collects the parts; every one is required unless it says it has a default. */
    public static final class Builder {
        private String ingestTopic;
        private String outputTopic;
        private String groupId;
        private String node;
        private Map<String, Object> clientProperties;
        private Map<String, Object> producerExtra = Map.of();
        private Map<String, Object> consumerExtra = Map.of();
        private DataSource dataSource;
        private ThreadFactory threads;
        private long pollMs = PartitionOwnerLoop.DEFAULT_POLL_MS;
        private long retryBackoffMs = PartitionOwnerLoop.DEFAULT_RETRY_BACKOFF_MS;
        private long retryMaxBackoffMs = PartitionOwnerLoop.DEFAULT_RETRY_MAX_BACKOFF_MS;
        private Duration readyTimeout = Duration.ofSeconds(10);
        private Sleeper sleeper = Thread::sleep;
        private LongSupplier nowMillis = MonotonicClock::nowMillis;
        private Supplier<Instant> wallClock = Instant::now;
        private Producers producers = Producers.KAFKA;

        private Builder() {
        }

        /** @param topic the ingest topic @param output the output topic @return this */
        public Builder topics(String topic, String output) {
            this.ingestTopic = topic;
            this.outputTopic = output;
            return this;
        }

        /** @param v the owners' consumer group @return this */
        public Builder groupId(String v) { this.groupId = v; return this; }

        /** @param v this node's name, or null for host name/process id @return this */
        public Builder node(String v) { this.node = v; return this; }

        /**
         * @param v Kafka client properties both the producers and the consumer use: {@code bootstrap.servers}
         *          and the connection's security; the producers also get the rest (the sink's producer
         *          pass-through), the consumer only {@code bootstrap.servers}, {@code client.dns.lookup} and
         *          {@code security.*}, {@code sasl.*}, {@code ssl.*} keys
         * @return this
         */
        public Builder kafka(Map<String, ?> v) { this.clientProperties = Map.copyOf(v); return this; }

        /** @param v more producer properties (optional) @return this */
        public Builder producerProperties(Map<String, ?> v) { this.producerExtra = Map.copyOf(v); return this; }

        /** @param v more consumer properties (optional; tests shorten the session timeout) @return this */
        public Builder consumerProperties(Map<String, ?> v) { this.consumerExtra = Map.copyOf(v); return this; }

        /** @param v the log database (ledger, logs, runs) @return this */
        public Builder dataSource(DataSource v) { this.dataSource = v; return this; }

        /** @param v makes the loop's thread (Liberty's ManagedThreadFactory, or Thread::new) @return this */
        public Builder threads(ThreadFactory v) { this.threads = v; return this; }

        /** @param pollMs longest poll @param backoffMs first retry wait @param maxBackoffMs its cap @return this */
        public Builder loop(long pollMs, long backoffMs, long maxBackoffMs) {
            this.pollMs = pollMs;
            this.retryBackoffMs = backoffMs;
            this.retryMaxBackoffMs = maxBackoffMs;
            return this;
        }

        /** @param v longest wait of {@link #start} for the ingest topic's metadata (default 10 s) @return this */
        public Builder readyTimeout(Duration v) { this.readyTimeout = Objects.requireNonNull(v); return this; }

        /** @param v waits between the loop's retries (default Thread::sleep) @return this */
        public Builder sleeper(Sleeper v) { this.sleeper = Objects.requireNonNull(v); return this; }

        /** @param v monotonic milliseconds (default System.nanoTime) @return this */
        public Builder nowMillis(LongSupplier v) { this.nowMillis = Objects.requireNonNull(v); return this; }

        /** @param v the times of run starts and ends (default Instant::now) @return this */
        public Builder wallClock(Supplier<Instant> v) { this.wallClock = Objects.requireNonNull(v); return this; }

        /** @param v makes the producers (default: real Kafka ones) @return this */
        public Builder producers(Producers v) { this.producers = Objects.requireNonNull(v); return this; }

        Map<String, Object> producerProperties(String clientIdPrefix) {
            Map<String, Object> p = new HashMap<>(clientProperties);
            p.putAll(producerExtra);
            p.put("client.id", clientIdPrefix + node);
            return p;
        }

        Map<String, Object> consumerProperties() {
            Map<String, Object> c = new HashMap<>();
            for (Map.Entry<String, Object> e : clientProperties.entrySet()) {
                String k = e.getKey();
                if (k.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) || k.equals(ConsumerConfig.CLIENT_DNS_LOOKUP_CONFIG)
                        || k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl.")) {
                    c.put(k, e.getValue());
                }
            }
            c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            c.put(ConsumerConfig.CLIENT_ID_CONFIG, "zenflow-owner-" + node);
            c.putAll(consumerExtra);
            return c;
        }

        /** @return the assembled, not yet started, node */
        public ClusterNode build() {
            Objects.requireNonNull(ingestTopic, "ingest topic");
            Objects.requireNonNull(outputTopic, "output topic");
            if (ingestTopic.equals(outputTopic)) throw new IllegalArgumentException("the output topic must differ from the ingest topic");
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(clientProperties, "kafka");
            if (!clientProperties.containsKey("bootstrap.servers")) throw new IllegalArgumentException("kafka needs bootstrap.servers");
            Objects.requireNonNull(dataSource, "dataSource");
            Objects.requireNonNull(threads, "threads");
            if (node == null || node.isBlank()) node = RunsTableWriter.defaultOwner();
            return new ClusterNode(this);
        }
    }
}
