package org.phong.zenflow.logging.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.stats.PipelineObserver.DropReason;
import org.phong.zenflow.logging.stats.PipelineObserver;

/** A {@link PipelineObserver} that records every call, thread-safely, for assertions. */
public final class RecordingObserver implements PipelineObserver {
    private final int sampleEvery;
    public final Map<LogLevel, AtomicLong> accepted = Collections.synchronizedMap(new EnumMap<>(LogLevel.class));
    public final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();
    public final Map<String, AtomicLong> rejected = new ConcurrentHashMap<>();
    public final List<Long> routeNanos = Collections.synchronizedList(new ArrayList<>());
    public final List<int[]> flushed = Collections.synchronizedList(new ArrayList<>()); // {entries, waitedMs}
    public final List<String> attached = Collections.synchronizedList(new ArrayList<>());
    public final Map<String, AtomicLong> written = new ConcurrentHashMap<>();
    public final Map<String, AtomicLong> failedCalls = new ConcurrentHashMap<>();
    public final Map<String, AtomicLong> retries = new ConcurrentHashMap<>();
    public final Map<String, AtomicLong> sinkDropped = new ConcurrentHashMap<>();
    public final List<Long> endToEndNanos = Collections.synchronizedList(new ArrayList<>());

    public RecordingObserver(int sampleEvery) {
        this.sampleEvery = sampleEvery;
        for (LogLevel l : LogLevel.values()) accepted.put(l, new AtomicLong());
    }

    private static void add(Map<String, AtomicLong> m, String k, long n) {
        m.computeIfAbsent(k, x -> new AtomicLong()).addAndGet(n);
    }

    public static long get(Map<String, AtomicLong> m, String k) {
        AtomicLong v = m.get(k);
        return v == null ? 0 : v.get();
    }

    public long acceptedTotal() {
        long n = 0;
        for (AtomicLong a : accepted.values()) n += a.get();
        return n;
    }

    @Override public int sampleEvery() { return sampleEvery; }
    @Override public void accepted(LogLevel level) { accepted.get(level).incrementAndGet(); }
    @Override public void dropped(DropReason reason, LogLevel level) { add(dropped, reason + "/" + level, 1); }
    @Override public void rejected(RejectReason reason, LogLevel level) { add(rejected, reason + "/" + level, 1); }
    @Override public void routeSampled(long nanos) { routeNanos.add(nanos); }
    @Override public void batchFlushed(int entries, long waitedMs) { flushed.add(new int[] {entries, (int) waitedMs}); }
    @Override public void sinkAttached(String sink, boolean durable) { attached.add(sink + (durable ? "/durable" : "/best-effort")); }
    @Override public void sinkWrote(String sink, int entries, long nanos, boolean retry) {
        add(written, sink, entries);
        if (retry) add(retries, sink, 1);
    }
    @Override public void sinkFailed(String sink, int entries, long nanos, boolean retry) {
        add(failedCalls, sink, 1);
        if (retry) add(retries, sink, 1);
    }
    @Override public void sinkDropped(String sink, int entries) { add(sinkDropped, sink, entries); }
    @Override public void routedToDurable(long nanos) { endToEndNanos.add(nanos); }
}
