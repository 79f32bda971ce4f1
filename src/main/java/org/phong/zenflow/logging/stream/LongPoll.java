package org.phong.zenflow.logging.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogFilter;

/**
 * The long-poll fallback, built on the same {@link Subscription} as the WebSocket (so the same
 * seam): collect what is there after {@code afterSeq}; answer at once when that is something (or
 * {@code limit} entries), otherwise wait for the first live entry, the run's end, or {@code waitMs}.
 * Waiting holds no thread: the answer completes a future from the pump or a timer.
 */
public final class LongPoll implements Outbound {

    /**
     * @param entries      the entries, ascending seq
     * @param nextAfterSeq pass back as afterSeq for the next poll
     * @param ended        the run's end when it was reached, else null
     */
    public record Result(List<LogEntry> entries, long nextAfterSeq, Frame.RunEnded ended) {
    }

    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private final List<LogEntry> entries = new ArrayList<>();
    private final int limit;
    private final long waitMs;
    private final StreamHub hub;
    private long nextAfter;
    private boolean caughtUp;
    private volatile Subscription sub;

    private LongPoll(StreamHub hub, long afterSeq, int limit, long waitMs) {
        this.hub = hub;
        this.nextAfter = afterSeq;
        this.limit = limit;
        this.waitMs = waitMs;
    }

    /**
     * @param hub      the hub
     * @param runId    the run
     * @param afterSeq entries after this seq
     * @param limit    at most this many entries
     * @param filter   only the entries that pass; null for all
     * @param waitMs   how long to wait when nothing is there yet (0: answer at once)
     * @return completes with the answer
     */
    public static CompletableFuture<Result> poll(StreamHub hub, UUID runId, long afterSeq, int limit, LogFilter filter,
                                                 long waitMs) {
        LongPoll p = new LongPoll(hub, afterSeq, limit, waitMs);
        p.sub = hub.subscribe(runId, afterSeq, filter, p);
        if (p.result.isDone()) p.sub.close(NORMAL, "answered");
        return p.result;
    }

    @Override
    public void send(Frame frame, Consumer<Throwable> done) {
        boolean finish = false;
        Frame.RunEnded ended = null;
        synchronized (this) {
            if (!result.isDone()) {
                if (frame instanceof Frame.Logs l) {
                    // A frame may hold more than the limit: the rest is read again by the next poll.
                    for (EncodedEntry e : l.entries()) {
                        if (entries.size() >= limit) break;
                        entries.add(e.entry());
                        nextAfter = e.seq();
                    }
                    finish = entries.size() >= limit || caughtUp;
                } else if (frame instanceof Frame.CaughtUp c) {
                    caughtUp = true;
                    nextAfter = Math.max(nextAfter, c.seq());
                    finish = !entries.isEmpty() || waitMs == 0;
                    if (!finish) hub.scheduler().schedule(this::timeout, waitMs);
                } else if (frame instanceof Frame.RunEnded e) {
                    ended = e;
                    finish = true;
                }
            }
        }
        done.accept(null);
        if (finish) finish(ended);
    }

    private void timeout() {
        finish(null);
    }

    private void finish(Frame.RunEnded ended) {
        Result r;
        synchronized (this) {
            if (result.isDone()) return;
            r = new Result(List.copyOf(entries), nextAfter, ended);
        }
        result.complete(r);
        Subscription s = sub;
        if (s != null) s.close(NORMAL, "answered");
    }

    @Override
    public void ping() {
        // HTTP has no pings; the poll ends by itself within waitMs
    }

    @Override
    public void close(int code, String reason) {
        // A close from the core before an answer (queue full, history unavailable): answer with what is there.
        finish(null);
    }
}
