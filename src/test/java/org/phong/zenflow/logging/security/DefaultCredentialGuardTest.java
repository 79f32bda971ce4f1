package org.phong.zenflow.logging.security;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.config.SecuritySettings.Profile;

class DefaultCredentialGuardTest {
    /** A registry that knows the given users with the given passwords. */
    private static CredentialCheck registry(Map<String, String> users) {
        return (u, p) -> p.equals(users.get(u));
    }

    @Test
    void productionRefusesToStartWhileADefaultPasswordIsAccepted() {
        CredentialCheck leftover = registry(Map.of("writer", "writer-local", "admin", "Str0ng-and-set"));
        DefaultCredentialGuard.InsecureConfigurationException e = assertThrows(DefaultCredentialGuard.InsecureConfigurationException.class,
                () -> DefaultCredentialGuard.check(Profile.PRODUCTION, leftover, LocalCredentials.DEFAULTS));
        assertTrue(e.getMessage().contains("[writer]"), e.getMessage());
        assertTrue(e.getMessage().contains("production"), e.getMessage());
    }

    @Test
    void productionStartsWhenTheRegistryRefusesEveryDefault() {
        CredentialCheck changed = registry(Map.of("zenflow", "x1", "writer", "x2", "reader", "x3", "admin", "x4"));
        assertEquals(List.of(), DefaultCredentialGuard.check(Profile.PRODUCTION, changed, LocalCredentials.DEFAULTS));
        assertEquals(List.of(), DefaultCredentialGuard.check(Profile.PRODUCTION, (u, p) -> false, LocalCredentials.DEFAULTS));
    }

    @Test
    void localOnlyReportsTheDefaultsInUse() {
        assertEquals(List.of("admin", "reader", "writer", "zenflow"),
                DefaultCredentialGuard.check(Profile.LOCAL, registry(LocalCredentials.DEFAULTS), LocalCredentials.DEFAULTS));
    }
}
