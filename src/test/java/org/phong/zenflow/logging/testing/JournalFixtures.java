package org.phong.zenflow.logging.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.config.FsyncPolicy;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.journal.Journal;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * What the journal tests share: settings on a directory, entries with their seq, recovery collected
 * into a plain map, and the segment files of a directory.
 */
public final class JournalFixtures {
    /** A small segment, so tests cross segment boundaries with few entries. */
    public static final long SMALL_SEGMENT = 64 * 1024;
    /** Large enough that no test fills it unless it means to. */
    public static final long ROOMY = 1L << 30;
    /** The database's name as a follower of a journal in tests: like the database, a durable follower. */
    public static final String DATABASE = "pg";

    private JournalFixtures() {
    }

    /**
     * @return journal settings on {@code dir}: enabled, {@code fsync} every 20 ms, the given sizes,
     *         retry and wait timeouts of 1 s
     */
    public static JournalSettings settings(Path dir, long segment, long max, FsyncPolicy fsync) {
        return new JournalSettings(true, dir, fsync, 20, max, segment, 1000, 1000);
    }

    /** @return the settings of a pipeline journal in tests: interval fsync every 5 ms, 200 ms retry, 10 s waits */
    public static JournalSettings pipelineSettings(Path dir, long max, long segment) {
        return new JournalSettings(true, dir, FsyncPolicy.INTERVAL, 5, max, segment, 200, 10_000);
    }

    /** @return {@code n} INFO entries of {@code run}, seq 1..n, a millisecond apart */
    public static List<LogEntry> entries(UUID workflow, UUID run, int n) {
        List<LogEntry> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(LogEntry.builder().workflowId(workflow).runId(run).nodeKey("node-" + i).ts(Entries.TS.plusMillis(i))
                    .level(LogLevel.INFO).message("message " + i).build().withSeq(i));
        }
        return out;
    }

    /** @return {@code n} entries of {@code run}, seq 1..n, using every field, every level and non-ASCII text */
    public static List<LogEntry> richEntries(UUID workflow, UUID run, int n) {
        List<LogEntry> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            LogLevel level = LogLevel.values()[i % 4];
            out.add(LogEntry.builder().workflowId(workflow).runId(run).nodeKey("node-" + i).ts(Entries.TS.plusMillis(i))
                    .level(level).message("message " + i + " \u00e9\u4e2d\uD83D\uDE00")
                    .errorCode(i % 3 == 0 ? "E" + i : null).metadata(i % 2 == 0 ? "{\"i\":" + i + "}" : null)
                    .traceId(i % 5 == 0 ? "trace" : null).hierarchy("root/n" + i).build().withSeq(i));
        }
        return out;
    }

    /**
     * @return a journal on {@code s} followed by {@code followers}, each without a share limit, not yet recovered:
     *         {@link #DATABASE} among them is a durable follower (it never skips, takes the overflow and counts in
     *         {@code toReplay}), every other name a non-durable one (as Kafka is)
     */
    public static Journal journal(JournalSettings s, Scheduler clock, String... followers) {
        Map<String, Long> shares = new HashMap<>();
        for (String f : followers) shares.put(f, Long.MAX_VALUE);
        Set<String> durable = shares.containsKey(DATABASE) ? Set.of(DATABASE) : Set.of();
        return new Journal(s, shares, durable, Thread::new, clock);
    }

    /** Acknowledges for {@code follower} (of a recovered journal) every record that ends at or before {@code position}. */
    public static void acknowledge(Journal j, String follower, long position) {
        j.tail(follower).acknowledge(position);
    }

    /** Recovers {@code j}. @return the highest seq it holds per run */
    public static Map<UUID, Long> recover(Journal j) {
        Map<UUID, Long> last = new HashMap<>();
        j.recover((e, seq) -> last.merge(e.runId(), seq, Math::max));
        return last;
    }

    /** @return the segment files of {@code dir}, in position order */
    public static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }
}
