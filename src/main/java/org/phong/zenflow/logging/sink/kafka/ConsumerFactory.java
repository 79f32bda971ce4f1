package org.phong.zenflow.logging.sink.kafka;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Makes a consumer of byte arrays from its final properties: the real one ({@link #kafka()}), or a
 * test's. Shared by the readers of the module's own topics (the cluster's partition owner loop and the
 * output topic follower), each of which uses its consumer from its one thread only.
 */
@FunctionalInterface
public interface ConsumerFactory {
    /**
     * @param properties the reader's final consumer properties
     * @return a new consumer, used by the reader's thread only
     */
    Consumer<byte[], byte[]> create(Map<String, Object> properties);

    /** @return the real consumer: a {@link KafkaConsumer} of byte arrays */
    static ConsumerFactory kafka() {
        return p -> new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
