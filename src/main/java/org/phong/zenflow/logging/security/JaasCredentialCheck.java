package org.phong.zenflow.logging.security;

import java.util.logging.Level;
import java.util.logging.Logger;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

/**
 * A {@link CredentialCheck} against the server's configured user registry (basicRegistry, LDAP, ...)
 * through Liberty's JAAS login configuration {@code WSLogin} (programmatic login): the same
 * registry the HTTP BASIC login uses, whatever server.xml configures. Only standard JAAS types are
 * used (NameCallback, PasswordCallback); other callbacks Liberty may offer are left unanswered.
 */
public final class JaasCredentialCheck implements CredentialCheck {
    private static final Logger LOG = Logger.getLogger(JaasCredentialCheck.class.getName());
    /** Liberty's built-in JAAS entry for programmatic logins against the user registry. */
    static final String LOGIN_CONFIGURATION = "WSLogin";

    @Override
    public boolean accepts(String user, String password) {
        try {
            LoginContext lc = new LoginContext(LOGIN_CONFIGURATION, callbacks -> {
                for (Callback c : callbacks) {
                    if (c instanceof NameCallback n) n.setName(user);
                    else if (c instanceof PasswordCallback p) p.setPassword(password.toCharArray());
                }
            });
            lc.login();
            try {
                lc.logout();
            } catch (LoginException ignored) {
                // the subject is discarded anyway
            }
            return true;
        } catch (LoginException e) {
            LOG.log(Level.FINE, "Registry refused the local default password of " + user, e);
            return false;
        } catch (RuntimeException e) {
            // A registry that cannot answer (LDAP down, misconfigured) accepts nobody; Liberty logs its own error.
            LOG.log(Level.WARNING, "The user registry could not check the local default password of " + user, e);
            return false;
        }
    }
}
