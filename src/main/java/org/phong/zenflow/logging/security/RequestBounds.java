package org.phong.zenflow.logging.security;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.phong.zenflow.logging.config.BoundSettings;

/**
 * The server's shared {@link ConcurrencyLimit}s, one per bound of {@link BoundSettings}: durability
 * waits, long-polls, and live-tail sessions (overall and per user). Application scoped, so every
 * request and WebSocket endpoint instance counts against the same limits.
 */
@ApplicationScoped
public class RequestBounds {
    @Inject
    BoundSettings settings;

    private ConcurrencyLimit durabilityWaits;
    private ConcurrencyLimit longPolls;
    private ConcurrencyLimit sessions;

    /** For CDI. */
    public RequestBounds() {
    }

    /** @param settings the bounds (tests) */
    public RequestBounds(BoundSettings settings) {
        this.settings = settings;
        init();
    }

    @PostConstruct
    void init() {
        durabilityWaits = new ConcurrencyLimit(BoundSettings.MAX_DURABILITY_WAITS, settings.maxDurabilityWaits(), settings.maxDurabilityWaits());
        longPolls = new ConcurrencyLimit(BoundSettings.MAX_LONG_POLLS, settings.maxLongPolls(), settings.maxLongPolls());
        sessions = new ConcurrencyLimit(BoundSettings.MAX_SESSIONS, settings.maxSessions(), settings.maxSessionsPerUser());
    }

    /** @return requests waiting for {@code ?wait=} */
    public ConcurrencyLimit durabilityWaits() {
        return durabilityWaits;
    }

    /** @return long-polls waiting */
    public ConcurrencyLimit longPolls() {
        return longPolls;
    }

    /** @return live-tail WebSocket sessions (per user: {@link BoundSettings#MAX_SESSIONS_PER_USER}) */
    public ConcurrencyLimit sessions() {
        return sessions;
    }

    /** @return the settings */
    public BoundSettings settings() {
        return settings;
    }
}
