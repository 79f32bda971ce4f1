package org.phong.zenflow.logging.cdi;

import jakarta.enterprise.context.ApplicationScoped;

/** Whether the migrations have run; writes wait for it (the startup health check reads it). */
@ApplicationScoped
public class SchemaState {
    private volatile boolean ready;
    private volatile String lastError = "migrations have not run yet";

    void markReady() {
        ready = true;
        lastError = null;
    }

    void markFailed(String error) {
        lastError = error;
    }

    /** @return true once the schema is migrated */
    public boolean isReady() {
        return ready;
    }

    /** @return why the schema is not ready, or null */
    public String lastError() {
        return lastError;
    }

    /** @throws IllegalStateException while the schema is not migrated */
    public void requireReady() {
        if (!ready) throw new IllegalStateException("database schema not ready: " + lastError);
    }
}
