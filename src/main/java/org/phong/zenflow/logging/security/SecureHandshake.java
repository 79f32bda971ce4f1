package org.phong.zenflow.logging.security;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Set;
import java.util.logging.Logger;
import org.phong.zenflow.logging.config.SecuritySettings;

/**
 * Handshake guard of the live-tail WebSocket endpoint ({@code /ws/runs/{runId}}):
 * {@code @ServerEndpoint(value = "/ws/runs/{runId}", configurator = SecureHandshake.class)}.
 *
 * <ol>
 *   <li><b>Origin</b> ({@link #checkOrigin}): a browser always sends Origin on a WebSocket handshake,
 *       and browsers let any page open a WebSocket to any host with the user's cookies/credentials
 *       (cross-site WebSocket hijacking). Only origins in {@code zenflow.logging.security.allowed-origins}
 *       pass; the container answers anything else with 403. A handshake without Origin (a
 *       non-browser client, which cannot be a CSWSH victim) passes this check.</li>
 *   <li><b>Role</b> ({@link #modifyHandshake}): the caller must be authenticated and in the
 *       {@link Roles#READER} role. web.xml already constrains {@code /ws/*} to the reader role (the
 *       handshake then fails with 401/403 before the upgrade); this check is the second line should
 *       that constraint ever be edited away: it refuses the upgrade with a {@link SecurityException}.</li>
 * </ol>
 *
 * <p>The container instantiates configurators itself, so the settings are looked up through CDI on
 * first use; tests pass them to the constructor.
 */
public class SecureHandshake extends ServerEndpointConfig.Configurator {
    private static final Logger LOG = Logger.getLogger(SecureHandshake.class.getName());

    private volatile Set<String> allowedOrigins;

    /** For the container: settings from CDI on first use. */
    public SecureHandshake() {
    }

    /** @param settings the allowed origins */
    public SecureHandshake(SecuritySettings settings) {
        this.allowedOrigins = settings.allowedOrigins();
    }

    private Set<String> allowed() {
        Set<String> a = allowedOrigins;
        if (a == null) allowedOrigins = a = CDI.current().select(SecuritySettings.class).get().allowedOrigins();
        return a;
    }

    /**
     * @param originHeaderValue the Origin header, or null when absent
     * @return true when absent or one of the allowed origins (compared normalized)
     */
    @Override
    public boolean checkOrigin(String originHeaderValue) {
        if (originHeaderValue == null || originHeaderValue.isEmpty()) return true;
        String normalized = SecuritySettings.normalizeOrigin(originHeaderValue);
        boolean ok = normalized != null && allowed().contains(normalized);
        if (!ok) LOG.warning(() -> "WebSocket handshake from origin '" + originHeaderValue + "' refused (not in "
                + SecuritySettings.ALLOWED_ORIGINS + ")");
        return ok;
    }

    /**
     * @throws SecurityException when the caller is not authenticated or not a reader
     */
    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        requireReader(request);
        super.modifyHandshake(sec, request, response);
    }

    /**
     * @param request a handshake request
     * @throws SecurityException when its user is not authenticated or not a reader
     */
    public static void requireReader(HandshakeRequest request) {
        if (request.getUserPrincipal() == null || !request.isUserInRole(Roles.READER)) {
            throw new SecurityException("a live tail needs an authenticated user in the '" + Roles.READER + "' role");
        }
    }
}
