package org.phong.zenflow.logging.security;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.logging.Logger;

/**
 * The LDAP server in front of a {@link CredentialCheck}: Liberty's LDAP registry answers a login it could not
 * even send (host unknown, connection refused, timed out) with the same "invalid user ID or password" as a
 * real refusal, so the JAAS answer alone cannot tell "refused" from "could not ask". When the production
 * registry is LDAP ({@code LDAP_HOST} set, as {@code security-production.xml} reads it), the guard first opens
 * a TCP connection to {@code LDAP_HOST:LDAP_PORT}; if that fails, every answer is
 * {@link CredentialCheck.Answer#UNAVAILABLE} and production fails closed. A reachable server proves only that
 * the registry could be asked; the JAAS answer then decides.
 */
final class LdapReachability implements CredentialCheck {
    private static final Logger LOG = Logger.getLogger(LdapReachability.class.getName());

    private final CredentialCheck registry;
    private final String host;
    private final int port;
    private final int timeoutMs;
    /** Null until probed; then the reason it is unreachable, or "" when it answered. */
    private String unreachable;

    /**
     * @param registry  the check to ask when the LDAP server is reachable
     * @param host      LDAP_HOST
     * @param port      LDAP_PORT
     * @param timeoutMs how long a connection attempt may take
     */
    LdapReachability(CredentialCheck registry, String host, int port, int timeoutMs) {
        this.registry = registry;
        this.host = host;
        this.port = port;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public Answer check(String user, String password) {
        String why = probe();
        if (!why.isEmpty()) return Answer.UNAVAILABLE;
        return registry.check(user, password);
    }

    /** @return why the LDAP server cannot be reached, or "" when a connection was opened (asked again after a failure) */
    synchronized String probe() {
        if ("".equals(unreachable)) return unreachable;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            unreachable = "";
        } catch (IOException | IllegalArgumentException e) {
            unreachable = "LDAP_HOST " + host + ", LDAP_PORT " + port + ": " + e;
            LOG.warning("The LDAP registry cannot be reached (" + unreachable + "): the local default passwords cannot be checked");
        }
        return unreachable;
    }
}
