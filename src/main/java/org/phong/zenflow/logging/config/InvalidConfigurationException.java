package org.phong.zenflow.logging.config;

/** A configuration value that breaks its rule. Stops the deployment, naming the key and what is allowed. */
public class InvalidConfigurationException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key     the configuration key
     * @param value   the value found
     * @param allowed what the key accepts, in words
     */
    public InvalidConfigurationException(String key, String value, String allowed) {
        super("Invalid configuration " + key + "='" + value + "': allowed " + allowed
                + " (set it in server.xml, an environment variable such as "
                + LoggingSettings.envName(key) + ", or microprofile-config.properties)");
        this.key = key;
    }

    /** @return the configuration key at fault */
    public String key() {
        return key;
    }
}
