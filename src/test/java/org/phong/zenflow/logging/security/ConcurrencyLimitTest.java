package org.phong.zenflow.logging.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {
    @Test
    void refusesBeyondTheOverallBoundNamingItsKeyAndGivesPlacesBack() {
        ConcurrencyLimit l = new ConcurrencyLimit("zenflow.logging.stream.max-sessions", 2, 2);
        assertNull(l.tryAcquire(null));
        assertNull(l.tryAcquire(null));
        assertEquals("zenflow.logging.stream.max-sessions", l.tryAcquire(null));
        assertEquals(2, l.held(), "a refusal holds nothing");
        l.release(null);
        assertNull(l.tryAcquire(null));
    }

    @Test
    void refusesBeyondThePerUserBoundAndForgetsIdleUsers() {
        ConcurrencyLimit l = new ConcurrencyLimit("k", 10, 2);
        assertNull(l.tryAcquire("reader"));
        assertNull(l.tryAcquire("reader"));
        assertEquals("per-user", l.tryAcquire("reader"));
        assertNull(l.tryAcquire("other"), "another user is not held back");
        assertEquals(3, l.held());
        l.release("reader");
        l.release("reader");
        l.release("other");
        assertEquals(0, l.held());
        assertEquals(0, l.users(), "users holding nothing are forgotten");
    }

    @Test
    void boundsBelowOneAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ConcurrencyLimit("k", 0, 1));
    }
}
