package org.phong.zenflow.logging.stream.web;

import org.phong.zenflow.logging.config.BoundSettings;
import org.phong.zenflow.logging.security.ConcurrencyLimit;
import org.phong.zenflow.logging.security.RequestBounds;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogFilter;
import org.phong.zenflow.logging.cdi.LoggingModule;
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.stream.Frame;
import org.phong.zenflow.logging.stream.Outbound;
import org.phong.zenflow.logging.stream.StreamHub;
import org.phong.zenflow.logging.stream.Subscription;

/**
 * {@code /ws/runs/{runId}?afterSeq=N&protocol=2&minLevel=L&nodeKey=K&q=TEXT&from=T&to=T}: one
 * {@link Subscription} per session over Jakarta WebSocket async sends. Bad parameters close 1008
 * with a reason naming the parameter; a {@code protocol} other than {@value Frame#PROTOCOL} too.
 * Anything the client sends (a pong, or any text) counts as a sign of life for the pinger.
 */
public class RunStreamEndpoint extends Endpoint {
    private static final Logger LOG = Logger.getLogger(RunStreamEndpoint.class.getName());
    private static final String SUBSCRIPTION = "zenflow.subscription";
    /** User property: the user whose session place this session holds (released once). */
    private static final String HELD = "zenflow.sessionPlace";
    private static final String NO_USER = "\u0000anonymous";
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        UUID runId;
        long afterSeq;
        LogFilter filter;
        try {
            runId = LogEntryJson.parseUuid("runId", session.getPathParameters().get("runId"));
            Map<String, List<String>> q = session.getRequestParameterMap();
            protocol(first(q, "protocol"));
            afterSeq = afterSeq(first(q, "afterSeq"));
            filter = LogFilter.parse(first(q, "minLevel"), first(q, "nodeKey"), first(q, "q"), first(q, "from"), first(q, "to"));
        } catch (InvalidLogEntryException e) {
            close(session, CloseReason.CloseCodes.VIOLATED_POLICY, e.getMessage());
            return;
        }
        StreamHub hub = hub();
        if (hub == null) {
            close(session, CloseReason.CloseCodes.TRY_AGAIN_LATER, "server starting");
            return;
        }
        // Bounded: sessions in total and per user (each holds a subscription, a queue and a ping timer).
        ConcurrencyLimit limit = sessions();
        String user = session.getUserPrincipal() == null ? null : session.getUserPrincipal().getName();
        String refused = limit.tryAcquire(user);
        if (refused != null) {
            close(session, CloseReason.CloseCodes.TRY_AGAIN_LATER, refused.equals("per-user")
                    ? "too many live tails of this user (" + BoundSettings.MAX_SESSIONS_PER_USER + ")"
                    : "too many live tails (" + BoundSettings.MAX_SESSIONS + ")");
            return;
        }
        session.getUserProperties().put(HELD, user == null ? NO_USER : user);
        session.setMaxIdleTimeout(0); // liveness is the pinger's job (ping-interval-ms / pong-timeout-ms)
        Subscription sub = hub.subscribe(runId, afterSeq, filter, new SessionOutbound(session));
        session.getUserProperties().put(SUBSCRIPTION, sub);
        session.addMessageHandler(PongMessage.class, pong -> sub.heard());
        session.addMessageHandler(String.class, text -> sub.heard());
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        releaseSlot(session);
        Object s = session.getUserProperties().get(SUBSCRIPTION);
        if (s instanceof Subscription sub) sub.closedByPeer();
    }

    @Override
    public void onError(Session session, Throwable error) {
        LOG.log(Level.FINE, "Live-tail session error", error);
        releaseSlot(session);
        Object s = session.getUserProperties().get(SUBSCRIPTION);
        if (s instanceof Subscription sub) sub.closedByPeer();
    }

    /** Gives the session's place back, once (onError and onClose may both run). */
    private static void releaseSlot(Session session) {
        Object held = session.getUserProperties().remove(HELD);
        if (held instanceof String user) sessions().release(user.equals(NO_USER) ? null : user);
    }

    private static ConcurrencyLimit sessions() {
        return CDI.current().select(RequestBounds.class).get().sessions();
    }

    private static StreamHub hub() {
        LoggingModule m = CDI.current().select(LoggingModule.class).get();
        return m.streamOrNull();
    }

    static String first(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** The client's protocol version: absent means the current one; any other version is refused (1008). */
    static void protocol(String raw) {
        if (raw == null || raw.isBlank() || raw.strip().equals(String.valueOf(Frame.PROTOCOL))) return;
        throw new InvalidLogEntryException("protocol", "must be " + Frame.PROTOCOL + " (the only version this server speaks), not '"
                + raw + "'");
    }

    static long afterSeq(String raw) {
        if (raw == null || raw.isBlank()) return 0;
        try {
            long v = Long.parseLong(raw.trim());
            if (v >= 0) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidLogEntryException("afterSeq", "must be a whole number from 0, not '" + raw + "'");
    }

    private static void close(Session session, CloseReason.CloseCode code, String reason) {
        try {
            session.close(new CloseReason(code, truncate(reason)));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Closing a live-tail session", e);
        }
    }

    /** A close reason may hold at most 123 UTF-8 bytes (RFC 6455); longer ones are cut on a character boundary. */
    static String truncate(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return b.length <= 123 ? s : new String(b, 0, 123, java.nio.charset.StandardCharsets.UTF_8).replace("\uFFFD", "");
    }

    /** The core's view of a Jakarta session: async text sends, async pings, close with a reason. */
    private static final class SessionOutbound implements Outbound {
        private final Session session;

        SessionOutbound(Session session) {
            this.session = session;
        }

        @Override
        public void send(Frame frame, Consumer<Throwable> done) {
            try {
                session.getAsyncRemote().sendText(frame.text(), r -> done.accept(r.isOK() ? null : r.getException()));
            } catch (RuntimeException e) {
                done.accept(e);
            }
        }

        @Override
        public void ping() {
            try {
                session.getAsyncRemote().sendPing(EMPTY.duplicate());
            } catch (IOException | RuntimeException e) {
                // A closing session (the core never pings during a send): the next interval tries again; silence closes it.
                LOG.log(Level.FINEST, "Ping not sent", e);
            }
        }

        @Override
        public void close(int code, String reason) {
            RunStreamEndpoint.close(session, CloseReason.CloseCodes.getCloseCode(code), reason);
        }
    }
}
