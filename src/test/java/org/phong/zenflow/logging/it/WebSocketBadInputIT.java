package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket half of the bad-input suite (the HTTP half is {@link BadInputIT}): generated
 * hostile handshakes (run ids, afterSeq and minLevel values with SQL and HTML fragments, control
 * characters, huge and negative numbers, broken percent-encoding), hostile frames sent by the client,
 * foreign Origins and missing credentials. Each one must end in a handshake refusal (4xx) or a clean
 * close with a code and a reason naming the parameter - never a 5xx, a hang or a frame of another
 * run - and afterwards the server is still ready and still streams a run exactly.
 */
class WebSocketBadInputIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Generated handshakes ({@code -Dit.hostile.handshakes}); each is one connection attempt. */
    private static final int HANDSHAKES = Integer.getInteger("it.hostile.handshakes", 400);
    /** Fragments every generated value is built from. */
    private static final List<String> HOSTILE = List.of(
            "'; DROP TABLE logs; --", "<script>alert(1)</script>", "\u0000", "\t\n\r", "\u202e", "\ud83d\ude00",
            "%", "%zz", "..%2F..%2Fetc%2Fpasswd", "9223372036854775808", "-1", "1e9", "0x10", " 1", "NaN",
            "null", "[]", "{}", "\\N", "\\.", "a".repeat(5000), "DEBUG;ERROR", "error ", "INFO\u0000");

    @Test
    void hostileHandshakesAndFramesAreRefusedOrClosedCleanly() throws Exception {
        String run = StreamIT.newRun();
        StreamIT.load(run, 50, 0);
        Random rnd = new Random(42);
        List<String> paths = new ArrayList<>();
        List<Boolean> valid = new ArrayList<>();
        for (int i = 0; i < HANDSHAKES; i++) {
            String v = HOSTILE.get(rnd.nextInt(HOSTILE.size())) + (rnd.nextBoolean() ? HOSTILE.get(rnd.nextInt(HOSTILE.size())) : "");
            String q = URLEncoder.encode(v, StandardCharsets.UTF_8);
            paths.add(switch (i % 8) {
                case 0 -> "/ws/runs/" + run + "?afterSeq=" + q;
                case 1 -> "/ws/runs/" + run + "?minLevel=" + q;
                case 2 -> "/ws/runs/" + q.replace("+", "%20");
                case 3 -> "/ws/runs/" + run + "?afterSeq=" + rnd.nextInt(10) + "&minLevel=" + q;
                case 4 -> "/ws/runs/" + run + "?q=" + q;
                case 5 -> "/ws/runs/" + run + "?nodeKey=" + q;
                case 6 -> "/ws/runs/" + run + "?from=" + q;
                default -> "/ws/runs/" + run + "?from=2026-01-01T00:00:00Z&to=" + q;
            });
            // A few fragments are legitimate once trimmed ("error " is a level, " 1" a seq; blank means
            // the default; any text of up to 200 characters is a search or a node name): those must open.
            String t = v.strip();
            valid.add(switch (i % 8) {
                case 0 -> t.matches("\\d{0,18}");
                case 2 -> false;
                case 4 -> t.length() <= org.phong.zenflow.logging.api.LogFilter.MAX_TEXT_CHARS && t.indexOf('\u0000') < 0;
                case 5 -> t.indexOf('\u0000') < 0;
                case 6 -> t.isEmpty() || isInstant(t);
                case 7 -> t.isEmpty() || isInstant(t) && java.time.Instant.parse(t).isAfter(java.time.Instant.parse("2026-01-01T00:00:00Z"));
                default -> List.of("", "DEBUG", "INFO", "WARN", "ERROR").contains(t.toUpperCase(java.util.Locale.ROOT));
            });
        }
        int refused = 0, closed = 0, opened = 0, raw = 0;
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i);
            Outcome o = attempt(path, null);
            if (o.clientRefused) {
                // The JDK client refused to send this URI: the server never saw it. Send the same bytes
                // over a plain socket, so what is judged below is the SERVER's answer.
                o = rawHandshake(path);
                raw++;
            }
            if (valid.get(i)) {
                assertEquals(-1, o.closeCode, "a legitimate value opens the tail: " + path + " -> " + o);
                opened++;
                continue;
            }
            assertTrue(o.handshakeStatus >= 400 && o.handshakeStatus < 500 || o.closeCode == 1008,
                    path + " -> " + o);
            if (o.closeCode == 1008) {
                closed++;
                assertTrue(o.reason.contains("afterSeq") || o.reason.contains("minLevel") || o.reason.contains("runId")
                                || o.reason.contains("q ") || o.reason.contains("nodeKey") || o.reason.contains("from") || o.reason.contains("to"),
                        "the reason names the parameter: " + path + " -> " + o);
                assertEquals(0, o.frames, "no frame before a 1008 close: " + path);
            } else {
                refused++;
            }
        }
        // Hostile frames from the client on a valid session: the server does not take input on this
        // endpoint, so any frame ends the session with a clean close (or is ignored), never an error page.
        for (int i = 0; i < 40; i++) {
            String text = HOSTILE.get(i % HOSTILE.size());
            Outcome o = attempt("/ws/runs/" + run + "?afterSeq=0", ws -> sendHostile(ws, text));
            assertTrue(o.closeCode == -1 || o.closeCode == 1000 || o.closeCode == 1003 || o.closeCode == 1008
                    || o.closeCode == 1009, "client frame '" + printable(text) + "' -> " + o);
        }
        // A page from a foreign origin, and a client without credentials, are refused at the handshake.
        assertEquals(403, handshakeStatus(ItEnvironment.wsUri("/ws/runs/" + run),
                HttpClient.newHttpClient().newWebSocketBuilder()
                        .header("Authorization", ItCredentials.READER.header()).header("Origin", "https://evil.example")));
        assertEquals(401, handshakeStatus(ItEnvironment.wsUri("/ws/runs/" + run),
                HttpClient.newHttpClient().newWebSocketBuilder()));
        assertEquals(403, handshakeStatus(ItEnvironment.wsUri("/ws/runs/" + run),
                HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", ItCredentials.WRITER.header())));
        System.out.println("websocket bad input: " + paths.size() + " hostile handshakes (" + refused + " refused 4xx, "
                + closed + " closed 1008 naming the parameter, " + opened
                + " legitimate once trimmed and opened; " + raw + " of them refused by the JDK client and sent over a raw socket), "
                + "40 hostile client frames, foreign origin 403, "
                + "no credentials 401, writer 403");

        ItEnvironment.awaitReady(); // asserts readiness answers 200
        Outcome good = attempt("/ws/runs/" + run + "?afterSeq=0", null);
        assertEquals(50, good.entries(), "a valid client still gets the run's 50 entries then caught-up: " + good);
    }

    private static boolean isInstant(String s) {
        try {
            java.time.Instant.parse(s);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    private static CompletionStage<?> sendHostile(WebSocket ws, String text) {
        return ws.sendText(text, true).thenCompose(w -> w.sendBinary(ByteBuffer.wrap(new byte[]{(byte) 0xff, 0, (byte) 0xc3}), true));
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(40).forEach(c -> b.append(c < 0x20 ? String.format("\\u%04x", c) : Character.toString(c)));
        return b.toString();
    }

    /** What one attempt ended in: a handshake status (4xx), or frames received and the close. */
    record Outcome(int handshakeStatus, int frames, int closeCode, String reason, int entries, boolean clientRefused) {
        Outcome(int handshakeStatus, int frames, int closeCode, String reason) {
            this(handshakeStatus, frames, closeCode, reason, 0, false);
        }

        Outcome(int handshakeStatus, int frames, int closeCode, String reason, int entries) {
            this(handshakeStatus, frames, closeCode, reason, entries, false);
        }
    }

    /**
     * The handshake of {@code path} (sent byte for byte as given, as a reader, from an allowed Origin)
     * over a plain socket: the server's status line, and after a 101 the first frame it sends (a close
     * with its code and reason, or a text frame). For URIs the JDK client refuses to send.
     */
    private static Outcome rawHandshake(String path) throws Exception {
        java.net.URI base = java.net.URI.create(ItEnvironment.baseUrl());
        try (java.net.Socket s = new java.net.Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout((int) WAIT.toMillis());
            String key = java.util.Base64.getEncoder().encodeToString(new byte[16]);
            String req = "GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key
                    + "\r\nAuthorization: " + ItCredentials.READER.header() + "\r\n\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
            String status = line(in);
            String[] parts = status.split(" ");
            assertTrue(parts.length >= 2 && parts[0].startsWith("HTTP/1."), "a status line for " + path + ": '" + status + "'");
            int code = Integer.parseInt(parts[1]);
            while (!line(in).isEmpty()) {
                // headers
            }
            if (code != 101) return new Outcome(code, 0, 0, "raw: " + status);
            int b0 = in.readUnsignedByte();
            int len = in.readUnsignedByte() & 0x7f;
            if (len == 126) len = in.readUnsignedShort();
            else if (len == 127) len = (int) in.readLong();
            byte[] payload = new byte[len];
            in.readFully(payload);
            if ((b0 & 0x0f) == 0x8) {
                int close = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                return new Outcome(0, 0, close, new String(payload, 2, Math.max(0, payload.length - 2), StandardCharsets.UTF_8));
            }
            return new Outcome(0, 1, -1, "raw: first frame " + new String(payload, StandardCharsets.UTF_8));
        }
    }

    private static String line(java.io.DataInputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') if (c != '\r') b.append((char) c);
        return b.toString();
    }

    /**
     * Opens {@code path} as a reader, optionally acts on the open socket, and waits until the server
     * closes it, the handshake is refused, or (after {@code act}) 2 s of quiet pass.
     */
    private static Outcome attempt(String path, java.util.function.Function<WebSocket, CompletionStage<?>> act) throws Exception {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        AtomicLong frames = new AtomicLong();
        AtomicLong entries = new AtomicLong();
        StringBuilder message = new StringBuilder();
        WebSocket.Listener l = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                message.append(data);
                if (last) {
                    frames.incrementAndGet();
                    String m = message.toString();
                    message.setLength(0);
                    if (m.startsWith("{\"type\":\"logs\"")) entries.addAndGet(m.split("\"workflowId\":", -1).length - 1);
                }
                if (data.toString().contains("\"caught-up\"") && act == null) {
                    done.complete(new Outcome(0, (int) frames.get(), -1, "", (int) entries.get()));
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                done.complete(new Outcome(0, (int) frames.get(), code, reason));
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                done.complete(new Outcome(0, (int) frames.get(), -2, String.valueOf(error)));
            }
        };
        WebSocket ws;
        try {
            ws = ItEnvironment.openWebSocket(path, l).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) return new Outcome(h.getResponse().statusCode(), 0, 0, "");
            // not the server's answer: the JDK client refused to send the URI (the caller sends it raw)
            if (e.getCause() instanceof IllegalArgumentException) return new Outcome(0, 0, 0, "client refused the URI", 0, true);
            throw e;
        } catch (IllegalArgumentException e) {
            return new Outcome(0, 0, 0, "client refused the URI", 0, true);
        }
        try {
            if (act != null) {
                act.apply(ws);
                try {
                    return done.get(2, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException quiet) {
                    return new Outcome(0, (int) frames.get(), -1, "still open, frames ignored");
                }
            }
            return done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            ws.abort();
        }
    }

    private static int handshakeStatus(java.net.URI uri, WebSocket.Builder b) throws Exception {
        try {
            WebSocket ws = b.connectTimeout(WAIT).buildAsync(uri, new WebSocket.Listener() { }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            ws.abort();
            return 101;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) return h.getResponse().statusCode();
            throw e;
        }
    }
}
