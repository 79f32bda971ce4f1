package org.phong.zenflow.logging.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/**
 * The settings every cluster-mode producer shares: {@code acks=all} and idempotence are fixed whatever the
 * caller asked for; {@code max.block.ms} is the caller's, else the producer's default.
 * {@link #assertDurable} is the check the producers' own tests apply to their properties.
 */
class DurableProducersTest {

    /**
     * @param p          a producer's properties, built from a base that asked for less
     * @param maxBlockMs the {@code max.block.ms} they must hold
     */
    static void assertDurable(Map<String, Object> p, long maxBlockMs) {
        assertEquals("all", p.get(ProducerConfig.ACKS_CONFIG));
        assertEquals("true", p.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals(Long.toString(maxBlockMs), p.get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
    }

    @Test
    void acksAndIdempotenceAreFixedAndTheDefaultMaxBlockOnlyFillsAGap() {
        assertDurable(DurableProducers.properties(Map.of("acks", "0", "enable.idempotence", "false"), 7), 7);
        assertEquals("3", DurableProducers.properties(Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3"), 7)
                .get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
        assertEquals("b:9092", DurableProducers.properties(Map.of("bootstrap.servers", "b:9092"), 7).get("bootstrap.servers"));
    }
}
