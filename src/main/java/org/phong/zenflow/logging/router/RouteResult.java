package org.phong.zenflow.logging.router;

/** What {@link LogRouter#route} did with an entry. */
public enum RouteResult {
    /** Admitted: it will get its seq and reach every sink. */
    ACCEPTED,
    /** Shed by the backpressure strategy (DEBUG/INFO only); counted by level and reason. */
    DROPPED,
    /**
     * Refused because even the WARN/ERROR reserve is used up: the caller still owns the entry and
     * should retry later (HTTP answers 429). Never silent.
     */
    REJECTED
}
