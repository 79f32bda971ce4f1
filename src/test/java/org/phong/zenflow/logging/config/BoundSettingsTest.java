package org.phong.zenflow.logging.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BoundSettingsTest {
    @Test
    void defaults() {
        assertEquals(new BoundSettings(10_000, 65_536, 256, 256, 1000, 100), BoundSettings.defaults());
    }

    @Test
    void aBadBoundNamesItsKey() {
        for (String key : BoundSettings.KEYS) {
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                    () -> BoundSettings.from(ConfigReader.over(k -> Optional.ofNullable(Map.of(key, "0").get(k)))));
            assertEquals(key, e.key());
        }
    }
}
