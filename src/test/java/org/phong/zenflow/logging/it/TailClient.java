package org.phong.zenflow.logging.it;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A live-tail client (protocol 2) for the ITs over {@code java.net.http.WebSocket}: one connection,
 * its frames parsed cheaply (type; seq and ts of each entry of a {@code logs} frame, checked against
 * the frame's first and last) so that many clients fit on the test machine. {@code done} completes on
 * close (code, reason) or error, and completes EXCEPTIONALLY on a frame the protocol does not have (an
 * unknown type, a binary frame): a test waiting on it fails instead of reconnecting.
 */
final class TailClient implements WebSocket.Listener {
    /** Every entry received: seq and the micros between the entry's ts (route time) and the arrival of its frame. */
    final List<long[]> logs = new ArrayList<>();
    /** Frames received (every type) and entries received (in logs frames). */
    volatile long frames;
    volatile long entries;
    volatile int protocol = -1;
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
     * @param abortAfterFrames abort the connection after this many entries (0: never)
     */
    TailClient(boolean reads, int abortAfterFrames) {
        this.reads = reads;
        this.abortAfterFrames = abortAfterFrames;
    }

    static TailClient open(String runId, long afterSeq, String extra, boolean reads, int abortAfterFrames) throws Exception {
        return open(ItEnvironment.wsUri("/"), runId, afterSeq, extra, reads, abortAfterFrames);
    }

    /** @param server {@code ws://host:port/} of the server to tail on (the IT server or a copy of it) */
    static TailClient open(java.net.URI server, String runId, long afterSeq, String extra, boolean reads, int abortAfterFrames)
            throws Exception {
        TailClient c = new TailClient(reads, abortAfterFrames);
        ItEnvironment.openWebSocket(server.resolve("/ws/runs/" + runId + "?protocol=2&afterSeq=" + afterSeq + (extra == null ? "" : extra)), c)
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

    /** The codec writes an entry's keys in a fixed order: workflowId, runId (two UUIDs), then seq. */
    private static final String ENTRY_START = "{\"workflowId\":\"";
    private static final int SEQ_OFFSET = ENTRY_START.length() + 36 + "\",\"runId\":\"".length() + 36 + "\",\"seq\":".length();

    private void frame(String f, long nowMicros) {
        frames++;
        if (f.startsWith("{\"type\":\"logs\"")) {
            long first = number(f, "\"first\":");
            long last = number(f, "\"last\":");
            int n = 0;
            long seq = -1;
            synchronized (logs) {
                for (int at = f.indexOf(ENTRY_START); at >= 0; at = f.indexOf(ENTRY_START, at + SEQ_OFFSET)) {
                    seq = numberAt(f, at + SEQ_OFFSET);
                    if (n == 0 && seq != first) throw new AssertionError("first " + first + " but the first entry is " + seq);
                    long ts = micros(text(f, at + SEQ_OFFSET, "\"ts\":\""));
                    logs.add(new long[] {seq, nowMicros - ts});
                    n++;
                }
            }
            if (n == 0 || seq != last) throw new AssertionError("last " + last + " but the last entry is " + seq + " in " + f);
            entries += n;
            if (abortAfterFrames > 0 && entries >= abortAfterFrames) abort();
        } else if (f.startsWith("{\"type\":\"hello\"")) {
            protocol = (int) number(f, "\"protocol\":");
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

    /**
     * Epoch microseconds of the server's {@code Instant.toString()} form, {@code 2026-12-01T18:41:13.123456Z}
     * (0, 3, 6 or 9 fraction digits). Read by hand: 50 readers at 10,000 entries/s parse 500,000 of these a
     * second on the machine that also runs the server, and {@code Instant.parse} made the readers, not the
     * server, the bottleneck of the fan-out test. Anything else falls back to {@code Instant.parse}.
     */
    static long micros(String iso) {
        int n = iso.length();
        if (n < 20 || iso.charAt(4) != '-' || iso.charAt(10) != 'T' || iso.charAt(n - 1) != 'Z') {
            java.time.Instant i = java.time.Instant.parse(iso);
            return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
        }
        long days = java.time.LocalDate.of(digits(iso, 0, 4), digits(iso, 5, 7), digits(iso, 8, 10)).toEpochDay();
        long seconds = days * 86_400L + digits(iso, 11, 13) * 3_600L + digits(iso, 14, 16) * 60L + digits(iso, 17, 19);
        long micros = 0;
        int scale = 0;
        for (int i = 20; i < n - 1 && scale < 6; i++, scale++) micros = micros * 10 + (iso.charAt(i) - '0');
        for (; scale < 6; scale++) micros *= 10;
        return seconds * 1_000_000L + micros;
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) v = v * 10 + (s.charAt(i) - '0');
        return v;
    }

    private static long number(String f, String key) {
        return numberAt(f, f.indexOf(key) + key.length());
    }

    private static long numberAt(String f, int i) {
        int j = i;
        while (j < f.length() && (Character.isDigit(f.charAt(j)) || f.charAt(j) == '-')) j++;
        return Long.parseLong(f.substring(i, j));
    }

    private static String text(String f, int from, String key) {
        int i = f.indexOf(key, from) + key.length();
        return f.substring(i, f.indexOf('"', i));
    }
}
