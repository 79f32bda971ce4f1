package org.phong.zenflow.logging.stream;

import java.util.function.Consumer;

/**
 * The transport of one session, as the plain-Java core sees it (a Jakarta WebSocket session, or
 * the long-poll's collector). The core never has more than one {@link #send} outstanding per
 * session, and never calls {@link #ping} while one is (WebSocket containers refuse a ping during a
 * pending asynchronous send).
 */
public interface Outbound {

    /** Close codes the core uses (RFC 6455). */
    int NORMAL = 1000;
    int GOING_AWAY = 1001;
    int POLICY = 1008;
    int INTERNAL = 1011;
    int TRY_AGAIN_LATER = 1013;

    /**
     * Sends one frame without blocking the caller on the network.
     *
     * @param frame the frame
     * @param done  called exactly once, with null when sent or with the failure; may be called
     *              before {@code send} returns
     */
    void send(Frame frame, Consumer<Throwable> done);

    /** Pings the peer (best effort; a pong is reported to {@link Subscription#heard()}). */
    void ping();

    /**
     * Closes the session; may do I/O, so the core calls it from an executor, never a router worker.
     *
     * @param code   a close code above
     * @param reason at most 123 UTF-8 bytes
     */
    void close(int code, String reason);
}
