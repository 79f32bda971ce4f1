package org.phong.zenflow.logging.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/** What the owner loop fixes in its consumer, and the options it refuses. */
class PartitionOwnerLoopOptionsTest {
    @Test
    void theLedgerIsTheTruthSoTheConsumerNeitherCommitsNorResetsOnItsOwn() {
        Map<String, Object> p = PartitionOwnerLoop.consumerProperties(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "g",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        assertEquals("false", p.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG));
        assertEquals("none", p.get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG));
        assertEquals("read_committed", p.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG));
        assertThrows(IllegalArgumentException.class, () -> PartitionOwnerLoop.consumerProperties(Map.of()), "a group is required");
    }

    @Test
    void badOptionsAreRefused() {
        PartitionOwnerLoop.Options d = PartitionOwnerLoop.Options.defaults("t", "node");
        assertEquals(Duration.ofMillis(PartitionOwnerLoop.DEFAULT_POLL_MS), d.pollTimeout());
        assertThrows(IllegalArgumentException.class, () -> PartitionOwnerLoop.Options.defaults(" ", "node"));
        assertThrows(IllegalArgumentException.class, () -> PartitionOwnerLoop.Options.defaults("t", ""));
        assertThrows(IllegalArgumentException.class, () -> d.withPollTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> d.withRetryBackoff(0, 10));
        assertThrows(IllegalArgumentException.class, () -> d.withRetryBackoff(100, 10));
    }
}
