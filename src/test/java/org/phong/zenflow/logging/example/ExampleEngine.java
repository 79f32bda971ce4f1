package org.phong.zenflow.logging.example;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.router.LogRouter;
import org.phong.zenflow.logging.router.RouteResult;

/**
 * The smallest engine that embeds the module, in the two ways docs/engine-integration.md shows:
 * <ul>
 *   <li>CDI events only ({@link #runByEvents}): the engine depends on the API jar alone; the module's
 *       observers route each event. {@code Event.fire} returns nothing, so what became of the entries is read
 *       from the router's admission counters ({@link #droppedSoFar}).</li>
 *   <li>the injected {@link LogRouter} ({@link #log}): each call answers with a {@link RouteResult}, so the
 *       engine sees a drop or a rejection at once.</li>
 * </ul>
 */
@ApplicationScoped
public class ExampleEngine {
    @Inject
    Event<WorkflowRunStarted> started;

    @Inject
    Event<LogEntry> entries;

    @Inject
    Event<WorkflowRunCompleted> completed;

    @Inject
    LogRouter router;

    /**
     * One run by events: started, {@code count} entries, completed.
     *
     * @return the run's id
     */
    public UUID runByEvents(UUID workflowId, int count, LogLevel level) {
        UUID run = UUID.randomUUID();
        started.fire(new WorkflowRunStarted(workflowId, run));
        for (int i = 1; i <= count; i++) entries.fire(entry(workflowId, run, i, level));
        completed.fire(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED));
        return run;
    }

    /** Starts a run (event) and returns its id, for {@link #log} and {@link #complete}. */
    public UUID start(UUID workflowId) {
        UUID run = UUID.randomUUID();
        started.fire(new WorkflowRunStarted(workflowId, run));
        return run;
    }

    /**
     * Routes {@code count} entries of a started run through {@link LogRouter#route}.
     *
     * @return how many entries got each result
     */
    public Map<RouteResult, Integer> log(UUID workflowId, UUID run, int count, LogLevel level) {
        Map<RouteResult, Integer> results = new EnumMap<>(RouteResult.class);
        for (RouteResult r : RouteResult.values()) results.put(r, 0);
        for (int i = 1; i <= count; i++) results.merge(router.route(entry(workflowId, run, i, level)), 1, Integer::sum);
        return results;
    }

    /** Completes a run (event). */
    public void complete(UUID run) {
        completed.fire(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED));
    }

    /** @return every entry the router's backpressure has shed so far, whichever way it came in */
    public long droppedSoFar() {
        return router.admission().droppedTotal();
    }

    private static LogEntry entry(UUID workflowId, UUID run, int i, LogLevel level) {
        return LogEntry.builder().workflowId(workflowId).runId(run).nodeKey("step-" + (i % 3)).ts(Instant.now())
                .level(level).message("example engine entry " + i).hierarchy("root/step-" + (i % 3)).build();
    }
}
