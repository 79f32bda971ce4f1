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
import org.phong.zenflow.logging.testing.ExactlyOnce;
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
        /**
         * Each run: exactly 1..expected, in order, every seq once. Compared entry by entry
         * ({@code runId:seq} through {@link ExactlyOnce}, so a loss and a duplicate are named), then in order.
         */
        void assertCompleteInOrder(Map<UUID, Integer> expected) {
            ExactlyOnce check = new ExactlyOnce();
            for (Map.Entry<UUID, Integer> e : expected.entrySet()) {
                List<String> ids = new ArrayList<>();
                for (long s = 1; s <= e.getValue(); s++) ids.add(e.getKey() + ":" + s);
                check.mustArrive(ids);
                for (long s : seqs.getOrDefault(e.getKey(), List.of())) check.read(e.getKey() + ":" + s);
            }
            check.verdict().assertExact("Kafka records of " + expected.size() + " runs");
            for (Map.Entry<UUID, Integer> e : expected.entrySet()) {
                List<Long> got = seqs.getOrDefault(e.getKey(), List.of());
                for (int i = 0; i < got.size(); i++) {
                    if (got.get(i) != i + 1) fail("run " + e.getKey() + ": record " + i + " has seq " + got.get(i) + ", expected " + (i + 1));
                }
                assertEquals((long) e.getValue(), got.size(), "records of run " + e.getKey());
            }
        }
    }

    /**
     * Reads the topic from the beginning to its END: first until {@code expected} records of {@code runs} are
     * in (or {@code timeout}), then, once the server reports nothing left to publish
     * ({@link ItEnvironment#awaitDrained}), on to the end offsets taken at that moment. A duplicate
     * published after the expected count is therefore read, and fails the check. Every record of those
     * runs is checked: key = runId, value = the documented JSON (schema field list).
     */
    static Consumed consume(Set<UUID> runs, long expected, Duration timeout) throws Exception {
        Set<String> schemaProps = schemaProperties();
        Set<String> required = schemaRequired();
        Map<UUID, List<Long>> seqs = new HashMap<>();
        long[] n = {0};
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic(), Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> take = r -> {
                UUID key = UUID.fromString(new String(r.key(), StandardCharsets.US_ASCII));
                if (!runs.contains(key)) return;
                String text = new String(r.value(), StandardCharsets.UTF_8);
                JsonObject v = JSON.createReader(new StringReader(text)).readObject();
                assertEquals(key.toString(), v.getString("runId"), "key = runId");
                assertTrue(schemaProps.containsAll(v.keySet()) && v.keySet().containsAll(required),
                        "fields " + v.keySet() + " match the schema's " + schemaProps);
                // The full JSON Schema on a sample (every field's type and format), cheap enough for 100,000 records.
                if (n[0] % SCHEMA_SAMPLE == 0) JsonSchemas.assertValid(SCHEMA, text);
                seqs.computeIfAbsent(key, k -> new ArrayList<>()).add(v.getJsonNumber("seq").longValue());
                n[0]++;
            };
            while (n[0] < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) take.accept(r);
            }
            // Delivery finished (nothing in flight, no backlog, no replay): whatever is in the topic now is all
            // the server will ever publish for these entries. Read on to the end offsets of that moment.
            ItEnvironment.awaitDrained(Duration.ofNanos(Math.max(Duration.ofSeconds(30).toNanos(), deadline - System.nanoTime())));
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            long endDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!atEnd(c, end)) {
                assertTrue(System.nanoTime() < endDeadline, "the topic's end " + end + " read within 60 s");
                for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) take.accept(r);
            }
        }
        return new Consumed(seqs, n[0]);
    }

    /** @return true when the consumer's position reached {@code end} on every partition */
    private static boolean atEnd(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) return false;
        }
        return true;
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
