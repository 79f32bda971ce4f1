package org.phong.zenflow.logging.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.phong.zenflow.logging.config.AdminSettings;
import org.phong.zenflow.logging.config.ConfigReader;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.config.ObservabilitySettings;
import org.phong.zenflow.logging.config.SecuritySettings;

/**
 * Reads {@link LoggingSettings} once from MicroProfile Config (server.xml variables, environment,
 * microprofile-config.properties). A bad value throws at the first injection, which happens during
 * startup, so the deployment stops with a message naming the key.
 */
@ApplicationScoped
public class SettingsProducer {
    @Inject
    Config config;

    /** @return the one reader every settings record of the module is built from */
    public ConfigReader reader() {
        return ConfigReader.over(key -> config.getOptionalValue(key, String.class));
    }

    @Produces
    @Singleton
    LoggingSettings settings() {
        return LoggingSettings.from(reader());
    }

    @Produces
    @Singleton
    AdminSettings adminSettings() {
        return AdminSettings.from(reader());
    }

    @Produces
    @Singleton
    SecuritySettings securitySettings() {
        return SecuritySettings.from(reader());
    }

    @Produces
    @Singleton
    ObservabilitySettings observabilitySettings() {
        return ObservabilitySettings.from(reader());
    }
}
