package org.phong.zenflow.logging.security;

import java.util.Map;

/**
 * The users and default passwords of the local basicRegistry (src/main/liberty/config/security-local.xml,
 * printed in docs/security.md). They are public, so the production profile must never accept them
 * ({@link DefaultCredentialGuard}). LocalCredentialsTest reads security-local.xml and fails when the
 * two lists drift apart.
 */
public final class LocalCredentials {
    /** User name to its local default password, in the order of security-local.xml. */
    public static final Map<String, String> DEFAULTS = Map.of(
            "zenflow", "zenflow-local",
            "writer", "writer-local",
            "reader", "reader-local",
            "admin", "admin-local");

    private LocalCredentials() {
    }
}
