/**
 * Live tail of a run: history after a client's {@code afterSeq}, then every new entry the moment
 * the router worker gives it its seq (in cluster mode: the moment this node reads it from the output
 * topic), with no gap and no duplicate at the seam, over WebSocket
 * ({@code /ws/runs/{runId}}) or long-poll. Plain Java; {@code stream.web} holds the Jakarta
 * transports.
 *
 * <h2>Wire protocol 2 (server to client, one JSON object per WebSocket text message)</h2>
 * <pre>
 * {"type":"hello","protocol":2}           first frame of every session
 * {"type":"logs","first":a,"last":b,"entries":[{"workflowId","runId","seq","nodeKey","ts","level","message",...}, ...]}
 * {"type":"caught-up","seq":n}            history is done; n is the last seq covered (sent or filtered out)
 * {"type":"run-ended","lastSeq":n,"outcome":"SUCCEEDED|FAILED|CANCELLED|TIMED_OUT"}   then close 1000
 * </pre>
 * Entries arrive in strictly ascending seq, each seq at most once per session. Close codes:
 * 1000 run ended; 1008 bad parameter (reason names it); 1013 the session's backlog passed
 * session-queue-bytes (client stopped reading) or history could not be read in time (reason says
 * {@code afterSeq=n} to resume from); 1011 server error; 1001 server stopping or no pong for
 * pong-timeout-ms. A client resumes by reconnecting with {@code afterSeq} = the last seq it received
 * (or the caught-up seq if larger). Filters ({@link org.phong.zenflow.logging.api.LogFilter}) apply
 * after the seam check below, so they cannot open a gap.
 *
 * <h2>The seam invariant (no gap, no duplicate)</h2>
 * <ol>
 *   <li>{@link org.phong.zenflow.logging.stream.StreamHub#subscribe} first <em>registers</em> the
 *   subscription for the run, then takes a {@code MemorySnapshot} under the run's buffer monitor.
 *   The hub is the buffers' {@link org.phong.zenflow.logging.buffer.BufferListener}, called under the
 *   same monitor right after an entry gets its seq. So an entry sequenced after the snapshot is
 *   offered live (registration happened-before), and one sequenced before it is in what the snapshot
 *   found in memory (the run's ring, or its pending batch when that reaches further back; both end at
 *   the last seq), or is older than that and was handed downstream to the durable
 *   sink. A run keeps a ring only from the first snapshot on (or from its start when a session was
 *   already registered), so the first look at a run holds at most its pending batch.</li>
 *   <li>History is therefore: PostgreSQL for {@code (afterSeq, firstInMemory-1]}, then memory. The
 *   database page must continue {@code covered + 1, + 2, ...}; a short or holed page means entries are
 *   still on their way to the database (batched, in flight): the pump waits and re-reads (up to
 *   history-wait-ms, then 1013 with the resume point). A run not in memory (released long ago, or
 *   after a restart) is read from the database until a short page; a run whose last seq is still being
 *   looked up has sequenced nothing yet, so everything it sequences comes live.</li>
 *   <li>Live frames queued meanwhile are drained after {@code caught-up}: a seq at or below
 *   {@code covered} was in the history (duplicate: skipped); the next must be {@code covered + 1}
 *   (a larger one would be a gap: impossible by 1-2, it is logged and the session closed 1011).
 *   Level filtering happens after this check, so it holds with {@code minLevel} too.</li>
 * </ol>
 *
 * <h2>Cluster mode: any node serves any run (docs/cluster.md)</h2>
 * The node has no buffers: its router produces to the ingest topic, a partition owner (possibly another
 * node) sequences and commits, then publishes the committed entries to the output topic.
 * {@link org.phong.zenflow.logging.stream.StreamHub#attachCluster} switches the hub to that mode;
 * {@link org.phong.zenflow.logging.stream.OutputTopicFollower} reads every partition of the output topic
 * (no group, from the end at its start), decodes only the records of runs watched here, drops a seq it
 * handed already, and appends the rest to the run's feed ({@code offerRemote}) on its one thread.
 * <ol>
 *   <li>{@code subscribe} registers the session in the run's feed <em>before</em> its history is read;
 *   history is PostgreSQL from {@code afterSeq} until a page adds nothing (no ring).</li>
 *   <li>Any entry the read did not see committed after the read began; the owner publishes only after
 *   its commit, so the record is on the output topic after the read began too, and the follower reads it
 *   after that, finds the registration (the feed map is the same happens-before edge as the buffer
 *   monitor in single-node mode) and appends it to the feed. One run's records are on one partition in
 *   seq order, and the follower hands them over in that order: the live entries queued since
 *   registration continue the history; those at or below {@code covered} are duplicates, skipped.</li>
 *   <li>What can still be missing from the feed in cluster mode: a record lost between an owner's commit
 *   and its publish (crash, lost commit reply, publish failure), published before this node's follower
 *   started, or deleted by retention before it was read. So a live seq above {@code covered + 1} is a
 *   <em>hole</em>, not a broken invariant: the cursor stays before that entry, the pump reads
 *   {@code covered+1 .. seq-1} from PostgreSQL (where it is, since it was published after its commit),
 *   then goes on live from that entry. Only if PostgreSQL does not have it within history-wait-ms is the
 *   session closed 1013 with its resume point. Single-node mode keeps the 1011 close.</li>
 *   <li>Run ends: the output topic carries entries only, so the hub reads the {@code runs} table
 *   ({@link org.phong.zenflow.logging.stream.RunEndSource}) every end-poll interval for the watched runs
 *   only, and offers each ended run's end (lastSeq, outcome) to its feed while it has sessions. The end
 *   is stored with or after the run's entries, so when a session meets it with {@code covered} below
 *   lastSeq, the rest is read from PostgreSQL first (a hole, as above); then {@code run-ended}, close 1000.
 *   A poll and not an end record on the topic: the table cannot miss an end, the topic can; the cost is
 *   one indexed query per interval while anything is watched, and up to one interval of delay.</li>
 * </ol>
 *
 * <h2>Fan-out, slow clients and the router</h2>
 * The router worker creates one {@link org.phong.zenflow.logging.stream.EncodedEntry} per entry of a
 * watched run and appends it once to the run's {@link org.phong.zenflow.logging.stream.RunFeed}, a
 * chain every session reads from its own cursor (each session's backlog, the bytes after its cursor,
 * is bounded); the JSON is encoded once, by the first sender thread that needs it, and shared. Sends are asynchronous, one at a time per session;
 * an idle session's pump starts frame-linger-ms after the entry (one shared timer for all sessions, not
 * one executor task per session and entry), and everything queued meanwhile leaves as one {@code logs}
 * frame when the send completes (coalescing),
 * so the frames per second a session costs fall as its lag grows, and a reader that keeps reading
 * catches up. A backlog past session-queue-bytes (a reader that stopped) closes that session 1013;
 * other sessions and the router are unaffected. A stalled peer holds its place in the feed (at most the bound), never a thread.
 */
package org.phong.zenflow.logging.stream;
