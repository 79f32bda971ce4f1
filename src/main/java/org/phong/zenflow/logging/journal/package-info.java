/**
 * The write-ahead journal, the backbone of the pipeline: every entry the router accepted, on local disk
 * before it reaches any sink, so a crash ({@code kill -9}, power loss within the fsync window) loses
 * nothing that was confirmed durable, and a database outage is absorbed by disk, up to the journal's
 * budget, not by memory.
 *
 * <h2>The database follows the journal</h2>
 * With the journal on, every durable sink (PostgreSQL) is a <em>durable follower</em>
 * ({@code collector.DurableFollower}): one thread reads the journal forward from the sink's saved position,
 * in journal order (each run in seq order, many runs merged into one large COPY), writes, and only then
 * moves the position. While it keeps up it reads from memory: the {@link org.phong.zenflow.logging.journal.RecentWindow}
 * holds the last records appended as the entry objects themselves; once it falls behind (an outage, a slow
 * database, a restart) it reads and decodes the files until it is inside the window again. A durable
 * follower never skips: its backlog is bounded by the journal's budget, and admission
 * ({@code JournalPressure}) sheds DEBUG/INFO from 80% of the budget, drops all of them from 90% and refuses
 * everything from 95%, so what is accepted always has room. The budget is {@code max-bytes}, or less when
 * the file system has less free space (sampled every second by the committer, 64 MiB kept free).
 * <p>Entries the journal cannot hold (failed, full, or appended but lost from the write buffer when a write
 * failed) go to the {@link org.phong.zenflow.logging.journal.Overflow}: memory only, counted as in flight by
 * admission, taken by the durable followers after everything the journal holds. While any wait there, new
 * entries join them, so every run reaches the database in seq order: journal, overflow, journal.
 *
 * <h2>Where it sits</h2>
 * {@code LogRouter -> WorkflowBufferManager (seq) -> Journal.append -> batch -> GlobalLogCollector -> sinks}.
 * The append happens on the router worker that owns the run, under the run buffer's monitor, right
 * after the seq is assigned. So: the journal holds each run's entries in seq order; entries of one
 * worker are in routing order; and no extra thread or hand-off is on the hot path (an append is an
 * encode into a 1 MiB in-memory buffer under one lock; a full buffer is written to the file, i.e. to
 * the page cache, inline). The only thread the journal owns is the committer. An append the journal refuses
 * ({@code NOT_JOURNALED}) is counted in the run's batch ({@link org.phong.zenflow.logging.api.SinkBatch#unjournaled}),
 * so a non-durable follower fed the same batch (Kafka) knows what it will not find in the journal.
 *
 * <h2>On-disk format (version 1, big-endian)</h2>
 * <pre>
 * directory   journal.dir: journal-&lt;20-digit base position&gt;.seg ... and positions.properties
 * segment     header: magic "ZFJ1" (int 0x5A464A31) | version int (1) | base position long
 *             then records back to back, until segment-bytes would be exceeded (then a new segment)
 * record      length int (payload bytes) | crc int | payload
 *             crc = CRC32C over the 4 length bytes and the payload (a flipped length is caught too)
 * payload     type byte (1 = entry, 0 = padding: zeros, written by recovery over a damaged range)
 *             entry: | workflowId msb,lsb | runId msb,lsb | seq long
 *             | ts epoch-second long | ts nano int | level byte (DEBUG 0, INFO 1, WARN 2, ERROR 3)
 *             | nodeKey, message, errorCode, metadata, traceId, hierarchy: each int length (-1 = null) + UTF-8
 * positions   java.util.Properties: follower name = exact position it has acknowledged;
 *             replaced atomically (write tmp, force, rename)
 * </pre>
 * A <em>position</em> is a byte offset in the journal as if all segments were one file: a segment's
 * file name is the position of its first byte (its header), a record's position is its segment's
 * base plus its offset in the file. Positions only grow, across restarts too.
 *
 * <h2>Group commit and the durability window</h2>
 * One committer thread (from the pipeline's thread factory: a Liberty managed thread in the server,
 * never a thread per run) writes the buffered appends and forces the file:
 * <ul>
 *   <li>{@code fsync=always}: as soon as anything is unsynced; every append made during one force
 *       is covered by the next (group commit). Window: one force (the fsync latency metric).</li>
 *   <li>{@code fsync=interval}: every {@code fsync-interval-ms}. Window: the interval plus one force.</li>
 *   <li>{@code fsync=none}: written every interval, never forced. Survives a process crash (the page
 *       cache survives {@code kill -9}), not a power loss or kernel crash.</li>
 * </ul>
 * {@link org.phong.zenflow.logging.journal.Journal#whenDurable} completes when a position is synced;
 * {@code Durability} builds the run-level waits on it.
 *
 * <h2>Followers, positions and deletion</h2>
 * Every reader of the journal is a {@link org.phong.zenflow.logging.journal.JournalFollower}: the database as a
 * durable follower (above), Kafka as a non-durable one; the journal knows no other reader (with the journal
 * on, {@code LoggingPipeline} makes every durable sink a follower). A follower reads the journal itself through a
 * {@link org.phong.zenflow.logging.journal.JournalTail}, forward from its own position, in journal order, up to
 * what is durable (forced; so it never publishes what a power loss could take back). Its position is
 * <em>exact</em> (the end of the last record it acknowledged; it acknowledges in journal order, so one maximum
 * suffices), saved in the positions file under its name (at most every second, at once when a segment was
 * deleted, and at close). A non-durable follower never counts against admission and never makes the pipeline
 * degrade; instead its backlog is bounded by its share ({@code journalMaxBytes}): past it the tail skips
 * records (counted) and moves the position forward. A durable follower's share is the whole journal (it never
 * skips); the journal's budget bounds admission instead. A follower without a saved position starts at the
 * oldest segment (nothing skipped on first use). Invariants:
 * <ul>
 *   <li>a follower's position only grows; it is always a record boundary or a segment base; records before it
 *       are in the follower or counted as skipped;</li>
 *   <li>a segment is deleted only when sealed and every follower's position is past its last record, oldest
 *       first; an open segment every follower has passed is sealed after 10 s or 1/8 of segment-bytes, so a
 *       quiet journal does not keep a tail to read again after a restart;</li>
 *   <li>the positions file is replaced atomically; saving a position late (a crash between a position moving
 *       and its save) only means reading more again;</li>
 *   <li>a saved position never passes a record its follower may lack: when a retry finds segment files that
 *       startup did not recover (the directory was locked or unreadable then), they stay for the next startup, and
 *       from then on each follower's saved position stays at or before the first of their records it may lack (its
 *       position as the positions file held it at the retry, or the first such segment's base when that is
 *       higher); the next startup reads them to it from there, and what it had read since of later segments again
 *       (harmless, see Recovery).</li>
 * </ul>
 *
 * <h2>Recovery</h2>
 * At start every segment is read and each record's frame, structure and CRC checked. Damage costs only
 * what it touches: at a damaged record (a length out of bounds, a checksum mismatch, a payload that does
 * not decode) the scan <em>resynchronizes</em>, looking forward byte by byte for the next offset where a
 * whole record checks out (length in bounds, the six string lengths adding up to the payload, CRC32C).
 * Before anything is changed the segment is copied to {@code damaged/} in the journal directory; then each
 * damaged range that valid records follow is overwritten with one padding record, so every position in the
 * file stays what it was (saved positions remain record boundaries). Damage with nothing valid after it (a
 * write cut short by a crash, a zero-filled tail) is truncated as before. Each damaged range is logged at
 * SEVERE and kept in the {@link org.phong.zenflow.logging.journal.RecoveryReport} with the entries it took,
 * by run and seq range: within a run the journal's seqs ascend gap-free, so records before and after the
 * damage that jump from a to b name a+1..b-1 ({@link org.phong.zenflow.logging.journal.LostTracker}).
 * A segment with no valid record is deleted; later segments are still read. A run then continues after the
 * highest seq found in the journal <em>or</em> the database (the lookup runs for runs known only from the
 * journal), so it never hands out again a seq that may have been seen. Appends go to a fresh segment starting at
 * the end of the last recovered one. Nothing is pushed to the sinks at startup: each follower reads on from its
 * saved position, so what it had not stored before the restart reaches it first, in journal order
 * ({@link org.phong.zenflow.logging.journal.RecoveryReport#toReplay} counts those records). Reading an entry
 * again is harmless: the PostgreSQL key {@code (run_id, seq, ts)} makes an entry already stored a no-op (COPY
 * collides, the sink rewrites the batch with ON CONFLICT DO NOTHING).
 *
 * <h2>Failure: unavailable and full (degradation level 3)</h2>
 * An I/O error (unwritable or missing directory, disk full, failed force) or {@code max-bytes} reached
 * stops journaling: appends return {@code NOT_JOURNALED}, are counted, and the entries go to the overflow
 * (memory, bounded by the router's capacity) on their way to the durable followers. The error is logged once at SEVERE; waiters of positions not yet
 * forced fail (the durability waits then fall back to waiting for the sinks). The committer retries a
 * failed journal every {@code retry-ms} in a new segment, past every segment file in the directory; a full
 * journal resumes once deletions free a segment's room. When startup recovery failed (directory locked or
 * unreadable), the segment files it did not read are not read by the retry: they wait for the next startup,
 * and no follower's saved position passes them (see the invariants above), so their entries reach the
 * followers, the database too, after the next restart, never skipped. Records appended but not written when the journal failed are not on disk: they were
 * never confirmed durable.
 *
 * <h2>Choices</h2>
 * A binary format, not JSON: the encode runs on the router worker for every entry. CRC32C: hardware
 * accelerated in the JDK. Exact positions for followers: they read and acknowledge in journal order, so one
 * maximum suffices.
 *
 * <h2>Classes, and the one lock</h2>
 * {@link org.phong.zenflow.logging.journal.Journal} is the public facade and <em>the lock</em>: its monitor guards
 * every mutable part of the write path and the segment list. The concerns it delegates:
 * <ul>
 *   <li>{@link org.phong.zenflow.logging.journal.SegmentWriter}: the open segment, its channel and the 1 MiB write
 *       buffer; the appended and written positions; rolling to a new segment. Under the lock.</li>
 *   <li>{@link org.phong.zenflow.logging.journal.GroupCommit}: the committer thread: writes the buffer out (under
 *       the lock, through {@code Journal.writeOut}), forces it outside the lock, moves the synced position,
 *       completes the waits, wakes the followers, runs housekeeping; fsync statistics.</li>
 *   <li>{@link org.phong.zenflow.logging.journal.DurabilityWaiters}: the futures of {@code whenDurable}, by
 *       position; completed up to the synced position, failed with the journal's problem.</li>
 *   <li>{@link org.phong.zenflow.logging.journal.SegmentList}: the segments held, oldest first: their bytes
 *       (the budget), deletion of passed segments, where a reader finds its next record. Under the lock, except
 *       the byte total (lock-free).</li>
 *   <li>{@link org.phong.zenflow.logging.journal.PositionsFile}: {@code positions.properties}, the followers'
 *       positions across restarts (read at startup, replaced atomically, saves rate-limited). Under the lock.</li>
 *   <li>{@link org.phong.zenflow.logging.journal.Followers}: the followers' names, shares, which are durable
 *       (their index in the {@link org.phong.zenflow.logging.journal.Overflow}), and their exact positions.
 *       Lock-free (fixed configuration, atomic positions that only grow).</li>
 *   <li>{@link org.phong.zenflow.logging.journal.JournalRecovery}: startup recovery: scan, repair, report, seed the
 *       segment list and the followers. Under the lock, before the committer starts.</li>
 *   <li>Around them: {@link org.phong.zenflow.logging.journal.JournalTail} (a follower's reader),
 *       {@link org.phong.zenflow.logging.journal.SegmentFile}, {@link org.phong.zenflow.logging.journal.RecordCodec},
 *       {@link org.phong.zenflow.logging.journal.DamageRepair}, {@link org.phong.zenflow.logging.journal.LostTracker}
 *       (format, validation, repair), {@link org.phong.zenflow.logging.journal.Segment} (one segment's extent),
 *       {@link org.phong.zenflow.logging.journal.RecentWindow} and {@link org.phong.zenflow.logging.journal.Overflow}
 *       (in memory).</li>
 * </ul>
 * Lock rules (no other monitor or lock object exists in the package; the OS lock on {@code journal.lock} only
 * keeps a second process out of the directory):
 * <ul>
 *   <li>only {@code Journal} synchronizes on the journal; the helpers that run under its lock have no lock of
 *       their own and say so in their class comment;</li>
 *   <li>{@code RecentWindow} and {@code Overflow} each have a monitor that is a leaf: taken under the journal's
 *       lock or without it, held briefly, never while taking another lock;</li>
 *   <li>{@code DurabilityWaiters}' monitor is never held together with the journal's, in either order, and no
 *       future completes under any lock (a dependent stage may append);</li>
 *   <li>the force never runs under the journal's lock (appends go on meanwhile; the next force covers them), and
 *       listeners (availability, synced) run on the committer outside it;</li>
 *   <li>what is read outside the lock is volatile or atomic: appended, written, problem, full and the byte total
 *       are written under the lock; synced only by the committer (outside it; by recovery and close while the
 *       committer is not running); follower positions and acknowledgement counts are atomic and only grow. The
 *       open segment itself is read outside the lock only by {@code available()}, as a hint.</li>
 * </ul>
 */
package org.phong.zenflow.logging.journal;
