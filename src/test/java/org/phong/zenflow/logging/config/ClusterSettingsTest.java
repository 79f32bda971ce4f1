package org.phong.zenflow.logging.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** cluster.enabled: false by default; anything but true/false refused naming the key. */
class ClusterSettingsTest {
    @Test
    void offByDefaultAndValidated() {
        assertFalse(ClusterSettings.defaults().enabled());
        assertTrue(ClusterSettings.from(ConfigReader.over(k -> Optional.ofNullable(Map.of(ClusterSettings.ENABLED, "TRUE").get(k)))).enabled());
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ClusterSettings.from(ConfigReader.over(k -> Optional.ofNullable(Map.of(ClusterSettings.ENABLED, "yes").get(k)))));
        assertTrue(e.getMessage().contains(ClusterSettings.ENABLED), e.getMessage());
    }
}
