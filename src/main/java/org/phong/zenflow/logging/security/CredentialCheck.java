package org.phong.zenflow.logging.security;

/**
 * Asks the server's user registry whether it accepts a user name and password. The answer has three
 * values, not two: a registry that could not answer (LDAP down, misconfigured) is not a registry that
 * refused, and the production guard fails closed on it.
 */
@FunctionalInterface
public interface CredentialCheck {
    /** What the registry said. */
    enum Answer {
        /** It authenticated the user with that password. */
        ACCEPTED,
        /** It answered and refused (wrong password, unknown user). */
        REFUSED,
        /** It could not be asked (unreachable, misconfigured, an unexpected failure). */
        UNAVAILABLE
    }

    /**
     * @param user     a user name
     * @param password a password
     * @return the registry's answer
     */
    Answer check(String user, String password);
}
