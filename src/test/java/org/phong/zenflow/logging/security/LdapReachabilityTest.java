package org.phong.zenflow.logging.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.config.SecuritySettings;

/** An LDAP server that cannot be reached makes every answer "could not ask", whatever JAAS says. */
class LdapReachabilityTest {
    @Test
    void anUnreachableDirectoryIsUnavailableEvenWhenTheLoginSaysRefused() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        AtomicInteger asked = new AtomicInteger();
        CredentialCheck refusing = (u, p) -> {
            asked.incrementAndGet();
            return CredentialCheck.Answer.REFUSED; // what Liberty's LDAP registry answers when it cannot connect
        };
        LdapReachability check = new LdapReachability(refusing, "127.0.0.1", closedPort, 1000);
        assertEquals(CredentialCheck.Answer.UNAVAILABLE, check.check("zenflow", "zenflow-local"));
        assertEquals(0, asked.get(), "the login is not asked while the directory is unreachable");
        assertTrue(check.probe().contains("LDAP_PORT " + closedPort), check.probe());
        // production fails closed on it
        assertThrows(DefaultCredentialGuard.InsecureConfigurationException.class, () -> DefaultCredentialGuard.check(
                SecuritySettings.Profile.PRODUCTION, check, Map.of("zenflow", "zenflow-local"), 2, 0, ms -> { }));
    }

    @Test
    void aReachableDirectoryLetsTheLoginDecide() throws Exception {
        try (ServerSocket directory = new ServerSocket(0)) {
            LdapReachability check = new LdapReachability((u, p) -> CredentialCheck.Answer.REFUSED, "127.0.0.1",
                    directory.getLocalPort(), 1000);
            assertEquals(CredentialCheck.Answer.REFUSED, check.check("zenflow", "zenflow-local"));
            assertEquals("", check.probe());
        }
    }
}
