package org.phong.zenflow.logging.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.phong.zenflow.logging.config.AdminSettings;
import org.phong.zenflow.logging.config.BoundSettings;
import org.phong.zenflow.logging.config.ClusterSettings;
import org.phong.zenflow.logging.config.ConfigReader;
import org.phong.zenflow.logging.config.KafkaSettings;
import org.phong.zenflow.logging.config.DegradationSettings;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.config.ObservabilitySettings;
import org.phong.zenflow.logging.config.SecuritySettings;
import org.phong.zenflow.logging.config.StreamSettings;

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

    /**
     * Kafka settings; the producer pass-through takes every {@code zenflow.logging.kafka.producer.*} name
     * MicroProfile Config knows, the defaults file's, and environment variables
     * {@code ZENFLOW_LOGGING_KAFKA_PRODUCER_<PROPERTY>} (Kafka property names are lower case with dots,
     * so {@code _} maps back to {@code .}).
     */
    @Produces
    @Singleton
    KafkaSettings kafkaSettings() {
        java.util.Set<String> keys = new java.util.TreeSet<>(ConfigReader.defaultKeys(KafkaSettings.PRODUCER_PREFIX));
        String envPrefix = ConfigReader.envName(KafkaSettings.PRODUCER_PREFIX);
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(KafkaSettings.PRODUCER_PREFIX)) keys.add(name);
            else if (name.startsWith(envPrefix) && name.length() > envPrefix.length()) {
                keys.add(KafkaSettings.PRODUCER_PREFIX + name.substring(envPrefix.length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.'));
            }
        }
        return KafkaSettings.from(reader(), keys);
    }

    @Produces
    @Singleton
    ClusterSettings clusterSettings() {
        return ClusterSettings.from(reader());
    }

    @Produces
    @Singleton
    AdminSettings adminSettings() {
        return AdminSettings.from(reader());
    }

    @Produces
    @Singleton
    BoundSettings boundSettings() {
        return BoundSettings.from(reader());
    }

    @Produces
    @Singleton
    JournalSettings journalSettings() {
        return JournalSettings.from(reader());
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

    @Produces
    @Singleton
    DegradationSettings degradationSettings() {
        return DegradationSettings.from(reader());
    }

    @Produces
    @Singleton
    StreamSettings streamSettings() {
        return StreamSettings.from(reader());
    }
}
