package org.phong.zenflow.logging.sink.postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.config.ConfigReader;
import org.phong.zenflow.logging.config.JournalSettings;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.time.ExecutorScheduler;

/**
 * Not a test: a benchmark (run by hand, see docs/durability.md) of end-to-end throughput route() -> PostgreSQL
 * with the journal off and on (fsync=interval), in alternating rounds on one embedded PostgreSQL,
 * the table truncated before each round. Prints entries/s per round and the on/off ratio.
 * Arguments: [rounds per mode, default 3] [runs, default 100] [entries per run, default 1000].
 */
public final class JournalOnOffBenchmark {
    private JournalOnOffBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int perRun = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        Path dir = Files.createTempDirectory("journal-bench");
        try (Pg pg = Pg.startMigrated()) {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
            ExecutorService executor = Executors.newCachedThreadPool();
            double off = 0;
            double on = 0;
            for (int r = 0; r < rounds * 2 + 1; r++) {
                boolean journal = r % 2 == 1;
                pg.exec("TRUNCATE logs");
                double rate = round(pg, timer, executor, journal ? dir : null, runs, perRun);
                if (r == 0) {
                    System.out.printf("warm-up (journal off): %.0f entries/s%n", rate);
                    continue;
                }
                System.out.printf("round %d journal %s: %.0f entries/s%n", (r + 1) / 2, journal ? "on (interval)" : "off", rate);
                if (journal) on += rate;
                else off += rate;
            }
            System.out.printf("mean: journal off %.0f, on %.0f entries/s: on/off = %.0f%%%n", off / rounds, on / rounds, 100 * on / off);
            timer.shutdownNow();
            executor.shutdownNow();
        }
    }

    private static double round(Pg pg, ScheduledExecutorService timer, ExecutorService executor, Path journalDir,
                                int runs, int perRun) throws Exception {
        java.util.Properties room = new java.util.Properties();
        room.setProperty(LoggingSettings.QUEUE_CAPACITY, Integer.toString(2 * runs * perRun)); // nothing shed
        LoggingSettings s = LoggingSettings.fromProperties(room);
        LoggingPipeline.Builder b = LoggingPipeline.builder().settings(s).sinks(List.of(new PostgresLogSink(pg.ds, s)))
                .scheduler(new ExecutorScheduler(timer)).executor(executor).threadFactory(Thread::new)
                .sequenceLookup(new PostgresLogReader(pg.ds)::lastSeq);
        if (journalDir != null) b.journal(JournalSettings.from(ConfigReader.over(k -> k.equals(JournalSettings.DIR)
                ? java.util.Optional.of(journalDir.toString()) : java.util.Optional.empty())));
        LoggingPipeline p = b.build().start();
        UUID wf = UUID.randomUUID();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < runs; i++) ids.add(UUID.randomUUID());
        long t0 = System.nanoTime();
        int threads = 4;
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = t;
            fs.add(executor.submit(() -> {
                for (int i = 0; i < perRun; i++) {
                    for (int r = from; r < runs; r += threads) {
                        p.router().route(LogEntry.builder().workflowId(wf).runId(ids.get(r)).nodeKey("node")
                                .level(LogLevel.INFO).message("benchmark entry " + i).metadata("{\"i\":" + i + "}")
                                .hierarchy("root/node").build());
                    }
                }
            }));
        }
        for (Future<?> f : fs) f.get();
        if (!p.shutdown(600_000)) throw new IllegalStateException("not drained");
        double seconds = (System.nanoTime() - t0) / 1e9;
        long rows = pg.count("SELECT count(*) FROM logs");
        if (rows != (long) runs * perRun) throw new IllegalStateException(rows + " rows");
        return rows / seconds;
    }
}
