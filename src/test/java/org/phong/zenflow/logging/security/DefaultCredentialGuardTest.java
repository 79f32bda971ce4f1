package org.phong.zenflow.logging.security;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.config.SecuritySettings.Profile;
import org.phong.zenflow.logging.security.CredentialCheck.Answer;

class DefaultCredentialGuardTest {
    /** A registry that knows the given users with the given passwords. */
    private static CredentialCheck registry(Map<String, String> users) {
        return (u, p) -> p.equals(users.get(u)) ? Answer.ACCEPTED : Answer.REFUSED;
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
        assertEquals(List.of(), DefaultCredentialGuard.check(Profile.PRODUCTION, (u, p) -> Answer.REFUSED, LocalCredentials.DEFAULTS));
    }

    /** "Could not ask" is not "refused": production fails closed, naming what to set. */
    @Test
    void productionFailsClosedWhenTheRegistryCannotBeAsked() {
        DefaultCredentialGuard.InsecureConfigurationException e = assertThrows(DefaultCredentialGuard.InsecureConfigurationException.class,
                () -> DefaultCredentialGuard.check(Profile.PRODUCTION, (u, p) -> Answer.UNAVAILABLE, LocalCredentials.DEFAULTS, 3, 10, ms -> { }));
        assertTrue(e.getMessage().contains("could not be asked"), e.getMessage());
        assertTrue(e.getMessage().contains("LDAP_HOST"), e.getMessage());
        assertTrue(e.getMessage().contains("[admin, reader, writer, zenflow]"), e.getMessage());
    }

    @Test
    void aRegistryThatRecoversWithinTheAttemptsIsAskedAgain() {
        AtomicInteger calls = new AtomicInteger();
        List<Long> pauses = new ArrayList<>();
        // unavailable on each user's first question, then it answers
        CredentialCheck flaky = (u, p) -> calls.incrementAndGet() % 2 == 1 ? Answer.UNAVAILABLE : Answer.REFUSED;
        assertEquals(List.of(), DefaultCredentialGuard.check(Profile.PRODUCTION, flaky, LocalCredentials.DEFAULTS, 2, 250, pauses::add));
        assertEquals(8, calls.get(), "each of the 4 users asked twice");
        assertEquals(List.of(250L, 250L, 250L, 250L), pauses);
        // one attempt only: the same registry makes production refuse
        AtomicInteger again = new AtomicInteger();
        CredentialCheck flakyAgain = (u, p) -> again.incrementAndGet() % 2 == 1 ? Answer.UNAVAILABLE : Answer.REFUSED;
        assertThrows(DefaultCredentialGuard.InsecureConfigurationException.class,
                () -> DefaultCredentialGuard.check(Profile.PRODUCTION, flakyAgain, LocalCredentials.DEFAULTS, 1, 250, ms -> { }));
    }

    @Test
    void localOnlyReportsTheDefaultsInUseAndAnUnreachableRegistry() {
        assertEquals(List.of("admin", "reader", "writer", "zenflow"),
                DefaultCredentialGuard.check(Profile.LOCAL, registry(LocalCredentials.DEFAULTS), LocalCredentials.DEFAULTS));
        assertEquals(List.of(), DefaultCredentialGuard.check(Profile.LOCAL, (u, p) -> Answer.UNAVAILABLE, LocalCredentials.DEFAULTS));
    }

    @Test
    void productionRefusesTheDatabasesDefaultPassword() {
        for (String weak : new String[] {"postgres", "", " ", "zenflow_app"}) {
            DefaultCredentialGuard.InsecureConfigurationException e = assertThrows(DefaultCredentialGuard.InsecureConfigurationException.class,
                    () -> DefaultCredentialGuard.checkDatabasePassword(Profile.PRODUCTION, "zenflow_app", weak), "'" + weak + "'");
            assertTrue(e.getMessage().contains("Set DB_PASSWORD"), e.getMessage());
        }
        DefaultCredentialGuard.checkDatabasePassword(Profile.PRODUCTION, "zenflow_app", "Db-5-strong");
        DefaultCredentialGuard.checkDatabasePassword(Profile.LOCAL, "postgres", "postgres"); // only a warning
    }

    /** The JAAS answer is a refusal only when it says so; anything unknown counts as "could not ask". */
    @Test
    void loginFailuresAreClassifiedFailClosed() {
        assertEquals(Answer.REFUSED, JaasCredentialCheck.classify(new FailedLoginException("bad password")));
        assertEquals(Answer.REFUSED, JaasCredentialCheck.classify(new LoginException(
                "CWWKS1100A: Authentication did not succeed for user ID zenflow. An invalid user ID or password was specified.")));
        LoginException ldapDown = new LoginException("CWWKS1100A: Authentication did not succeed");
        ldapDown.initCause(new RuntimeException("CWIML4520E: The LDAP operation could not be completed",
                new javax.naming.CommunicationException("127.0.0.1:1389")));
        assertEquals(Answer.UNAVAILABLE, JaasCredentialCheck.classify(ldapDown), "an unreachable LDAP server behind a failed login");
        assertEquals(Answer.UNAVAILABLE, JaasCredentialCheck.classify(new LoginException("something nobody expected")));
        assertTrue(JaasCredentialCheck.chain(ldapDown).contains("javax.naming.CommunicationException"));
    }
}
