package org.phong.zenflow.logging.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import javax.sql.DataSource;
import org.phong.zenflow.logging.cluster.ClusterNode;
import org.phong.zenflow.logging.config.ClusterSettings;
import org.phong.zenflow.logging.config.KafkaSettings;
import org.phong.zenflow.logging.sink.kafka.ConsumerFactory;
import org.phong.zenflow.logging.stream.OutputTopicFollower;
import org.phong.zenflow.logging.stream.StreamHub;
import org.phong.zenflow.logging.time.MonotonicClock;

/**
 * Builds and stops the {@link ClusterNode} when {@code zenflow.logging.cluster.enabled=true}. Kafka is
 * reached with the Kafka sink's client properties ({@code zenflow.logging.kafka.producer.*}: brokers,
 * security), its compression and linger: one place configures Kafka. The Kafka sink itself is not used
 * in cluster mode: the partition owners publish to the output topic, by default the sink's topic.
 */
@ApplicationScoped
public class ClusterWiring {
    @Inject
    ClusterSettings settings;

    @Inject
    KafkaSettings kafka;

    private volatile ClusterNode node;

    /** @return whether cluster mode is on */
    public boolean enabled() {
        return settings.enabled();
    }

    /** @return the settings in force */
    public ClusterSettings settings() {
        return settings;
    }

    /**
     * Builds and starts the node (waits up to 10 s for the ingest topic's metadata; a node whose brokers
     * are unreachable starts anyway and refuses records until they are).
     *
     * @param ds      the log database
     * @param threads makes the owner loop's thread (Liberty's managed thread factory)
     * @return the started node
     * @throws org.phong.zenflow.logging.config.InvalidConfigurationException without bootstrap servers
     */
    ClusterNode start(DataSource ds, ThreadFactory threads) {
        String servers = settings.bootstrapServers(kafka); // refuses cluster mode without brokers, naming the key
        Map<String, Object> client = new HashMap<>(kafka.producerProperties());
        client.put("bootstrap.servers", servers);
        ClusterNode n = ClusterNode.builder()
                .topics(settings.ingestTopic(), settings.outputTopic())
                .groupId(settings.groupId())
                .node(settings.nodeName().orElse(null))
                .kafka(client)
                .producerProperties(Map.of("compression.type", kafka.compression(), "linger.ms", Long.toString(kafka.lingerMs())))
                .dataSource(ds)
                .threads(threads)
                .loop(settings.pollMs(), settings.retryBackoffMs(), settings.retryMaxBackoffMs())
                .consumerProperties(Map.of("session.timeout.ms", Long.toString(settings.sessionTimeoutMs()),
                        "heartbeat.interval.ms", Long.toString(settings.sessionTimeoutMs() / 3)))
                .build();
        node = n;
        try {
            return n.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return n; // started; only the wait for the metadata was cut short
        }
    }

    /**
     * Starts the live tail's follower of the output topic, with the same Kafka client properties as the node
     * (brokers, security).
     *
     * @param hub     the hub in cluster mode
     * @param threads makes its thread
     * @return the started follower
     */
    OutputTopicFollower startTailFollower(StreamHub hub, ThreadFactory threads) {
        Map<String, Object> client = new HashMap<>(kafka.producerProperties());
        client.put("bootstrap.servers", settings.bootstrapServers(kafka));
        client.put("client.id", node.node() + "-tail");
        OutputTopicFollower f = new OutputTopicFollower(OutputTopicFollower.Options.defaults(settings.outputTopic()), client,
                ConsumerFactory.kafka(), hub, Thread::sleep, MonotonicClock::nowMillis);
        f.start(threads);
        return f;
    }

    /** @return the running node, or null when cluster mode is off or not started yet */
    public ClusterNode nodeOrNull() {
        return node;
    }

    void stop() {
        ClusterNode n = node;
        if (n != null) n.close();
    }
}
