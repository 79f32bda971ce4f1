package org.phong.zenflow.logging.security;

/**
 * The application's three roles. Resources name them in {@code @RolesAllowed}; server.xml binds them
 * to registry groups ({@code application-bnd}); web.xml declares them.
 *
 * <ul>
 *   <li>{@link #WRITER}: ingest entries ({@code POST /api/v1/logs}) and send run events
 *       ({@code POST /api/v1/runs/{id}/start|end}).</li>
 *   <li>{@link #READER}: read a run's history, list runs, open live tails (WebSocket handshake).</li>
 *   <li>{@link #ADMIN}: operational endpoints ({@code /api/v1/admin/*}) and, in production, {@code /metrics}.</li>
 * </ul>
 * Roles do not imply each other: a user who both writes and reads is in both groups.
 */
public final class Roles {
    /** May ingest entries and send run events. */
    public static final String WRITER = "writer";
    /** May read history, list runs and open live tails. */
    public static final String READER = "reader";
    /** May use the operational endpoints. */
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
