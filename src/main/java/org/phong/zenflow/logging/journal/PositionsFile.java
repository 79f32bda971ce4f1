package org.phong.zenflow.logging.journal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.time.Scheduler;

/**
 * {@code positions.properties}, which keeps where every follower of the journal stands across restarts: its
 * exact position (the end of the last record it acknowledged).
 *
 * <p>Invariants:
 * <ul>
 *   <li>the file is replaced atomically (write a temporary file, force it, rename over the old one), so a
 *       crash leaves the old positions or the new ones, never a torn file;</li>
 *   <li>a saved position never passes a record its follower does not have (a follower over its share may pass
 *       records it skipped, counted): positions come from the follower's own acknowledgements, and none passes
 *       its follower's {@link #holdBack hold} (segment files a retry found that recovery never read: the follower
 *       reads them only after the next startup, from its saved position);</li>
 *   <li>a moved position is saved at most every {@link #FOLLOWER_SAVE_INTERVAL_MS} (at once when a segment
 *       was deleted, and at close): saving late only means reading more again after a crash, never less;</li>
 *   <li>an unreadable position is ignored (logged): that follower starts from the oldest segment.</li>
 * </ul>
 *
 * <p>Locking: no lock of its own; called under the journal's lock (recover, housekeeping, close, stats).
 */
final class PositionsFile {
    /** Logged under the journal's name, as before the journal was split into classes. */
    private static final Logger LOG = Logger.getLogger(Journal.class.getName());
    static final String NAME = "positions.properties";
    /** A follower's moving position is saved at most this often. */
    static final long FOLLOWER_SAVE_INTERVAL_MS = 1_000;

    private final Path dir;
    private final Followers followers;
    private final Scheduler clock;
    /** What the file holds (as last read or written). */
    private Map<String, Long> saved = Map.of();
    private long lastSaveMs;
    /** Per follower (by index): the highest position it may save ({@code Long.MAX_VALUE}: no bound); see {@link #holdBack}. */
    private final long[] hold;

    PositionsFile(Path dir, Followers followers, Scheduler clock) {
        this.dir = dir;
        this.followers = followers;
        this.clock = clock;
        this.hold = new long[followers.size()];
        Arrays.fill(hold, Long.MAX_VALUE);
    }

    /**
     * A retry found segment files that startup recovery never read (the directory was locked or a file unreadable at
     * start), from {@code unrecoveredFrom} up to {@code end}; they stay for the next startup's recovery, which starts
     * each follower at its saved position. So from now on no saved position passes the first record of them its
     * follower may lack: its position as the file holds it now (it had everything before that; recovery would have
     * started it there), or {@code unrecoveredFrom} when that is lower (what lies before was recovered, and this
     * process's follower reads it, or is gone). An unreadable file bounds every follower at {@code unrecoveredFrom}.
     */
    void holdBack(long unrecoveredFrom, long end) {
        Map<String, Long> file;
        try {
            file = load();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot read the journal positions at the retry; every follower's saved position stays at "
                    + unrecoveredFrom + " or before", e);
            file = Map.of();
        }
        for (int i = 0; i < hold.length; i++) {
            Long p = file.get(followers.name(i));
            long at = p == null ? unrecoveredFrom : Math.max(unrecoveredFrom, Math.min(p, end));
            hold[i] = Math.min(hold[i], at);
        }
    }

    /** @return each follower's position as it may be saved: {@code Followers.positions()} bounded by {@link #holdBack} */
    Map<String, Long> savable() {
        Map<String, Long> out = followers.positions();
        for (int i = 0; i < hold.length; i++) {
            if (hold[i] != Long.MAX_VALUE) out.merge(followers.name(i), hold[i], Math::min);
        }
        return out;
    }

    /** @return true when {@code now} differs from what the file holds */
    boolean changed(Map<String, Long> now) {
        return !now.equals(saved);
    }

    /** @return true when a follower's position in {@code now} moved and the last save is old enough */
    boolean due(Map<String, Long> now, long nowMs) {
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
                p.store(out, "journal position each follower has acknowledged (exact)");
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
     * @return the saved positions by follower name, also kept as what the file holds
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
