package org.phong.zenflow.logging.journal;

import java.nio.file.Path;
import java.util.List;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.testing.ManualScheduler;

/** Journals for unit tests: small segments, interval fsync, a manual clock. */
final class JournalFixtures {
    static final long SEGMENT = 64 * 1024;
    static final long RETRY_MS = 1000;

    private JournalFixtures() {
    }

    static JournalSettings settings(Path dir, long segment, long max, FsyncPolicy fsync) {
        return new JournalSettings(true, dir, fsync, 20, max, segment, RETRY_MS, 1000);
    }

    /** @return a journal in {@code dir} with the named durable sinks, not yet recovered */
    static Journal journal(Path dir, String... sinks) {
        return new Journal(settings(dir, SEGMENT, 1L << 30, FsyncPolicy.INTERVAL), List.of(sinks), Thread::new, new ManualScheduler());
    }
}
