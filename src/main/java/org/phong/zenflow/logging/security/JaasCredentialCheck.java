package org.phong.zenflow.logging.security;

import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

/**
 * A {@link CredentialCheck} against the server's configured user registry (basicRegistry, LDAP, ...)
 * through Liberty's JAAS login configuration {@code WSLogin} (programmatic login): the same
 * registry the HTTP BASIC login uses, whatever server.xml configures. Only standard JAAS types are
 * used (NameCallback, PasswordCallback); other callbacks Liberty may offer are left unanswered.
 *
 * <p>A failed login is a refusal only when it says so ({@link #classify}): a
 * {@link FailedLoginException}, or Liberty's messages for a bad user id or password. Anything else
 * (a naming or connection failure of LDAP, a registry exception, a runtime exception, a message we do
 * not know) is {@link Answer#UNAVAILABLE}: the guard must not take "could not ask" for "refused".
 */
public final class JaasCredentialCheck implements CredentialCheck {
    private static final Logger LOG = Logger.getLogger(JaasCredentialCheck.class.getName());
    /** Liberty's built-in JAAS entry for programmatic logins against the user registry. */
    static final String LOGIN_CONFIGURATION = "WSLogin";
    /**
     * Markers of a registry that could not answer, in an exception's class name or message (checked
     * first: an unreachable LDAP server also ends in a failed login). CWIML4520E/CWIML4507E: LDAP
     * operation/connection failures of Liberty's federated registry; CWIML0515E: the repository is down.
     */
    static final List<String> UNAVAILABLE_MARKERS = List.of("namingexception", "communicationexception", "connectexception",
            "serviceunavailable", "registryexception", "timeout", "cwiml4520e", "cwiml4507e", "cwiml0515e", "connection refused",
            "unknownhost");
    /**
     * Markers of an answered refusal. CWWKS1100A: authentication did not succeed, invalid user id or password;
     * CWIML4537E: the principal is not found in the repository; CWIML4529E: invalid credentials.
     */
    static final List<String> REFUSED_MARKERS = List.of("cwwks1100a", "cwiml4537e", "cwiml4529e", "invalid credentials",
            "password is incorrect", "invalid user");

    @Override
    public Answer check(String user, String password) {
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
            return Answer.ACCEPTED;
        } catch (LoginException e) {
            Answer a = classify(e);
            LOG.log(a == Answer.REFUSED ? Level.FINE : Level.WARNING,
                    "The user registry " + (a == Answer.REFUSED ? "refused" : "could not check") + " the local default password of "
                            + user + ": " + chain(e), a == Answer.REFUSED ? e : null);
            return a;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "The user registry could not check the local default password of " + user + ": " + chain(e));
            return Answer.UNAVAILABLE;
        }
    }

    /**
     * @param e why a login failed
     * @return {@link Answer#UNAVAILABLE} when any exception of the chain names a registry that could not
     *         answer; {@link Answer#REFUSED} when the chain says the credentials were wrong; otherwise
     *         (unknown) {@link Answer#UNAVAILABLE}: fail closed
     */
    static Answer classify(Throwable e) {
        String text = chain(e).toLowerCase(Locale.ROOT);
        for (String m : UNAVAILABLE_MARKERS) if (text.contains(m)) return Answer.UNAVAILABLE;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof FailedLoginException) return Answer.REFUSED;
        }
        for (String m : REFUSED_MARKERS) if (text.contains(m)) return Answer.REFUSED;
        return Answer.UNAVAILABLE;
    }

    /** @return every exception of the chain as {@code class: message}, joined (at most 8) */
    static String chain(Throwable e) {
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (Throwable t = e; t != null && n < 8; t = t.getCause() == t ? null : t.getCause(), n++) {
            if (b.length() > 0) b.append(" <- ");
            b.append(t.getClass().getName()).append(": ").append(t.getMessage());
        }
        return b.toString();
    }
}
