package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.ExactlyOnce;

/**
 * kill -9 of the Liberty JVM at a steady ~5,000 entries/s. Clients send 50-entry requests with
 * {@code ?wait=durable}: a 202 with {"durable":true} is the module's confirmation that the entries
 * are in the journal (fsync interval 20 ms). After the kill the server is started again (same
 * server.env), replays its journal, and then: every confirmed entry is in PostgreSQL exactly once,
 * each run's rows are gap-free from seq 1 (the journal keeps a run's prefix), and the entries
 * that were routed but not confirmed are the only possible loss, counted and printed. The table is read
 * once, after the replay has finished and every sink has drained, and compared entry by entry
 * ({@link ExactlyOnce}): a duplicate the replay writes late cannot hide.
 * The server is left running for the ITs after this one.
 */
class JournalCrashIT {
    private static final int CLIENTS = 16;
    private static final int PER_REQUEST = 100;
    private static final int TARGET_RATE = 5_000;
    private static final Duration LOAD_BEFORE_KILL = Duration.ofSeconds(4);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(180);

    /** What one client sent for its run: messages by outcome. */
    private static final class Client {
        final UUID run = UUID.randomUUID();
        final Set<String> confirmed = ConcurrentHashMap.newKeySet();
        final Set<String> unconfirmed = ConcurrentHashMap.newKeySet();
    }

    @Test
    void everyEntryConfirmedDurableSurvivesKillMinus9ExactlyOnce() throws Exception {
        ItEnvironment.awaitReady();
        UUID workflow = UUID.randomUUID();
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) clients.add(new Client());
        // started runs: their seq starts at 1 without asking the database (this test is about the journal)
        for (Client c : clients) {
            ItEnvironment.startRun(workflow, c.run);
        }
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> running = new ArrayList<>();
        long requestIntervalNanos = TimeUnit.SECONDS.toNanos(1) * PER_REQUEST * CLIENTS / TARGET_RATE;
        Instant t0 = Instant.now();
        for (int c = 0; c < CLIENTS; c++) {
            Client client = clients.get(c);
            int clientNo = c;
            running.add(pool.submit(() -> {
                long next = System.nanoTime();
                for (int req = 0; !stop.get(); req++) {
                    UniqueBatch batch = new UniqueBatch(workflow, client.run, clientNo, req, PER_REQUEST);
                    boolean durable = false;
                    try {
                        HttpResponse<String> res = ItEnvironment.post("/api/v1/logs?wait=durable", batch.body);
                        if (res.statusCode() == 202) {
                            JsonObject o = ItEnvironment.parse(res.body());
                            durable = o.getBoolean("durable") && o.getInt("accepted") == PER_REQUEST;
                        }
                    } catch (java.net.ConnectException e) {
                        return null; // the server is gone: this request never reached it
                    } catch (Exception e) {
                        // the server died under this request: its entries are not confirmed
                    }
                    (durable ? client.confirmed : client.unconfirmed).addAll(batch.messages);
                    if (!durable && stop.get()) return null;
                    next += requestIntervalNanos;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) TimeUnit.NANOSECONDS.sleep(sleep);
                }
                return null;
            }));
        }
        Thread.sleep(LOAD_BEFORE_KILL.toMillis());
        long pid = ItEnvironment.serverPid();
        try {
            killAndCheck(pid, clients, stop, running, pool, t0);
        } finally {
            // whatever happened above, the ITs after this one need the server
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor(30, TimeUnit.SECONDS);
                ItEnvironment.awaitExit(pid);
            }
            if (ItEnvironment.readiness() == null) ItEnvironment.startServer();
        }
    }

    private static void killAndCheck(long pid, List<Client> clients, AtomicBoolean stop, List<Future<?>> running,
                                     ExecutorService pool, Instant t0) throws Exception {
        long sentBeforeKill = clients.stream().mapToLong(c -> c.confirmed.size() + c.unconfirmed.size()).sum();
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS), "kill -9 " + pid + " returned");
        assertEquals(0, kill.exitValue(), "kill -9 " + pid);
        ItEnvironment.awaitExit(pid);
        Duration loadTime = Duration.between(t0, Instant.now());
        stop.set(true);
        for (Future<?> f : running) f.get(60, TimeUnit.SECONDS);
        pool.shutdown();

        long confirmed = clients.stream().mapToLong(c -> c.confirmed.size()).sum();
        long unconfirmed = clients.stream().mapToLong(c -> c.unconfirmed.size()).sum();
        System.out.printf("kill -9 after %d ms at ~%d entries/s offered (%d sent before the kill): %d confirmed durable, %d unconfirmed%n",
                loadTime.toMillis(), sentBeforeKill * 1000 / Math.max(1, loadTime.toMillis()), sentBeforeKill, confirmed, unconfirmed);
        assertTrue(confirmed > 0, "load reached the server before the kill: " + confirmed);

        Instant restart = Instant.now();
        ItEnvironment.startServer();
        ItEnvironment.awaitReady();
        JsonObject durability = ItEnvironment.checkData(ItEnvironment.readiness(), "zenflow-logging-durability");
        System.out.println("after restart: " + durability);

        // The replay runs in the background: wait until it has finished and every sink has passed all it
        // holds, THEN read the table to its end once. (Stopping when the confirmed entries are present
        // would miss a duplicate the replay writes afterwards.)
        Duration drained = ItEnvironment.awaitDrained(RECOVERY_TIMEOUT);
        System.out.printf("restart to replay finished and every sink drained: %d ms (drain wait %d ms)%n",
                Duration.between(restart, Instant.now()).toMillis(), drained.toMillis());
        List<UUID> runs = clients.stream().map(c -> c.run).toList();
        ExactlyOnce check = new ExactlyOnce();
        for (Client c : clients) check.mustArrive(c.confirmed).mayArrive(c.unconfirmed);
        storedMessages(runs).forEach(check::read);
        ExactlyOnce.Verdict v = check.verdict();
        System.out.printf("unconfirmed entries: %d, of which %d reached PostgreSQL anyway and %d are lost%n",
                unconfirmed, v.optionalArrived(), v.optionalMissing());
        v.assertExact("confirmed entries in PostgreSQL exactly once, nothing stored that was not sent");
        assertGapFreePrefix(runs);
    }

    /** message -> number of rows holding it, for the runs. */
    private static Map<String, Integer> storedMessages(List<UUID> runs) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement("SELECT message, count(*) FROM logs WHERE run_id = ANY (?) GROUP BY message")) {
            ps.setArray(1, c.createArrayOf("uuid", runs.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getInt(2));
            }
        }
        return out;
    }

    /** Each run's rows are seq 1..n without a gap or a duplicate: what survives is a prefix of the run. */
    private static void assertGapFreePrefix(List<UUID> runs) throws Exception {
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement("SELECT run_id, count(*), count(DISTINCT seq), min(seq), max(seq) "
                     + "FROM logs WHERE run_id = ANY (?) GROUP BY run_id")) {
            ps.setArray(1, c.createArrayOf("uuid", runs.toArray()));
            Set<String> seen = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    seen.add(rs.getString(1));
                    assertEquals(rs.getLong(2), rs.getLong(3), "no duplicate seq in run " + rs.getString(1));
                    assertEquals(1, rs.getLong(4), "run " + rs.getString(1) + " starts at 1");
                    assertEquals(rs.getLong(2), rs.getLong(5), "run " + rs.getString(1) + " has no gap");
                }
            }
            assertEquals(runs.size(), seen.size());
        }
    }
}
