package org.phong.zenflow.logging.journal;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
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

    /** @return a journal in {@code dir} without followers, not yet recovered */
    static Journal journal(Path dir) {
        return new Journal(settings(dir, SEGMENT, 1L << 30, FsyncPolicy.INTERVAL), Map.of(), Set.of(), Thread::new, new ManualScheduler());
    }
}
