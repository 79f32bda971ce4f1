package org.phong.zenflow.logging.config;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecuritySettingsTest {
    private static SecuritySettings with(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
        return SecuritySettings.from(ConfigReader.overProperties(p));
    }

    private static void assertBad(String key, String value) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> with(key, value), key + "=" + value);
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void defaults() {
        SecuritySettings s = SecuritySettings.defaults();
        // safe by default: a deployment that sets nothing runs the production profile, TLS only
        assertEquals(SecuritySettings.Profile.PRODUCTION, s.profile());
        assertTrue(s.requiresTls());
        assertEquals(3, s.registryCheckAttempts());
        assertEquals(2000, s.registryCheckDelayMs());
        assertEquals(Set.of("http://localhost:9080", "http://127.0.0.1:9080"), s.allowedOrigins());
        assertEquals(32768, s.messageMaxChars());
        assertEquals(65536, s.metadataMaxChars());
        assertEquals(16, s.metadataMaxDepth());
        assertEquals(256, s.nodeKeyMaxChars());
        assertEquals(128, s.errorCodeMaxChars());
        assertEquals(128, s.traceIdMaxChars());
        assertEquals(2048, s.hierarchyMaxChars());
        assertEquals(86400, s.tsMaxFutureSeconds());
        assertEquals(3650, s.tsMaxPastDays());
        assertTrue(s.redactionEnabled());
        assertEquals(SecuritySettings.KNOWN_RULES.stream().sorted().toList(), s.redactionRules().stream().sorted().toList());
        assertNull(s.redactionCustomPattern());
        assertEquals("[REDACTED]", s.redactionMask());
    }

    @Test
    void overridesAreRead() {
        SecuritySettings s = with(SecuritySettings.PROFILE, "production", SecuritySettings.ALLOWED_ORIGINS, "HTTPS://App.Example.com:443/ , http://x:8080",
                SecuritySettings.REDACTION_RULES, "Bearer", SecuritySettings.REDACTION_CUSTOM_PATTERN, "pin=(?<secret>\\d+)",
                SecuritySettings.MESSAGE_MAX_CHARS, "64");
        assertEquals(SecuritySettings.Profile.PRODUCTION, s.profile());
        assertEquals(Set.of("https://app.example.com", "http://x:8080"), s.allowedOrigins());
        assertEquals(java.util.List.of("bearer"), s.redactionRules());
        assertEquals("pin=(?<secret>\\d+)", s.redactionCustomPattern().pattern());
        assertEquals(64, s.messageMaxChars());
        assertTrue(with(SecuritySettings.REDACTION_RULES, "").redactionRules().isEmpty());
    }

    @Test
    void badValuesNameTheirKey() {
        assertBad(SecuritySettings.PROFILE, "prod");
        assertBad(SecuritySettings.ALLOWED_ORIGINS, "localhost:9080");
        assertBad(SecuritySettings.ALLOWED_ORIGINS, "http://x/path");
        assertBad(SecuritySettings.ALLOWED_ORIGINS, "ftp://x");
        assertBad(SecuritySettings.ALLOWED_ORIGINS, "*");
        assertBad(SecuritySettings.MESSAGE_MAX_CHARS, "10");
        assertBad(SecuritySettings.MESSAGE_MAX_CHARS, "many");
        assertBad(SecuritySettings.METADATA_MAX_CHARS, "0");
        assertBad(SecuritySettings.METADATA_MAX_DEPTH, "0");
        assertBad(SecuritySettings.METADATA_MAX_DEPTH, "1001");
        assertBad(SecuritySettings.NODE_KEY_MAX_CHARS, "0");
        assertBad(SecuritySettings.ERROR_CODE_MAX_CHARS, "-1");
        assertBad(SecuritySettings.TRACE_ID_MAX_CHARS, "0");
        assertBad(SecuritySettings.HIERARCHY_MAX_CHARS, "0");
        assertBad(SecuritySettings.TS_MAX_FUTURE_SECONDS, "-1");
        assertBad(SecuritySettings.TS_MAX_PAST_DAYS, "36501");
        assertBad(SecuritySettings.REDACTION_ENABLED, "yes");
        assertBad(SecuritySettings.REDACTION_RULES, "password,ssn");
        assertBad(SecuritySettings.REDACTION_CUSTOM_PATTERN, "([a-z]");
        assertBad(SecuritySettings.REDACTION_CUSTOM_PATTERN, "x*");
        assertBad(SecuritySettings.REDACTION_MASK, "\"quoted\"");
        assertBad(SecuritySettings.REDACTION_MASK, "back\\slash");
    }

    @Test
    void originsAreNormalized() {
        assertEquals("http://localhost:9080", SecuritySettings.normalizeOrigin("HTTP://LocalHost:9080"));
        assertEquals("https://a.example", SecuritySettings.normalizeOrigin("https://a.example:443"));
        assertEquals("http://a.example", SecuritySettings.normalizeOrigin("http://a.example:80/"));
        assertNull(SecuritySettings.normalizeOrigin("null"));
        assertNull(SecuritySettings.normalizeOrigin("http://user@a.example"));
        assertNull(SecuritySettings.normalizeOrigin("http://a.example/x"));
        assertNull(SecuritySettings.normalizeOrigin("file:///etc/passwd"));
        assertNull(SecuritySettings.normalizeOrigin(null));
    }
}
