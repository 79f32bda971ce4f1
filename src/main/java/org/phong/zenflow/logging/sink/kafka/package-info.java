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
 * <p><b>With the write-ahead journal</b> ({@code journal mode}, when the pipeline runs with a journal: the sink is
 * a {@link org.phong.zenflow.logging.journal.JournalFollower}) the journal, not the ring, holds the backlog:
 * <ul>
 *   <li><b>Source.</b> {@code process} ignores journaled entries; the sink's reader thread reads the journal
 *       forward through a {@link org.phong.zenflow.logging.journal.JournalTail}, in journal order (each run in seq
 *       order, runs interleaved as routed), into the ring, and only as much as the ring has room for. So a full ring
 *       drops nothing: the reader stops reading and later reads forward from where it stopped. Every ring slot
 *       carries its record's journal token (the journal position just past the record).</li>
 *   <li><b>Acknowledgement.</b> When the acknowledged ring position moves, the token of the slot it reached
 *       becomes the Kafka sink's journal position (one atomic max per move, in order: every record before it is
 *       in Kafka). The journal keeps a segment until that position is past it, saves it in its positions file
 *       (at most once a second, and at shutdown after the sink had {@code close-timeout-ms} to catch up).</li>
 *   <li><b>Restart.</b> The reader starts at the saved position, before the router takes any entry, so what
 *       Kafka had not acknowledged is sent first and no run is overtaken by its own new entries; nothing
 *       acknowledged before the last save is sent again.</li>
 *   <li><b>Bounded share.</b> Kafka is not durable: it holds no place in flight and never raises the
 *       degradation level. When the journal bytes from its position to the end exceed
 *       {@code journal-max-bytes}, the reader skips records (read, not sent) until it is half the share behind
 *       the end and moves the position there: segments are released, the skipped entries counted as
 *       {@code dropped} (and {@code journalSkipped}), logged once at SEVERE. Entries already in the ring are still
 *       delivered, and order is kept (a skip is a jump in a run's seq). So a dead broker never fills the journal.</li>
 *   <li><b>Level 3.</b> Entries the journal did not take ({@code NOT_JOURNALED}) are dropped for Kafka and
 *       counted: taking them from the batch would let them overtake their run's journaled entries.</li>
 * </ul>
 */
package org.phong.zenflow.logging.sink.kafka;
