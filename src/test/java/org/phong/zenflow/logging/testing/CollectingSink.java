package org.phong.zenflow.logging.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogSink;

/** A thread-safe in-memory {@link LogSink} that records every batch and can fail or block on demand. */
public final class CollectingSink implements LogSink {
    private final String name;
    private final boolean durable;
    private final int maxBatchEntries;
    private final List<List<LogEntry>> batches = new ArrayList<>();
    private final AtomicInteger failNext = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile boolean failAlways;
    private volatile CountDownLatch gate;
    private volatile CountDownLatch entered = new CountDownLatch(1);
    private volatile boolean healthy = true;

    public CollectingSink(String name, boolean durable, int maxBatchEntries) {
        this.name = name;
        this.durable = durable;
        this.maxBatchEntries = maxBatchEntries;
    }

    public static CollectingSink durable(String name) {
        return new CollectingSink(name, true, Integer.MAX_VALUE);
    }

    public static CollectingSink bestEffort(String name) {
        return new CollectingSink(name, false, Integer.MAX_VALUE);
    }

    /** The next {@code n} calls throw. */
    public CollectingSink failNext(int n) {
        failNext.set(n);
        return this;
    }

    /** Every call throws until {@code failAlways(false)}. */
    public CollectingSink failAlways(boolean v) {
        failAlways = v;
        return this;
    }

    /** Calls block until {@link #unblock()}. */
    public CollectingSink block() {
        entered = new CountDownLatch(1);
        gate = new CountDownLatch(1);
        return this;
    }

    public void unblock() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) g.countDown();
    }

    /** Waits until a call is inside {@link #process} (blocked or not). */
    public boolean awaitEntered(long timeoutMs) throws InterruptedException {
        return entered.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    public void setHealthy(boolean v) {
        healthy = v;
    }

    @Override
    public void process(List<LogEntry> entries) throws Exception {
        calls.incrementAndGet();
        entered.countDown();
        CountDownLatch g = gate;
        if (g != null && !g.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("test sink never unblocked");
        if (failAlways || failNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            failures.incrementAndGet();
            throw new java.io.IOException("sink " + name + " told to fail");
        }
        synchronized (batches) {
            batches.add(List.copyOf(entries));
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isHealthy() {
        return healthy;
    }

    @Override
    public boolean isDurable() {
        return durable;
    }

    @Override
    public int maxBatchEntries() {
        return maxBatchEntries;
    }

    /** @return a copy of the successful batches, in call order */
    public List<List<LogEntry>> batches() {
        synchronized (batches) {
            return new ArrayList<>(batches);
        }
    }

    /** @return every entry written, in call order */
    public List<LogEntry> entries() {
        List<LogEntry> all = new ArrayList<>();
        synchronized (batches) {
            for (List<LogEntry> b : batches) all.addAll(b);
        }
        return all;
    }

    public int entryCount() {
        synchronized (batches) {
            int n = 0;
            for (List<LogEntry> b : batches) n += b.size();
            return n;
        }
    }

    /** @return every call, failed or not */
    public int calls() {
        return calls.get();
    }

    public int failures() {
        return failures.get();
    }
}
