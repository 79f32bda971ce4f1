package org.phong.zenflow.logging.metrics;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.metrics.Counter;

/**
 * Exports totals that a component keeps itself (the journal, the Kafka sink, the live-tail hub count
 * with plain {@code long}s, free of MicroProfile types) as real MicroProfile counters, so Prometheus
 * sees counters ({@code _total}, type counter) and not gauges. MicroProfile Metrics 5.1 has no
 * counter that reads a function, so every {@link #SYNC_INTERVAL_MS} the mirror adds to each counter
 * the growth of its source since the last look.
 *
 * <p>Invariants: a mirrored counter equals its source as of the last sync (never more: it only adds
 * a positive difference); it lags the source by at most one interval; both start at 0 with the
 * server. A source that went backwards (it cannot: they are monotonic) would be ignored until it
 * passes its old value again.
 */
@ApplicationScoped
public class CounterMirror {
    /** How often sources are copied to their counters: far below any scrape interval. */
    static final long SYNC_INTERVAL_MS = 1000;

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ManagedScheduledExecutorService scheduledExecutor;

    private final List<Link> links = new CopyOnWriteArrayList<>();
    private ScheduledFuture<?> task;

    /** One counter and the total it mirrors. */
    static final class Link {
        private final Counter counter;
        private final LongSupplier source;
        private long copied;

        Link(Counter counter, LongSupplier source) {
            this.counter = counter;
            this.source = source;
        }

        void sync() {
            long now = source.getAsLong();
            if (now > copied) {
                counter.inc(now - copied);
                copied = now;
            }
        }
    }

    /**
     * Mirrors {@code source} into {@code counter} from now on (and once at once).
     *
     * @param counter a counter of the application registry
     * @param source  a monotonic total, cheap to read
     */
    public synchronized void mirror(Counter counter, LongSupplier source) {
        Link l = new Link(counter, source);
        l.sync();
        links.add(l);
        if (task == null && scheduledExecutor != null) {
            task = scheduledExecutor.scheduleWithFixedDelay(this::syncAll, SYNC_INTERVAL_MS, SYNC_INTERVAL_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Copies every source's growth to its counter (the scheduled task; callable any time). */
    public synchronized void syncAll() {
        for (Link l : links) {
            try {
                l.sync();
            } catch (RuntimeException e) {
                // A source that cannot be read now (pipeline stopping) is read again next time.
            }
        }
    }

    @PreDestroy
    synchronized void stop() {
        if (task != null) task.cancel(false);
        task = null;
    }
}
