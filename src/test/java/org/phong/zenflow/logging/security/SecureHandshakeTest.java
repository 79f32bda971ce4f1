package org.phong.zenflow.logging.security;

import static org.junit.jupiter.api.Assertions.*;

import jakarta.websocket.server.HandshakeRequest;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.config.ConfigReader;
import org.phong.zenflow.logging.config.SecuritySettings;

class SecureHandshakeTest {
    private static SecureHandshake handshake(String origins) {
        Properties p = new Properties();
        p.setProperty(SecuritySettings.ALLOWED_ORIGINS, origins);
        return new SecureHandshake(SecuritySettings.from(ConfigReader.overProperties(p)));
    }

    /** A handshake request of a user with the given roles (null user: anonymous). */
    private static HandshakeRequest request(String user, Set<String> roles) {
        return new HandshakeRequest() {
            @Override public Map<String, List<String>> getHeaders() { return Map.of(); }
            @Override public Principal getUserPrincipal() { return user == null ? null : () -> user; }
            @Override public URI getRequestURI() { return URI.create("/ws/runs/x"); }
            @Override public boolean isUserInRole(String role) { return user != null && roles.contains(role); }
            @Override public Object getHttpSession() { return null; }
            @Override public Map<String, List<String>> getParameterMap() { return Map.of(); }
            @Override public String getQueryString() { return null; }
        };
    }


    @Test
    void onlyConfiguredOriginsPassComparedNormalized() {
        SecureHandshake h = handshake("https://app.example.com, http://localhost:9080");
        assertTrue(h.checkOrigin("https://app.example.com"));
        assertTrue(h.checkOrigin("HTTPS://APP.example.com:443"));
        assertTrue(h.checkOrigin("http://localhost:9080"));
        assertFalse(h.checkOrigin("http://localhost:9081"));
        assertFalse(h.checkOrigin("https://evil.example"));
        assertFalse(h.checkOrigin("https://app.example.com.evil.example"));
        assertFalse(h.checkOrigin("http://app.example.com"), "scheme matters");
        assertFalse(h.checkOrigin("null"), "sandboxed iframes and file: pages send the origin 'null'");
        assertTrue(h.checkOrigin(null), "no Origin header: not a browser");
        assertFalse(handshake("").checkOrigin("http://localhost:9080"), "an empty list allows no browser origin");
    }

    @Test
    void theReaderRoleIsRequired() {
        // modifyHandshake() calls this first; its super call needs a WebSocket container.
        SecureHandshake.requireReader(request("r", Set.of(Roles.READER)));
        SecureHandshake.requireReader(request("all", Set.of(Roles.READER, Roles.WRITER, Roles.ADMIN)));
        SecurityException anonymous = assertThrows(SecurityException.class, () -> SecureHandshake.requireReader(request(null, Set.of())));
        assertTrue(anonymous.getMessage().contains(Roles.READER));
        assertThrows(SecurityException.class, () -> SecureHandshake.requireReader(request("w", Set.of(Roles.WRITER))));
        assertThrows(SecurityException.class, () -> SecureHandshake.requireReader(request("a", Set.of(Roles.ADMIN))));
    }
}
