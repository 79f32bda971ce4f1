package org.phong.zenflow.logging.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.phong.zenflow.logging.config.SecuritySettings;

/**
 * Refuses to start a production deployment that still accepts a known password, or that cannot tell.
 *
 * <p>At application start it asks the server's real user registry ({@link JaasCredentialCheck})
 * whether it authenticates any user of {@link LocalCredentials} with its documented password. That
 * catches every way of getting it wrong (the local include left in place, a password variable not
 * set, an LDAP test user with the same password), not one configuration file. It also looks at the
 * database password the dataSource uses ({@code DB_PASSWORD}, server.xml): empty or PostgreSQL's
 * well-known {@code postgres} is refused.
 *
 * <p><b>Fail closed.</b> A registry that cannot answer (LDAP down, misconfigured) is asked again
 * ({@code zenflow.logging.security.registry-check-attempts}, {@code registry-check-delay-ms} apart);
 * when it still cannot answer, production refuses to start too: "could not check" is not "refused".
 * With {@code zenflow.logging.security.profile=production} any of these throws
 * {@link InsecureConfigurationException}, which fails the deployment with a message naming what to
 * set; with {@code local} it only logs a warning. The result is kept for the admin status.
 */
@ApplicationScoped
public class DefaultCredentialGuard {
    private static final Logger LOG = Logger.getLogger(DefaultCredentialGuard.class.getName());
    /** The dataSource's password and user variables (server.xml), which MicroProfile Config sees. */
    public static final String DB_PASSWORD = "DB_PASSWORD";
    public static final String DB_USER = "DB_USER";
    /** Passwords every PostgreSQL guide and image prints. */
    static final List<String> KNOWN_DB_PASSWORDS = List.of("postgres", "password", "changeme");

    @Inject
    SecuritySettings settings;

    @Inject
    Config config;

    private volatile List<String> acceptedDefaults = List.of();

    /** The LDAP server of security-production.xml (server.xml variables and the environment both reach MicroProfile Config). */
    static final String LDAP_HOST = "LDAP_HOST";
    static final String LDAP_PORT = "LDAP_PORT";
    /** LDAPS, as security-production.xml defaults. */
    static final int DEFAULT_LDAP_PORT = 636;
    /** A directory that does not accept a connection within this is taken as unreachable (per attempt). */
    static final int LDAP_CONNECT_TIMEOUT_MS = 3000;

    /** A production deployment with a known password, or one whose registry cannot be checked. */
    public static final class InsecureConfigurationException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        InsecureConfigurationException(String message) {
            super(message);
        }
    }

    /** Waits between attempts; tests pass a no-op. */
    @FunctionalInterface
    public interface Pause {
        void sleep(long millis) throws InterruptedException;
    }

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        CredentialCheck registry = new JaasCredentialCheck();
        // An LDAP registry answers "invalid user ID or password" also when it could not ask the directory.
        String ldapHost = config.getOptionalValue(LDAP_HOST, String.class).orElse("").strip();
        if (!ldapHost.isEmpty()) {
            int ldapPort = config.getOptionalValue(LDAP_PORT, Integer.class).orElse(DEFAULT_LDAP_PORT);
            registry = new LdapReachability(registry, ldapHost, ldapPort, LDAP_CONNECT_TIMEOUT_MS);
        }
        acceptedDefaults = check(settings.profile(), registry, LocalCredentials.DEFAULTS,
                settings.registryCheckAttempts(), settings.registryCheckDelayMs(), Thread::sleep);
        String dbUser = config.getOptionalValue(DB_USER, String.class).orElse("");
        String dbPassword = config.getOptionalValue(DB_PASSWORD, String.class).orElse("");
        checkDatabasePassword(settings.profile(), dbUser, dbPassword);
    }

    /** {@link #check(SecuritySettings.Profile, CredentialCheck, Map, int, long, Pause)} asking each user once. */
    public static List<String> check(SecuritySettings.Profile profile, CredentialCheck registry, Map<String, String> defaults) {
        return check(profile, registry, defaults, 1, 0, ms -> { });
    }

    /**
     * @param profile   the security profile
     * @param registry  the registry to ask
     * @param defaults  user to default password
     * @param attempts  how often a registry that cannot answer is asked (at least 1)
     * @param delayMs   pause between attempts
     * @param pause     how to pause
     * @return the users whose default password the registry accepts (sorted)
     * @throws InsecureConfigurationException with the production profile when that list is not empty, or
     *                                        when the registry could not answer for some user
     */
    public static List<String> check(SecuritySettings.Profile profile, CredentialCheck registry, Map<String, String> defaults,
                                     int attempts, long delayMs, Pause pause) {
        List<String> accepted = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> d : defaults.entrySet()) {
            CredentialCheck.Answer a = registry.check(d.getKey(), d.getValue());
            for (int i = 1; i < attempts && a == CredentialCheck.Answer.UNAVAILABLE; i++) {
                try {
                    pause.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                a = registry.check(d.getKey(), d.getValue());
            }
            if (a == CredentialCheck.Answer.ACCEPTED) accepted.add(d.getKey());
            else if (a == CredentialCheck.Answer.UNAVAILABLE) unknown.add(d.getKey());
        }
        accepted.sort(null);
        unknown.sort(null);
        boolean production = profile == SecuritySettings.Profile.PRODUCTION;
        if (!unknown.isEmpty()) {
            String message = "The user registry could not be asked whether it accepts the local default passwords of " + unknown
                    + " (" + attempts + " attempt(s))";
            if (production) {
                throw new InsecureConfigurationException(message + ": refusing to start with " + SecuritySettings.PROFILE
                        + "=production, because a registry that cannot be checked may accept them. Make the registry reachable"
                        + " (security-production.xml: LDAP_HOST, LDAP_PORT, LDAP_BIND_DN, LDAP_BIND_PASSWORD) and start again;"
                        + " the WARNING of JaasCredentialCheck above says what it answered.");
            }
            LOG.warning(message + " (" + SecuritySettings.PROFILE + "=local: not checked)");
        }
        if (accepted.isEmpty()) {
            if (unknown.isEmpty()) {
                LOG.info("Security profile " + profile + ": the user registry accepts none of the local default passwords");
            }
            return List.of();
        }
        String message = "The user registry accepts the local default password (printed in docs/security.md) of " + accepted;
        if (production) {
            throw new InsecureConfigurationException(message + ": refusing to start with " + SecuritySettings.PROFILE
                    + "=production. Set the passwords (ZENFLOW_*_PASSWORD) or configure the production registry"
                    + " (security-production.xml).");
        }
        LOG.warning(message + " (" + SecuritySettings.PROFILE + "=local: fine for a local run, never for production)");
        return List.copyOf(accepted);
    }

    /**
     * @param profile    the security profile
     * @param dbUser     the dataSource's user
     * @param dbPassword the dataSource's password (empty when unset)
     * @throws InsecureConfigurationException in production when the password is empty, a well-known default
     *                                        or the user name itself
     */
    public static void checkDatabasePassword(SecuritySettings.Profile profile, String dbUser, String dbPassword) {
        boolean weak = dbPassword == null || dbPassword.isBlank() || KNOWN_DB_PASSWORDS.contains(dbPassword)
                || dbPassword.equals(dbUser);
        if (!weak) return;
        String message = "The database password (" + DB_PASSWORD + ") is " + (dbPassword == null || dbPassword.isBlank() ? "not set"
                : "a well-known default or the user name");
        if (profile == SecuritySettings.Profile.PRODUCTION) {
            throw new InsecureConfigurationException(message + ": refusing to start with " + SecuritySettings.PROFILE
                    + "=production. Set " + DB_PASSWORD + " (and " + DB_USER + ") to the database account of this module.");
        }
        LOG.warning(message + " (" + SecuritySettings.PROFILE + "=local: fine for the embedded database, never for production)");
    }

    /** @return the users whose local default password the registry accepted at startup */
    public List<String> acceptedDefaults() {
        return acceptedDefaults;
    }

    /** @return the security profile */
    public SecuritySettings.Profile profile() {
        return settings.profile();
    }
}
