package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;
import org.phong.zenflow.logging.testing.JsonSchemas;

/**
 * The ITs' view of the Kafka topic the server publishes to (broker started by the build, see pom.xml):
 * reads every record back, checks each value against {@code docs/schemas/kafka-record.schema.json}'s field
 * list, and groups seqs per run in partition order (a run has one partition, so that is publish order).
 */
final class KafkaTopic {
    private static final JsonProvider JSON = JsonProvider.provider();
    private static final Duration POLL = Duration.ofMillis(500);
    private static final String SCHEMA = "kafka-record.schema.json";
    /** Every n-th record of the tested runs is validated against the whole schema. */
    private static final int SCHEMA_SAMPLE = 20;

    static {
        KafkaBrokerLauncher.quietClientLogs();
    }

    private KafkaTopic() {
    }

    static String bootstrap() {
        return System.getProperty("it.kafka.bootstrap", "localhost:9190");
    }

    static String topic() {
        return System.getProperty("it.kafka.topic", "workflow-logs");
    }

    static Path brokerDir() {
        return Path.of(System.getProperty("it.kafka.dir", "target/it-kafka"));
    }

    /** What was read for some runs. */
    record Consumed(Map<UUID, List<Long>> seqs, long records) {
        /** Each run: exactly 1..expected, in order, every seq once. */
        void assertCompleteInOrder(Map<UUID, Integer> expected) {
            for (Map.Entry<UUID, Integer> e : expected.entrySet()) {
                List<Long> got = seqs.getOrDefault(e.getKey(), List.of());
                long next = 1;
                for (int i = 0; i < got.size(); i++) {
                    if (got.get(i) != next) fail("run " + e.getKey() + ": record " + i + " has seq " + got.get(i) + ", expected " + next
                            + " (consumed " + got.size() + " of " + e.getValue() + ")");
                    next++;
                }
                assertEquals((long) e.getValue(), got.size(), "records of run " + e.getKey());
            }
        }
    }

    /**
     * Reads the topic from the beginning until {@code expected} records of {@code runs} are in, or {@code timeout}.
     * Every record of those runs is checked: key = runId, value = the documented JSON (schema field list).
     */
    static Consumed consume(Set<UUID> runs, long expected, Duration timeout) throws Exception {
        Set<String> schemaProps = schemaProperties();
        Set<String> required = schemaRequired();
        Map<UUID, List<Long>> seqs = new HashMap<>();
        long n = 0;
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic(), Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (n < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                    UUID key = UUID.fromString(new String(r.key(), StandardCharsets.US_ASCII));
                    if (!runs.contains(key)) continue;
                    String text = new String(r.value(), StandardCharsets.UTF_8);
                    JsonObject v = JSON.createReader(new StringReader(text)).readObject();
                    assertEquals(key.toString(), v.getString("runId"), "key = runId");
                    assertTrue(schemaProps.containsAll(v.keySet()) && v.keySet().containsAll(required),
                            "fields " + v.keySet() + " match the schema's " + schemaProps);
                    // The full JSON Schema on a sample (every field's type and format), cheap enough for 100,000 records.
                    if (n % SCHEMA_SAMPLE == 0) JsonSchemas.assertValid(SCHEMA, text);
                    seqs.computeIfAbsent(key, k -> new ArrayList<>()).add(v.getJsonNumber("seq").longValue());
                    n++;
                }
            }
        }
        return new Consumed(seqs, n);
    }

    private static JsonObject schema() throws Exception {
        Path p = JsonSchemas.dir().resolve(SCHEMA);
        return JSON.createReader(new StringReader(Files.readString(p))).readObject();
    }

    private static Set<String> schemaProperties() throws Exception {
        return new HashSet<>(schema().getJsonObject("properties").keySet());
    }

    private static Set<String> schemaRequired() throws Exception {
        return schema().getJsonArray("required").getValuesAs(JsonString.class).stream().map(JsonString::getString)
                .collect(Collectors.toSet());
    }
}
