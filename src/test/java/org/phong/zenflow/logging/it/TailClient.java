package org.phong.zenflow.logging.it;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A live-tail client for the ITs over {@code java.net.http.WebSocket}: one connection, its frames
 * parsed cheaply (seq, ts, type) so that many clients fit on the test machine. {@code done}
 * completes on close (code, reason) or error, and completes EXCEPTIONALLY on a frame the protocol does
 * not have (an unknown type, a binary frame): a test waiting on it fails instead of reconnecting.
 */
final class TailClient implements WebSocket.Listener {
    /** Every log frame: seq and the micros between the entry's ts (route time) and arrival. */
    final List<long[]> logs = new ArrayList<>();
    volatile long caughtUpSeq = -1;
    volatile String runEnded;
    final CompletableFuture<String> done = new CompletableFuture<>();
    volatile int closeCode = -1;
    volatile String closeReason;
    private final StringBuilder partial = new StringBuilder();
    private final boolean reads;
    private final int abortAfterFrames;
    private volatile WebSocket ws;

    /**
     * @param reads            false: never requests a message (a client that does not read)
     * @param abortAfterFrames abort the connection after this many log frames (0: never)
     */
    TailClient(boolean reads, int abortAfterFrames) {
        this.reads = reads;
        this.abortAfterFrames = abortAfterFrames;
    }

    static TailClient open(String runId, long afterSeq, String extra, boolean reads, int abortAfterFrames) throws Exception {
        TailClient c = new TailClient(reads, abortAfterFrames);
        ItEnvironment.openWebSocket("/ws/runs/" + runId + "?afterSeq=" + afterSeq + (extra == null ? "" : extra), c)
                .get(60, TimeUnit.SECONDS);
        return c;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        ws = webSocket;
        if (reads) webSocket.request(Long.MAX_VALUE); // onText calls stay sequential; no per-message demand round trip
    }

    /** Starts reading (for a client created with reads=false). */
    void startReading() {
        ws.request(Long.MAX_VALUE);
    }

    void abort() {
        ws.abort();
        done.complete("aborted");
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        long now = nowMicros();
        partial.append(data);
        if (last) {
            String f = partial.toString();
            partial.setLength(0);
            frame(f, now);
        }
        return null;
    }

    private void frame(String f, long nowMicros) {
        if (f.startsWith("{\"type\":\"log\"")) {
            long seq = number(f, "\"seq\":");
            long ts = micros(text(f, "\"ts\":\""));
            synchronized (logs) {
                logs.add(new long[] {seq, nowMicros - ts});
            }
            if (abortAfterFrames > 0 && logs.size() >= abortAfterFrames) abort();
        } else if (f.startsWith("{\"type\":\"caught-up\"")) {
            caughtUpSeq = number(f, "\"seq\":");
        } else if (f.startsWith("{\"type\":\"run-ended\"")) {
            runEnded = f;
        } else {
            fail("unknown frame " + f);
        }
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        fail("a binary frame of " + data.remaining() + " bytes (the protocol has none)");
        return null;
    }

    /**
     * A frame the protocol does not have is a failure of the test, not a reason to reconnect: {@link #done}
     * completes exceptionally, so every {@code done.get(...)} throws, and the connection is aborted.
     */
    private void fail(String what) {
        done.completeExceptionally(new AssertionError(what));
        WebSocket w = ws;
        if (w != null) w.abort();
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode = statusCode;
        closeReason = reason;
        done.complete(statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        done.complete("error " + error);
    }

    List<Long> seqs() {
        List<Long> out = new ArrayList<>();
        synchronized (logs) {
            for (long[] l : logs) out.add(l[0]);
        }
        return out;
    }

    long lastSeq() {
        synchronized (logs) {
            return logs.isEmpty() ? -1 : logs.get(logs.size() - 1)[0];
        }
    }

    static long nowMicros() {
        java.time.Instant i = java.time.Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    private static long micros(String iso) {
        java.time.Instant i = java.time.Instant.parse(iso);
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    private static long number(String f, String key) {
        int i = f.indexOf(key) + key.length();
        int j = i;
        while (j < f.length() && (Character.isDigit(f.charAt(j)) || f.charAt(j) == '-')) j++;
        return Long.parseLong(f.substring(i, j));
    }

    private static String text(String f, String key) {
        int i = f.indexOf(key) + key.length();
        return f.substring(i, f.indexOf('"', i));
    }
}
