package org.phong.zenflow.logging.journal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * Where every reader of the journal stands, and {@code positions.properties}, which keeps it across restarts:
 * a durable sink's position is the base of the first segment it has not passed; a follower's is exact (the end
 * of the last record it acknowledged).
 *
 * <p>Invariants:
 * <ul>
 *   <li>the file is replaced atomically (write a temporary file, force it, rename over the old one), so a
 *       crash leaves the old positions or the new ones, never a torn file;</li>
 *   <li>a saved position never passes a record its reader does not have (a follower over its share may pass
 *       records it skipped, counted): durable positions come from the segments' acknowledgement counts,
 *       follower positions from the follower's own acknowledgements, and no durable position passes
 *       {@code unrecoveredFrom} (segment files a retry found that recovery never read);</li>
 *   <li>a moved durable position is saved by the next housekeeping, a moved follower position at most every
 *       {@link #FOLLOWER_SAVE_INTERVAL_MS} (and at close): saving late only means reading more again after a
 *       crash, never less;</li>
 *   <li>an unreadable position is ignored (logged): that reader starts from the oldest segment.</li>
 * </ul>
 *
 * <p>Locking: no lock of its own; called under the journal's lock (recover, housekeeping, close, stats).
 */
final class PositionsFile {
    /** Logged under the journal's name, as before the journal was split into classes. */
    private static final Logger LOG = Logger.getLogger(Journal.class.getName());
    static final String NAME = "positions.properties";
    /** A follower's moving position is saved at most this often (durable positions at once). */
    static final long FOLLOWER_SAVE_INTERVAL_MS = 1_000;

    private final Path dir;
    private final List<String> sinks;
    private final SegmentList segments;
    private final Followers followers;
    private final Scheduler clock;
    /** What the file holds (as last read or written). */
    private Map<String, Long> saved = Map.of();
    private long lastSaveMs;

    PositionsFile(Path dir, List<String> sinks, SegmentList segments, Followers followers, Scheduler clock) {
        this.dir = dir;
        this.sinks = sinks;
        this.segments = segments;
        this.followers = followers;
        this.clock = clock;
    }

    /**
     * Under the lock.
     *
     * @param end             the journal's appended position (a durable sink that passed every segment stands there)
     * @param unrecoveredFrom lowest base of a segment file recovery did not read ({@code Long.MAX_VALUE}: none)
     * @return every reader's position now: durable sinks in order, then followers
     */
    Map<String, Long> current(long end, long unrecoveredFrom) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < sinks.size(); i++) out.put(sinks.get(i), Math.min(segments.position(i, end), unrecoveredFrom));
        followers.putPositions(out);
        return out;
    }

    /** @return true when {@code now} differs from what the file holds */
    boolean changed(Map<String, Long> now) {
        return !now.equals(saved);
    }

    /** @return true when a durable position in {@code now} moved, or a follower's did and the last save is old enough */
    boolean due(Map<String, Long> now, long nowMs) {
        for (String s : sinks) if (!now.get(s).equals(saved.get(s))) return true;
        if (nowMs - lastSaveMs < FOLLOWER_SAVE_INTERVAL_MS) return false;
        for (String f : followers.names()) if (!now.get(f).equals(saved.get(f))) return true;
        return false;
    }

    /** Atomically replaces the file with {@code now} (write, force, rename); a failure is logged and retried by the next save. */
    void save(Map<String, Long> now) {
        Properties p = new Properties();
        now.forEach((k, v) -> p.setProperty(k, Long.toString(v)));
        Path tmp = dir.resolve(NAME + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "journal position each durable sink has passed (segment base) and each follower has acknowledged (exact)");
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            saved = now;
            lastSaveMs = clock.nowMillis();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot save the journal positions; segments are replayed from further back after a crash", e);
        }
    }

    /**
     * Reads the file (recovery). A missing file holds no position; a value that is not a number is ignored.
     *
     * @return the saved positions by reader name, also kept as what the file holds
     */
    Map<String, Long> load() throws IOException {
        Path f = dir.resolve(NAME);
        if (!Files.exists(f)) {
            saved = Map.of();
            return saved;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(f)) {
            p.load(in);
        }
        Map<String, Long> out = new HashMap<>();
        for (String k : p.stringPropertyNames()) {
            try {
                out.put(k, Long.parseLong(p.getProperty(k).trim()));
            } catch (NumberFormatException e) {
                LOG.warning("Ignoring a bad journal position " + k + "=" + p.getProperty(k) + " (the sink replays from the start)");
            }
        }
        saved = out;
        return out;
    }
}
