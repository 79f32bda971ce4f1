package org.phong.zenflow.logging.security;

/** Asks the server's user registry whether it accepts a user name and password. */
@FunctionalInterface
public interface CredentialCheck {
    /**
     * @param user     a user name
     * @param password a password
     * @return true when the registry authenticates them
     */
    boolean accepts(String user, String password);
}
