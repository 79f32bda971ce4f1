package org.phong.zenflow.logging.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * A {@link Scheduler} whose clock only moves when the test calls {@link #advance}. Due tasks run on
 * the calling thread in time order (ties in scheduling order), including tasks that tasks schedule.
 */
public final class ManualScheduler implements Scheduler {
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now;
    private long nextId;
    private long executed;

    private final class Task implements Comparable<Task>, Cancellable {
        final long due;
        final long id;
        final Runnable body;
        boolean cancelled;

        Task(long due, long id, Runnable body) {
            this.due = due;
            this.id = id;
            this.body = body;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(id, o.id);
        }

        @Override
        public void cancel() {
            synchronized (ManualScheduler.this) {
                if (!cancelled) {
                    cancelled = true;
                    tasks.remove(this);
                }
            }
        }
    }

    @Override
    public synchronized long nowMillis() {
        return now;
    }

    @Override
    public synchronized Instant wallClock() {
        return EPOCH.plusMillis(now);
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayMillis) {
        Task t = new Task(now + Math.max(0, delayMillis), nextId++, task);
        tasks.add(t);
        return t;
    }

    /** Moves the clock by {@code ms}, running every task that falls due, in time order. */
    public void advance(long ms) {
        if (ms < 0) throw new IllegalArgumentException("time never goes back");
        long target;
        synchronized (this) {
            target = now + ms;
        }
        while (true) {
            Task t;
            synchronized (this) {
                t = tasks.peek();
                if (t == null || t.due > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = t.due;
                t.cancelled = true; // running: a late cancel() is harmless
                executed++;
            }
            t.body.run();
        }
    }

    /** Runs the tasks due now without moving the clock. */
    public void runDue() {
        advance(0);
    }

    /** @return tasks scheduled and neither run nor cancelled */
    public synchronized int pendingTasks() {
        return tasks.size();
    }

    /** @return due times (relative to now) of the pending tasks, soonest first */
    public synchronized List<Long> pendingDelays() {
        List<Task> copy = new ArrayList<>(tasks);
        copy.sort(null);
        List<Long> out = new ArrayList<>();
        for (Task t : copy) out.add(t.due - now);
        return out;
    }

    /** @return tasks run so far */
    public synchronized long executedTasks() {
        return executed;
    }
}
