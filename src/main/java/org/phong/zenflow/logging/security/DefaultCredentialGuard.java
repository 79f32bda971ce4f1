package org.phong.zenflow.logging.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.phong.zenflow.logging.config.SecuritySettings;

/**
 * Refuses to start a production deployment that still accepts a local default password.
 *
 * <p>At application start it asks the server's real user registry ({@link JaasCredentialCheck})
 * whether it authenticates any user of {@link LocalCredentials} with its documented password. That
 * catches every way of getting it wrong (the local include left in place, a password variable not
 * set, an LDAP test user with the same password), not one configuration file. With
 * {@code zenflow.logging.security.profile=production} a single accepted default throws
 * {@link InsecureConfigurationException}, which fails the deployment (the server log names the
 * users); with {@code local} it only logs a warning. The result is kept for the admin status.
 */
@ApplicationScoped
public class DefaultCredentialGuard {
    private static final Logger LOG = Logger.getLogger(DefaultCredentialGuard.class.getName());

    @Inject
    SecuritySettings settings;

    private volatile List<String> acceptedDefaults = List.of();

    /** A production deployment with a known password. */
    public static final class InsecureConfigurationException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        InsecureConfigurationException(String message) {
            super(message);
        }
    }

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        acceptedDefaults = check(settings.profile(), new JaasCredentialCheck(), LocalCredentials.DEFAULTS);
    }

    /**
     * @param profile   the security profile
     * @param registry  the registry to ask
     * @param defaults  user to default password
     * @return the users whose default password the registry accepts (sorted)
     * @throws InsecureConfigurationException with the production profile when that list is not empty
     */
    public static List<String> check(SecuritySettings.Profile profile, CredentialCheck registry, Map<String, String> defaults) {
        List<String> accepted = new ArrayList<>();
        for (Map.Entry<String, String> d : defaults.entrySet()) {
            if (registry.accepts(d.getKey(), d.getValue())) accepted.add(d.getKey());
        }
        accepted.sort(null);
        if (accepted.isEmpty()) {
            LOG.info("Security profile " + profile + ": the user registry accepts none of the local default passwords");
            return List.of();
        }
        String message = "The user registry accepts the local default password (printed in docs/security.md) of " + accepted;
        if (profile == SecuritySettings.Profile.PRODUCTION) {
            throw new InsecureConfigurationException(message + ": refusing to start with " + SecuritySettings.PROFILE
                    + "=production. Set the passwords (ZENFLOW_*_PASSWORD) or configure the production registry"
                    + " (security-production.xml).");
        }
        LOG.warning(message + " (" + SecuritySettings.PROFILE + "=local: fine for a local run, never for production)");
        return List.copyOf(accepted);
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
