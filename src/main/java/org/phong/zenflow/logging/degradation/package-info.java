/**
 * The four degradation levels as one explicit state machine.
 *
 * <p>Levels, by severity (the level in force is the most severe condition that holds):
 * <ol>
 *   <li>{@code NORMAL}: every sink writes, the journal journals, the heap is below its high watermark.</li>
 *   <li>{@code DATABASE_FAILING}: a durable sink fails (its circuit is open or writes fail); entries
 *       wait in the journal and in flight; non-durable sinks (Kafka, WebSocket) continue.</li>
 *   <li>{@code JOURNAL_UNAVAILABLE}: the journal failed (I/O error, unwritable directory) or is full;
 *       entries are kept in memory only, bounded by the router's capacity: a crash now loses them.</li>
 *   <li>{@code MEMORY_PRESSURE}: heap use is at or above the high watermark; DEBUG/INFO are sampled
 *       (one of {@code sample-keep-every} kept), WARN/ERROR never, and per-run rings shrink.</li>
 * </ol>
 *
 * <p>Invariants: the state is one immutable {@link org.phong.zenflow.logging.degradation.DegradationState}
 * swapped atomically; a transition is computed from the conditions alone (no history except the
 * memory hysteresis: enter at {@code high-watermark}, leave below {@code low-watermark}); each change
 * of level is logged exactly once (the thread that wins the swap logs it); recovery is automatic,
 * the next evaluation after a condition clears lowers the level. Evaluation runs on the shared
 * scheduler every {@code check-interval-ms} and at once when the journal's availability changes.
 * The heap is read through {@link org.phong.zenflow.logging.degradation.MemoryProbe}, which tests replace.
 */
package org.phong.zenflow.logging.degradation;
