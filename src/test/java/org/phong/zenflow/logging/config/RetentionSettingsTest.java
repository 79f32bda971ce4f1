package org.phong.zenflow.logging.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** retention.days: default 30 from the defaults file, 0 = forever, anything else refused naming the key. */
class RetentionSettingsTest {
    private static RetentionSettings with(String days) {
        return RetentionSettings.from(ConfigReader.over(k -> java.util.Optional.ofNullable(Map.of(RetentionSettings.DAYS, days).get(k))));
    }

    @Test
    void defaultIsThirtyDaysAndZeroKeepsForever() {
        assertEquals(30, RetentionSettings.defaults().days());
        assertFalse(RetentionSettings.defaults().keepForever());
        assertTrue(with("0").keepForever());
        assertEquals(7, with(" 7 ").days());
    }

    @Test
    void badValuesNameTheKey() {
        for (String bad : new String[] {"-1", "thirty", "", "1.5", "36501", "99999999999999999999"}) {
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> with(bad), bad);
            assertTrue(e.getMessage().contains(RetentionSettings.DAYS), e.getMessage());
        }
    }
}
