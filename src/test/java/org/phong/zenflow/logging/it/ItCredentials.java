package org.phong.zenflow.logging.it;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Who an IT request is sent as. The users are the local run's basicRegistry
 * (src/main/liberty/config/security-local.xml, listed in docs/security.md): {@link #ALL_ROLES} has writer, reader
 * and admin and is what every IT uses unless it says otherwise; the others hold one role each.
 * {@link #NONE} sends no Authorization header; {@link #WRONG_PASSWORD} a known user with a bad password.
 *
 * @param user     the user name, null for none
 * @param password the password
 */
public record ItCredentials(String user, String password) {
    /** writer + reader + admin: the default of every IT helper. */
    public static final ItCredentials ALL_ROLES =
            new ItCredentials(System.getProperty("it.user", "zenflow"), System.getProperty("it.password", "zenflow-local"));
    /** Only the writer role. */
    public static final ItCredentials WRITER = new ItCredentials("writer", "writer-local");
    /** Only the reader role. */
    public static final ItCredentials READER = new ItCredentials("reader", "reader-local");
    /** Only the admin role. */
    public static final ItCredentials ADMIN = new ItCredentials("admin", "admin-local");
    /** No Authorization header at all. */
    public static final ItCredentials NONE = new ItCredentials(null, null);
    /** A known user, a wrong password. */
    public static final ItCredentials WRONG_PASSWORD = new ItCredentials("zenflow", "not-the-password");

    /** @return the {@code Authorization} header value, or null for {@link #NONE} */
    public String header() {
        if (user == null) return null;
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return user == null ? "no credentials" : "user " + user;
    }
}
