package org.phong.zenflow.logging.testing;

import java.util.Properties;
import org.phong.zenflow.logging.config.LoggingSettings;

/** Settings with a few keys overridden: {@code TestSettings.of(KEY, "1", OTHER_KEY, "2")}. */
public final class TestSettings {
    private TestSettings() {
    }

    public static LoggingSettings of(String... keyValues) {
        if (keyValues.length % 2 != 0) throw new IllegalArgumentException("key/value pairs expected");
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) p.setProperty(keyValues[i], keyValues[i + 1]);
        return LoggingSettings.fromProperties(p);
    }
}
