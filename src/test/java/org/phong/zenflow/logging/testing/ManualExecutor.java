package org.phong.zenflow.logging.testing;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** An {@link Executor} that queues tasks until the test runs them on its own thread. */
public final class ManualExecutor implements Executor {
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable command) {
        queue.add(command);
    }

    public synchronized int queued() {
        return queue.size();
    }

    /** Runs queued tasks, and those they queue, until none is left. @return how many ran */
    public int runAll() {
        int n = 0;
        while (true) {
            Runnable r;
            synchronized (this) {
                r = queue.poll();
            }
            if (r == null) return n;
            r.run();
            n++;
        }
    }

    /** The direct executor: runs each task at once on the caller's thread. */
    public static final Executor DIRECT = Runnable::run;
}
