package org.phong.zenflow.logging.rest;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.phong.zenflow.logging.buffer.WorkflowBufferManager;
import org.phong.zenflow.logging.config.BoundSettings;
import org.phong.zenflow.logging.router.LogRouter;

/**
 * Admission of new runs, shared by ingestion and {@code /runs/{id}/start}: each run opened here holds a
 * buffer, a ring and timers until it ends or idles out, and an unknown one costs a database lookup, so
 * fresh run ids are not free. A request that would take the active runs beyond
 * {@code zenflow.logging.limits.max-active-runs} is refused whole (429 naming the key, Retry-After),
 * as is a request while the router is under backpressure; entries of runs already active always pass
 * the run cap.
 *
 * <p>The check reads the current count without reserving: requests racing each other may overshoot
 * the cap by at most their new runs. That is a bound on growth, not an exact quota.
 */
final class RunAdmission {
    private RunAdmission() {
    }

    /**
     * @param router     the router (its buffers know the active runs)
     * @param bounds     the bounds
     * @param runs       the runs of the request
     * @param entries    entries the request routes (a start: 1, it holds a place like an entry)
     * @param retryAfter seconds for Retry-After
     * @return null when admitted, else the 429 to answer
     */
    static Response refuseNewRuns(LogRouter router, BoundSettings bounds, Collection<UUID> runs, int entries, int retryAfter) {
        if (router.forwards()) {
            // Cluster mode: this node holds no run state (the owner of the run's partition does), so no run cap
            // here; the ingest producer refuses record by record instead, and the resources turn that into 429.
            return router.hasRoomFor(Math.max(1, entries)) ? null
                    : tooMany("the log pipeline is shutting down; retry after " + retryAfter + " s", retryAfter, null);
        }
        WorkflowBufferManager buffers = router.buffers();
        Set<UUID> fresh = new HashSet<>();
        for (UUID r : runs) if (!buffers.isActive(r)) fresh.add(r);
        if (!fresh.isEmpty() && (long) buffers.activeRuns() + fresh.size() > bounds.maxActiveRuns()) {
            return tooMany("too many active runs: " + buffers.activeRuns() + " of at most " + bounds.maxActiveRuns() + " ("
                    + BoundSettings.MAX_ACTIVE_RUNS + "); end runs or retry after " + retryAfter + " s", retryAfter, "runId");
        }
        if (!router.hasRoomFor(Math.max(1, entries))) {
            return tooMany("the log pipeline is under backpressure; retry after " + retryAfter + " s", retryAfter, null);
        }
        return null;
    }

    static Response tooMany(String message, int retryAfter, String field) {
        Response r = ApiErrors.of(Response.Status.TOO_MANY_REQUESTS, message, null, field);
        return Response.fromResponse(r).header(HttpHeaders.RETRY_AFTER, retryAfter).build();
    }
}
