package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ITs' embedded PostgreSQL as a fault test needs it: frozen (SIGSTOP on the postmaster and every
 * backend: connections hang, the nastiest outage), thawed, stopped (fast shutdown: connections refused)
 * and started again with the postmaster's own command line.
 */
final class PostgresControl {
    private final long pid;
    private final List<String> command;
    private final Path dataDir;
    private List<Long> frozen = List.of();

    private PostgresControl(long pid, List<String> command, Path dataDir) {
        this.pid = pid;
        this.command = command;
        this.dataDir = dataDir;
    }

    static PostgresControl find() throws Exception {
        Path dataDir = Path.of(System.getProperty("it.db.dir", "target/it-pgdata"));
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
        List<String> cmd = Arrays.stream(new String(raw).split("\0")).filter(s -> !s.isEmpty()).toList();
        return new PostgresControl(pid, cmd, dataDir);
    }

    void freeze() throws Exception {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).orElseThrow().descendants().forEach(p -> pids.add(p.pid()));
        frozen = pids;
        DatabaseOutageIT.signal("-STOP", pids);
    }

    void thaw() throws Exception {
        DatabaseOutageIT.signal("-CONT", frozen);
    }

    void stop() throws Exception {
        Process p = new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start();
        assertEquals(0, p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1, "kill -INT");
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(60, TimeUnit.SECONDS).join());
    }

    /** Starts it as zonky did: pg_ctl beside the postgres binary, the same options, in a user namespace (not as root). */
    PostgresControl start() throws Exception {
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        Path pgCtl = Path.of(command.get(0)).resolveSibling("pg_ctl");
        int d = command.indexOf("-D");
        String options = String.join(" ", command.subList(d + 2, command.size()));
        Process p = new ProcessBuilder("unshare", "-U", pgCtl.toString(), "-D", command.get(d + 1), "-l", log.toString(), "-o", options, "-w", "start")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        assertEquals(0, p.waitFor(120, TimeUnit.SECONDS) ? p.exitValue() : -1, "pg_ctl start, see " + log);
        // a timeout carries the last SQLException as its cause
        await("PostgreSQL accepts connections again, see " + log).atMost(Duration.ofSeconds(60))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(SQLException.class)
                .until(() -> {
                    try (var c = ItEnvironment.openConnection()) {
                        return true;
                    }
                });
        return find();
    }
}
