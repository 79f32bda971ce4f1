package org.phong.zenflow.logging.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.api.WorkflowRunStarted;
import org.phong.zenflow.logging.config.SecuritySettings;
import org.phong.zenflow.logging.redact.Redactor;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.RecordingObserver;

/**
 * The router in forwarding (cluster) mode, on a forwarder that records what it is handed and refuses
 * while told to (what {@code ClusterNode} does when the ingest producer's buffer is full or the brokers
 * unknown; the real producer's refusals are in ClusterNodeTest): accepted entries leave redacted, a
 * refusal is REJECTED and counted, never queued, and nothing waits.
 */
class LogRouterForwardingTest {
    private static final UUID WF = UUID.randomUUID();

    /** Records what it takes; refuses while {@code refusing}; each taken item's acknowledgement is completed by the test. */
    private static final class Recorder implements Forwarder {
        final List<Object> taken = new ArrayList<>();
        final List<CompletableFuture<Void>> acks = new ArrayList<>();
        volatile boolean refusing;

        private CompletionStage<?> take(Object o) throws Refused {
            if (refusing) throw new Refused("buffer full", new IllegalStateException("buffer full"));
            taken.add(o);
            CompletableFuture<Void> a = new CompletableFuture<>();
            acks.add(a);
            return a;
        }

        @Override
        public CompletionStage<?> entry(LogEntry redacted) throws Refused {
            return take(redacted);
        }

        @Override
        public CompletionStage<?> started(WorkflowRunStarted event) throws Refused {
            return take(event);
        }

        @Override
        public CompletionStage<?> ended(WorkflowRunCompleted event) throws Refused {
            return take(event);
        }
    }

    private final Recorder fwd = new Recorder();
    private final RecordingObserver observer = new RecordingObserver(0);
    private final LogRouter router = LogRouter.forwarding(fwd, Redactor.from(SecuritySettings.defaults()), observer);

    @Test
    void anAcceptedEntryLeavesRedactedAndItsAcknowledgementIsTheForwardersOwn() {
        UUID run = UUID.randomUUID();
        LogRouter.Routed r = router.routeTracked(Entries.entry(WF, run, LogLevel.WARN, "login password=hunter2 failed"));
        assertEquals(RouteResult.ACCEPTED, r.result());
        assertEquals(1, fwd.taken.size());
        assertEquals("login password=[REDACTED] failed", ((LogEntry) fwd.taken.get(0)).message(), "redacted before it leaves the process");
        assertFalse(r.acknowledged().toCompletableFuture().isDone(), "the stage is the forwarder's: not done until acknowledged");
        fwd.acks.get(0).complete(null);
        assertTrue(r.acknowledged().toCompletableFuture().isDone());
        assertEquals(RouteResult.ACCEPTED, router.route(Entries.info(WF, run, "second")));
        assertEquals(2, router.routedTotal());
        assertEquals(1L, observer.accepted.get(LogLevel.WARN).get());
        assertTrue(router.forwards());
        assertTrue(router.hasRoomFor(1_000_000), "no admission here: the producer refuses record by record");
    }

    @Test
    void aRefusalIsRejectedCountedAndNotQueued() {
        fwd.refusing = true;
        LogRouter.Routed r = router.routeTracked(Entries.entry(WF, UUID.randomUUID(), LogLevel.ERROR, "boom"));
        assertEquals(RouteResult.REJECTED, r.result());
        assertNull(r.acknowledged());
        assertEquals(RouteResult.REJECTED, router.route(Entries.info(WF, UUID.randomUUID(), "x")));
        assertEquals(1, RecordingObserver.get(observer.rejected, "INGEST_REFUSED/ERROR"));
        assertEquals(1, RecordingObserver.get(observer.rejected, "INGEST_REFUSED/INFO"));
        assertEquals(0, router.routedTotal());
        assertTrue(fwd.taken.isEmpty());

        assertEquals(RouteResult.REJECTED, router.offerRunStarted(new WorkflowRunStarted(WF, UUID.randomUUID())).result());
        CompletableFuture<Long> end = router.runCompleted(new WorkflowRunCompleted(UUID.randomUUID(), RunOutcome.FAILED));
        assertTrue(end.isCompletedExceptionally(), "a refused end fails at once: HTTP answers 429 from it");
        ExecutionException e = assertThrows(ExecutionException.class, end::get);
        assertInstanceOf(Forwarder.Refused.class, e.getCause());
        router.runStarted(new WorkflowRunStarted(WF, UUID.randomUUID())); // the CDI event: logged, never thrown at the engine
    }

    @Test
    void startsAndEndsAreForwardedInCallOrderAndAnEndCompletesWithAnUnknownSeqOnceAcknowledged() throws Exception {
        UUID run = UUID.randomUUID();
        LogRouter.Routed s = router.offerRunStarted(new WorkflowRunStarted(WF, run));
        assertEquals(RouteResult.ACCEPTED, s.result());
        assertNotNull(s.acknowledged());
        router.route(Entries.info(WF, run, "one"));
        CompletableFuture<Long> end = router.runCompleted(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED));
        assertEquals(3, fwd.taken.size());
        assertInstanceOf(WorkflowRunStarted.class, fwd.taken.get(0));
        assertInstanceOf(LogEntry.class, fwd.taken.get(1));
        assertInstanceOf(WorkflowRunCompleted.class, fwd.taken.get(2));
        assertFalse(end.isDone());
        fwd.acks.get(2).complete(null);
        assertEquals(LogRouter.UNKNOWN_SEQ, end.get(1, TimeUnit.SECONDS));
    }

    @Test
    void afterShutdownEverythingIsRefusedAndTheLocalPartsDoNotExist() {
        assertThrows(IllegalStateException.class, router::buffers);
        assertThrows(IllegalStateException.class, router::admission);
        assertTrue(router.barrier().isDone(), "nothing is queued in this router");
        router.shutdown(1_000);
        assertEquals(RouteResult.REJECTED, router.route(Entries.info(WF, UUID.randomUUID(), "late")));
        assertEquals(1, RecordingObserver.get(observer.rejected, "SHUTTING_DOWN/INFO"));
        assertFalse(router.hasRoomFor(1));
        assertTrue(router.runCompleted(new WorkflowRunCompleted(UUID.randomUUID(), RunOutcome.SUCCEEDED)).isCompletedExceptionally());
        assertTrue(fwd.taken.isEmpty());
    }
}
