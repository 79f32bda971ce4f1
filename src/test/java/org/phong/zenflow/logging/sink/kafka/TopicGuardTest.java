package org.phong.zenflow.logging.sink.kafka;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;

/** Without a broker the topic check says why, within its timeout (the ITs cover a real broker: found, created). */
class TopicGuardTest {
    @Test
    void noBrokerIsReportedNotThrown() throws Exception {
        KafkaBrokerLauncher.quietClientLogs();
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        Map<String, Object> producer = Map.of("bootstrap.servers", "localhost:" + dead, "linger.ms", "5",
                "security.protocol", "PLAINTEXT", "batch.size", "16384");
        Optional<String> reason = TopicGuard.ensure(producer, "workflow-logs", 3, (short) 1, 1_000);
        assertTrue(reason.isPresent());
        assertTrue(reason.get().contains("did not answer") || reason.get().contains("Timeout"), reason.get());
    }
}
