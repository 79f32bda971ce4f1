/**
 * The Kafka sink: publishes every entry the pipeline accepts to one topic, so that other systems can
 * follow workflow runs live. Enabled by {@code zenflow.logging.kafka.enabled}; keys and defaults in
 * {@link org.phong.zenflow.logging.config.KafkaSettings}; reference: {@code docs/kafka-format.md},
 * {@code docs/schemas/kafka-record.schema.json}.
 *
 * <p><b>Wire format</b> (one record per entry, {@link org.phong.zenflow.logging.sink.kafka.KafkaRecords}):
 * topic {@code zenflow.logging.kafka.topic} (default {@code workflow-logs}); key = the run id as
 * 36-character UUID text (US-ASCII), so a run's records share one partition; value = UTF-8 JSON of the entry,
 * the module's one JSON form ({@link org.phong.zenflow.logging.codec.LogEntryJson}) with every field present:
 * {@code {"workflowId","runId","seq","nodeKey","ts","level","message","errorCode","metadata","traceId","hierarchy"}};
 * header {@code zenflow-format: log-entry+json;v=1}. No record timestamp is set (the producer's send time).
 *
 * <p><b>Path of an entry</b>: the collector hands each batch to {@link
 * org.phong.zenflow.logging.sink.kafka.KafkaLogSink#process}, which only appends it to a bounded ring of
 * positions ({@link org.phong.zenflow.logging.sink.kafka.PositionRing}) and returns; the sink is
 * non-durable for the collector, so the router's in-flight count and PostgreSQL never wait for Kafka.
 * The sink's own sender thread sends positions in order through one idempotent {@code acks=all} producer;
 * the producer's callbacks acknowledge positions, and the <em>acknowledged position</em> (every position up
 * to it is in Kafka) moves and is published to {@link
 * org.phong.zenflow.logging.sink.kafka.KafkaLogSink#onAcknowledged} listeners.
 *
 * <p><b>Invariants</b>
 * <ul>
 *   <li><b>Per-run order.</b> Positions follow the collector's order, which keeps each run in seq order;
 *       the sender sends in position order, one producer, idempotence on (at most 5 requests in flight per
 *       connection, broker-side sequence checks), so a partition receives a run's entries in seq order. The
 *       producer retries transient errors itself, in order, for {@code delivery.timeout.ms} (default: ~24.8
 *       days, i.e. through any outage) without the sink resending anything.</li>
 *   <li><b>A failed send never lets a run skip ahead.</b> A send that fails (no metadata or buffer space within
 *       {@code max.block.ms}, a non-retriable or fatal producer error) stops the sender from taking new
 *       positions; once nothing is in flight it rewinds to the first unacknowledged position and sends every
 *       unacknowledged position again, in order, after exponential backoff; a non-retriable failure first
 *       replaces the producer. Positions already acknowledged are not sent again. An entry whose outcome
 *       was unknown (sent, not acknowledged) may therefore reach Kafka twice; the duplicate has a seq at or
 *       below the highest already seen for its run, which is how consumers recognise it.</li>
 *   <li><b>Bounded memory, counted loss.</b> The ring holds at most {@code max-backlog-entries} (queued +
 *       in flight + failed); while it is full, new entries are dropped for Kafka only and counted
 *       ({@code dropped}); PostgreSQL still has them, and the consumer sees a jump in the run's seq. An entry
 *       Kafka can never take (over {@code max.request.size}) is counted as {@code rejected} and passed.
 *       The producer's own buffer ({@code buffer.memory}) comes on top.</li>
 *   <li><b>Topic readiness first.</b> Nothing is produced before the topic exists and every partition has a
 *       leader ({@link org.phong.zenflow.logging.sink.kafka.TopicGuard}; creates it when
 *       {@code topic.create-partitions > 0}), against KAFKA-15591's out-of-order-sequence loss on fresh
 *       partitions.</li>
 *   <li><b>Stop.</b> After the pipeline has drained, {@code close} waits up to {@code close-timeout-ms} for
 *       Kafka to acknowledge everything held; what is left is logged as not delivered to Kafka.</li>
 * </ul>
 *
 * <p><b>With the write-ahead journal</b> (issue #3), the positions become journal positions: the journal,
 * not this ring, holds the backlog, the acknowledged position is stored as the Kafka sink's journal position,
 * and after an outage or a restart the sink reads forward from it (see the report of issue #4).
 */
package org.phong.zenflow.logging.sink.kafka;
