/**
 * The durable PostgreSQL store of node logs: schema, writer ({@link
 * org.phong.zenflow.logging.sink.postgres.PostgresLogSink}) and reader ({@link
 * org.phong.zenflow.logging.sink.postgres.PostgresLogReader}).
 *
 * <p><b>Schema</b> ({@code db/migration/V1__logs.sql}, applied by {@link
 * org.phong.zenflow.logging.sink.postgres.SchemaMigrator} with its own Flyway history table
 * {@code zenflow_logging_schema_history}): one table {@code logs}, {@code PARTITION BY RANGE (ts)}
 * into UTC calendar months {@code logs_yYYYYmMM}; unique key {@code (run_id, seq, ts)} (ts is in it
 * only because a partitioned table's unique keys must contain the partition key); index {@code
 * (workflow_id, run_id, ts)} for browsing and a partial {@code (level, ts)} index on WARN/ERROR for
 * alerting. No DEFAULT partition: a row for a month without partition fails loudly.
 *
 * <p><b>Idempotency</b>: the fast path is one {@code COPY FROM STDIN} per batch (binary PGCOPY,
 * {@link org.phong.zenflow.logging.sink.postgres.BinaryCopyEncoder}, by default; text,
 * {@link org.phong.zenflow.logging.sink.postgres.CopyEncoder}, with {@code copy-format=text}), streamed
 * while it is encoded. If it hits a stored key (23505; a
 * retried batch whose first commit did land) the transaction is rolled back and the batch goes
 * through a temp staging table and {@code INSERT ... ON CONFLICT DO NOTHING}. So the collector may
 * replay a batch any number of times; duplicates are counted, never stored.
 *
 * <p><b>Parallel parts</b>: a batch of at least {@code parallel-copy-min-rows} entries (a deep backlog) is split by
 * run into up to {@code copy-connections} parts written at once on their own connections (the server's managed
 * executor), each part exactly as a batch above. A run's entries are all in one part, so its order holds; the call
 * ends only when every part has; a failed part fails the batch and the retry finds the committed parts' rows
 * through the staging path.
 *
 * <p><b>Partitions</b> are created ahead (migration: previous..current+2 months; {@link
 * org.phong.zenflow.logging.sink.postgres.PartitionMaintainer#ensureMonthsAround} at startup and
 * periodically) and on demand for any month a batch touches (cached per month), by the
 * concurrency-safe SQL function {@code zenflow_ensure_log_partition(ts)} (per-month advisory xact
 * lock, then an ACCESS SHARE lock on {@code logs} so that the {@code to_regclass} re-check sees a
 * concurrent creator's committed table: an advisory lock alone does not refresh catalog caches).
 *
 * <p><b>Poison entries</b> ({@code db/migration/V3__logs_rejected.sql}): a write refused for the
 * content of its rows (SQLState 22, 23, 54: {@link org.phong.zenflow.logging.sink.postgres.ErrorClassifier})
 * is split by {@link org.phong.zenflow.logging.sink.postgres.PoisonIsolator} (COPY line hint, else
 * bisection) until the refused entries are isolated; they go to {@code logs_rejected} (key
 * {@code (run_id, seq)}, the entry's JSON as text, SQLState, message, time), the rest is written.
 * Transient errors are retried forever as before. {@link org.phong.zenflow.logging.sink.postgres.RunHistory}
 * merges both tables for readers. See docs/durability.md.
 * <p><b>Runs table</b> ({@code V2__runs.sql}, {@link org.phong.zenflow.logging.sink.postgres.RunsTableWriter},
 * read by {@link org.phong.zenflow.logging.sink.postgres.RunsTableReader}): per-run counts and last seq move in
 * the same transaction as the rows, counting only rows inserted; start/end events
 * ({@link org.phong.zenflow.logging.sink.postgres.RunEventQueue}) are merged commutatively, in any order.
 *
 * <p><b>Retention</b> ({@link org.phong.zenflow.logging.sink.postgres.RetentionMaintainer}): whole months older
 * than {@code retention.days} are detached and dropped by the one node holding a session advisory lock, each
 * partition in a short transaction of its own with a lock timeout (the same rule as creation).
 *
 * <p><b>Invariants</b>
 * <ul>
 *   <li>ts is stored truncated to microseconds; every component truncates the same way, so a
 *       replayed entry maps to the same {@code (run_id, seq, ts)}. An entry re-sent with a
 *       <em>different</em> ts is a different row: the router must replay entries, not rebuild them.</li>
 *   <li>Partition DDL (ACCESS EXCLUSIVE on {@code logs}) always runs in its own short committed
 *       transaction with a lock timeout, never inside a transaction that already wrote to {@code logs}:
 *       that would deadlock concurrent writers.</li>
 *   <li>A successful {@code process} leaves every entry of the batch in exactly one of {@code logs}
 *       and {@code logs_rejected}; a failed one (transient error) may have committed sub-batches of an
 *       isolation, or parts of a split batch, which a retry finds idempotently. Outside isolation a batch (or
 *       each part of a split one, a run always in one part) is one transaction.</li>
 *   <li>A run's seq is gap-free over {@code logs} and {@code logs_rejected} together, and
 *       {@code lastSeq} reads both, so a continuing run never reuses a rejected seq.</li>
 *   <li>The reader returns entries in seq order built through {@code LogEntry.builder()}; metadata
 *       is the same JSON value, in jsonb's canonical key order.</li>
 * </ul>
 */
package org.phong.zenflow.logging.sink.postgres;
