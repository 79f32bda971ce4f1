package org.phong.zenflow.logging.example.sink;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;

/**
 * An engine's own {@link LogSink}: a CDI bean the module discovers at start and feeds next to PostgreSQL.
 * It records every {@code (runId, seq)} it is given. Durable, so the module counts an entry as safe only
 * once this sink has it too; {@link #hold()} makes it wait (a slow destination), which fills the router's
 * in-flight budget and lets a test see backpressure, and {@link #release()} lets it go on.
 */
@ApplicationScoped
public class ExampleSink implements LogSink {
    /** Name in the collector's status, health and metrics. */
    public static final String NAME = "example-engine-sink";

    private final Map<UUID, ConcurrentLinkedQueue<Long>> seqs = new ConcurrentHashMap<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public void process(List<LogEntry> entries) throws Exception {
        // Bounded wait: past it the batch fails and the module retries it (durable sink), nothing is lost.
        if (!gate.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("held for 60 s");
        for (LogEntry e : entries) seqs.computeIfAbsent(e.runId(), r -> new ConcurrentLinkedQueue<>()).add(e.seq());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public boolean isDurable() {
        return true;
    }

    /** @return the seqs written for {@code runId}, in arrival order */
    public List<Long> seqs(UUID runId) {
        ConcurrentLinkedQueue<Long> q = seqs.get(runId);
        return q == null ? List.of() : List.copyOf(q);
    }

    /** Makes every following {@link #process} call wait until {@link #release()}. */
    public void hold() {
        gate = new CountDownLatch(1);
    }

    /** Lets waiting and following {@link #process} calls go on. */
    public void release() {
        gate.countDown();
    }
}
