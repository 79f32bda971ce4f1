package org.phong.zenflow.logging.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.config.ConfigReader;
import org.phong.zenflow.logging.config.JournalSettings;

/**
 * One configuration of the pipeline under test: a name for the table and a customisation of the
 * builder, applied after the server's parts (settings, PostgreSQL sink, executors) are set. The
 * throughput phase runs once per variant in {@link #ALL}, each followed by the COPY limit of its rows.
 *
 * @param name        as printed ("journal off")
 * @param targetRatio the target for end-to-end / COPY limit (0.9 journal off, 0.85 journal on)
 * @param customize   applied to the builder before {@code build()}
 */
record PipelineVariant(String name, double targetRatio, UnaryOperator<LoggingPipeline.Builder> customize) {
    /** The pipeline without the write-ahead journal. */
    static final PipelineVariant JOURNAL_OFF = new PipelineVariant("journal off", 0.9, b -> b);

    /** The server's default: the write-ahead journal on, fsync every 20 ms (interval), in a fresh temp directory. */
    static final PipelineVariant JOURNAL_ON = new PipelineVariant("journal on (interval fsync)", 0.85, b -> b.journal(tempJournal()));

    /** Every variant the full run measures. */
    static final List<PipelineVariant> ALL = List.of(JOURNAL_OFF, JOURNAL_ON);

    private static JournalSettings tempJournal() {
        try {
            Path dir = Files.createTempDirectory("bench-journal");
            // The benchmark's journal is scratch: gone when the benchmark JVM ends (each run left one behind in /tmp).
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "bench-journal-cleanup"));
            Properties p = new Properties();
            p.setProperty(JournalSettings.DIR, dir.toString());
            return JournalSettings.from(ConfigReader.overProperties(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete the benchmark journal " + dir + ": " + e);
        }
    }
}
