package org.phong.zenflow.logging.sink.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Makes sure the topic can take records before the first send: creates it when configured to
 * (partitions > 0) and waits until every partition has a leader. Producing into partitions that have
 * just been created can fail with out-of-order-sequence errors and lose records (KAFKA-15591), so the
 * sink never sends before this has passed.
 */
final class TopicGuard {
    /** Client properties an admin client shares with the producer (connection and security). */
    private static final List<String> SHARED_PREFIXES = List.of("bootstrap.servers", "security.", "ssl.", "sasl.",
            "client.dns.lookup", "request.timeout.ms", "socket.connection.setup.timeout", "reconnect.backoff",
            "connections.max.idle.ms", "metadata.recovery.strategy");

    private TopicGuard() {
    }

    /**
     * @param producerProps  the producer's properties (the admin takes its connection settings)
     * @param topic          the topic
     * @param partitions     partitions to create it with when missing; 0 = do not create
     * @param replication    replication factor when created
     * @param timeoutMs      longest wait for the broker
     * @return empty when ready, else why not (the caller retries with backoff)
     */
    static Optional<String> ensure(Map<String, Object> producerProps, String topic, int partitions, short replication,
                                   long timeoutMs) throws InterruptedException {
        Map<String, Object> adminProps = new HashMap<>();
        producerProps.forEach((k, v) -> {
            for (String p : SHARED_PREFIXES) if (k.startsWith(p)) adminProps.put(k, v);
        });
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeoutMs));
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeoutMs));
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "zenflow-logging-topic-guard");
        try (Admin admin = Admin.create(adminProps)) {
            TopicDescription d;
            try {
                d = admin.describeTopics(List.of(topic)).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) return Optional.of(e.getCause().toString());
                if (partitions <= 0) return Optional.of("topic " + topic + " does not exist (create it, or set zenflow.logging.kafka.topic.create-partitions)");
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, replication))).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                } catch (ExecutionException ce) {
                    if (!(ce.getCause() instanceof TopicExistsException)) return Optional.of(ce.getCause().toString());
                }
                return Optional.of("topic " + topic + " created; waiting for its partition leaders");
            }
            for (TopicPartitionInfo p : d.partitions()) {
                if (p.leader() == null || p.leader().isEmpty()) return Optional.of("partition " + topic + "-" + p.partition() + " has no leader yet");
            }
            return Optional.empty();
        } catch (java.util.concurrent.TimeoutException e) {
            return Optional.of("broker did not answer within " + timeoutMs + " ms");
        } catch (RuntimeException e) {
            return Optional.of(e.toString());
        }
    }
}
