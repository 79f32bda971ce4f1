package org.phong.zenflow.logging.cluster;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The producer settings every cluster-mode producer shares (the ingest producer, the output publisher):
 * {@code acks=all} and idempotence are fixed, whatever the caller passed, because a record Kafka
 * acknowledged must be on every in-sync replica and a retried send must not be stored twice;
 * {@code max.block.ms} is the caller's, else the producer's own default.
 */
final class DurableProducers {
    private DurableProducers() {
    }

    /**
     * @param base              the caller's properties
     * @param defaultMaxBlockMs {@code max.block.ms} unless {@code base} gives one
     * @return a copy with acks and idempotence fixed
     */
    static Map<String, Object> properties(Map<String, Object> base, long defaultMaxBlockMs) {
        Map<String, Object> p = new HashMap<>(base);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(defaultMaxBlockMs));
        return p;
    }

    /** @return a byte-array producer on {@link #properties} */
    static Producer<byte[], byte[]> open(Map<String, Object> base, long defaultMaxBlockMs) {
        return new KafkaProducer<>(properties(base, defaultMaxBlockMs), new ByteArraySerializer(), new ByteArraySerializer());
    }
}
