package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The live tail on the real server: WebSocket clients ({@link TailClient}) against Liberty, entries
 * routed in the server ({@code /api/v1/admin/stream/load}), history from the real PostgreSQL.
 * Ring size is the default 200.
 */
class StreamIT {
    private static final int RING = 200;

    @BeforeAll
    static void ready() throws Exception {
        ItEnvironment.awaitReady();
        awaitDrained();
    }

    static String newRun() throws Exception {
        String run = UUID.randomUUID().toString();
        ItEnvironment.startRun(UUID.randomUUID(), UUID.fromString(run));
        return run;
    }

    /** Routes entries into the run in the server; asserts every one was accepted (none shed), so seq runs 1..n. */
    static JsonObject load(String run, int entries, int rate) throws Exception {
        JsonObject r = ItEnvironment.postJson("/api/v1/admin/stream/load",
                "{\"runId\":\"" + run + "\",\"entries\":" + entries + ",\"ratePerSecond\":" + rate + "}", 200,
                java.time.Duration.ofMinutes(5));
        assertEquals(entries, r.getInt("accepted"), "entries accepted (none shed by backpressure): " + r);
        return r;
    }

    /** Waits until nothing is in flight, so a burst does not make later tests meet backpressure. */
    static void awaitDrained() throws Exception {
        awaitTrue(() -> ItEnvironment.getJson("/api/v1/admin/status").getJsonNumber("inFlight").longValue() == 0, "pipeline drained");
    }

    static void end(String run, String outcome) throws Exception {
        ItEnvironment.postJson("/api/v1/runs/" + run + "/end", "{\"outcome\":\"" + outcome + "\"}", 202,
                java.time.Duration.ofMinutes(5));
    }

    static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void seamsAtTheRingBoundaryAndPastItFromTheDatabase() throws Exception {
        String run = newRun();
        // A run keeps a ring once someone watches it: this first viewer makes the ring hold the last 200.
        TailClient watcher = TailClient.open(run, 0, null, true, 0);
        awaitTrue(() -> watcher.caughtUpSeq >= 0, "the watcher caught up");
        load(run, 1000, 0); // seq 1..1000; the ring holds 801..1000
        long[] afters = {1000 - RING, 1000 - RING - 1, 0, 999, 1000};
        List<TailClient> clients = new ArrayList<>();
        for (long a : afters) clients.add(TailClient.open(run, a, null, true, 0));
        for (int i = 0; i < afters.length; i++) {
            TailClient c = clients.get(i);
            awaitTrue(() -> c.caughtUpSeq >= 0, "caught-up for afterSeq=" + afters[i]);
            assertEquals(1000, c.caughtUpSeq);
            assertEquals(range(afters[i] + 1, 1000), c.seqs(), "history after " + afters[i]);
        }
        load(run, 10, 0); // live 1001..1010
        end(run, "FAILED");
        for (int i = 0; i < afters.length; i++) {
            TailClient c = clients.get(i);
            assertEquals("1000 run ended", c.done.get(30, TimeUnit.SECONDS));
            assertEquals(range(afters[i] + 1, 1010), c.seqs(), "history then live after " + afters[i]);
            assertEquals("{\"type\":\"run-ended\",\"lastSeq\":1010,\"outcome\":\"FAILED\"}", c.runEnded);
        }
        assertEquals("1000 run ended", watcher.done.get(30, TimeUnit.SECONDS));
        assertEquals(range(1, 1010), watcher.seqs(), "the watcher: everything live");
        // The run is over: everything but the run's end comes from PostgreSQL now.
        TailClient late = TailClient.open(run, 500, null, true, 0);
        assertEquals("1000 run ended", late.done.get(60, TimeUnit.SECONDS));
        assertEquals(range(501, 1010), late.seqs());
        assertEquals(1010, late.caughtUpSeq);
        // minLevel filters both history and live; caught-up still covers every seq.
        TailClient errors = TailClient.open(run, 0, "&minLevel=ERROR", true, 0);
        assertEquals("1000 run ended", errors.done.get(60, TimeUnit.SECONDS));
        assertEquals(1010 / 20, errors.seqs().size(), "one ERROR every 20 entries");
        assertEquals(1010, errors.caughtUpSeq);
    }

    @Test
    void twentyRunsWithClientsDroppingAtRandomEndWithExactlyOneToN() throws Exception {
        int runs = 20;
        int perRun = 3000;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < runs; i++) ids.add(newRun());
        ExecutorService pool = Executors.newFixedThreadPool(runs * 2);
        try {
            List<Future<List<Long>>> tails = new ArrayList<>();
            List<Future<Integer>> reconnects = new ArrayList<>();
            for (String run : ids) {
                CompletableFuture<Integer> rc = new CompletableFuture<>();
                reconnects.add(rc);
                tails.add(pool.submit(() -> {
                    // Reconnect with afterSeq = last received until the run's end arrives.
                    List<Long> all = new ArrayList<>();
                    int reconnectCount = 0;
                    while (true) {
                        long after = all.isEmpty() ? 0 : all.get(all.size() - 1);
                        // The first connection always drops within its first 700 entries (so every client resumes at
                        // least once, whatever the frames' sizes); later ones drop at random or (1 in 4) read to the end.
                        boolean stays = reconnectCount > 0 && ThreadLocalRandom.current().nextInt(4) == 0;
                        int abortAfter = stays ? 0 : ThreadLocalRandom.current().nextInt(1, 700);
                        TailClient c = TailClient.open(run, after, null, true, abortAfter);
                        String how = c.done.get(120, TimeUnit.SECONDS);
                        all.addAll(c.seqs());
                        if (c.runEnded != null) {
                            assertEquals("1000 run ended", how);
                            rc.complete(reconnectCount);
                            return all;
                        }
                        reconnectCount++;
                        Thread.sleep(ThreadLocalRandom.current().nextInt(0, 200)); // away for a while
                    }
                }));
            }
            List<Future<JsonObject>> loads = new ArrayList<>();
            for (String run : ids) loads.add(pool.submit(() -> load(run, perRun, 1500)));
            for (Future<JsonObject> l : loads) assertEquals(perRun, l.get(5, TimeUnit.MINUTES).getInt("accepted"));
            for (String run : ids) end(run, "SUCCEEDED");
            int total = 0;
            for (int i = 0; i < runs; i++) {
                assertEquals(range(1, perRun), tails.get(i).get(3, TimeUnit.MINUTES), "run " + ids.get(i));
                total += reconnects.get(i).get(10, TimeUnit.SECONDS);
            }
            System.out.println("[StreamIT] 20 runs x " + perRun + " entries, clients reconnected " + total
                    + " times in all, each ended with exactly 1.." + perRun);
            assertTrue(total >= runs, "the clients really did drop and resume");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClientThatNeverReadsIsClosed1013WhileTheRouterKeepsItsPace() throws Exception {
        int n = 150_000;
        int trials = 5;
        awaitDrained();
        load(newRun(), 20_000, 0); // warm-up
        List<Double> without = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        long slowBefore = ItEnvironment.getJson("/api/v1/admin/stream/status").getJsonNumber("closedSlow").longValue();
        List<TailClient> stalled = new ArrayList<>();
        // Five bursts each, in alternating order (A B, B A, ...), every burst starting with nothing in
        // flight; medians compared: the machine is shared, and a single 0.1-0.4 s burst is noisy.
        for (int trial = 0; trial < trials; trial++) {
            for (int half = 0; half < 2; half++) {
                boolean withClient = (trial + half) % 2 == 1;
                awaitDrained();
                String run = newRun();
                if (withClient) {
                    stalled.add(TailClient.open(run, 0, null, false, 0));
                } else {
                    // A run a viewer has looked at keeps a ring of its latest entries, as the stalled client's run
                    // does; one nobody watched keeps none and routes faster. Look, then leave: like for like.
                    TailClient look = TailClient.open(run, 0, null, true, 0);
                    awaitTrue(() -> look.caughtUpSeq >= 0, "the look caught up");
                    look.abort();
                }
                double rate = load(run, n, 0).getJsonNumber("entriesPerSecond").doubleValue();
                (withClient ? with : without).add(rate);
            }
        }
        double alone = median(without);
        double stalledMedian = median(with);
        System.out.printf("[StreamIT] router throughput, %d entries into one run, median of %d: %.0f entries/s alone, %.0f with a never-reading client (%.1f%%); all alone %s, all with %s%n",
                n, trials, alone, stalledMedian, 100 * stalledMedian / alone, rounded(without), rounded(with));
        awaitTrue(() -> slowBefore + trials <= ItEnvironment.getJson("/api/v1/admin/stream/status").getJsonNumber("closedSlow").longValue(),
                "every stalled client closed as too slow");
        for (TailClient c : stalled) {
            c.startReading();
            String how = c.done.get(60, TimeUnit.SECONDS);
            System.out.println("[StreamIT] the never-reading client saw: " + how);
            // The close frame queues behind frames the client never read: when the socket's buffers are full
            // the server cannot deliver it and the connection is dropped instead, which the client sees as
            // 1006 (docs/websocket-protocol.md: reconnect with afterSeq). What the server did is counted above
            // (closedSlow); a close it did deliver must be the 1013 with the resume point.
            if (c.closeCode == 1006) continue;
            if (c.closeCode != -1) {
                assertEquals(1013, c.closeCode, how);
                assertTrue(c.closeReason.contains("afterSeq="), c.closeReason);
            }
        }
        awaitDrained();
        // The design target is within 5% (the router only offers to a lock-free bounded queue, and the
        // session leaves the run once closed). On the shared 2-core machine bursts of the SAME setup vary
        // from 250k to 1.3M entries/s, so 5% cannot be told from noise here: the test prints the figure
        // and asserts a bound that catches what matters, a router slowed down (or blocked) by the client.
        assertTrue(stalledMedian >= 0.5 * alone, "router throughput with a stalled client " + stalledMedian + " vs " + alone);
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        java.util.Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static List<Long> rounded(List<Double> v) {
        return v.stream().map(Math::round).toList();
    }

    @Test
    void badParametersClose1008NamingTheParameter() throws Exception {
        String run = UUID.randomUUID().toString();
        assertClosed1008("/ws/runs/" + run + "?afterSeq=abc", "afterSeq");
        assertClosed1008("/ws/runs/" + run + "?afterSeq=-1", "afterSeq");
        assertClosed1008("/ws/runs/" + run + "?minLevel=LOUD", "minLevel");
        assertClosed1008("/ws/runs/not-a-uuid", "runId");
        assertClosed1008("/ws/runs/" + run + "?protocol=1", "protocol");
        assertClosed1008("/ws/runs/" + run + "?from=yesterday", "from");
        assertClosed1008("/ws/runs/" + run + "?q=" + "x".repeat(201), "q");
    }

    private static void assertClosed1008(String path, String field) throws Exception {
        TailClient c = new TailClient(true, 0);
        ItEnvironment.openWebSocket(path, c).get(30, TimeUnit.SECONDS);
        c.done.get(30, TimeUnit.SECONDS);
        assertEquals(1008, c.closeCode, path);
        assertTrue(c.closeReason.contains(field), c.closeReason);
    }

    @Test
    void streamLoadRefusesBadBodiesNamingTheField() throws Exception {
        String run = UUID.randomUUID().toString();
        String[][] cases = {
                {"not json", "body"},
                {"{\"runId\":\"nope\"}", "runId"},
                {"{\"runId\":\"" + run + "\",\"workflowId\":\"x\"}", "workflowId"},
                {"{\"runId\":\"" + run + "\",\"entries\":0}", "entries"},
                {"{\"runId\":\"" + run + "\",\"entries\":5,\"ratePerSecond\":-1}", "ratePerSecond"},
        };
        for (String[] c : cases) {
            HttpResponse<String> res = ItEnvironment.post("/api/v1/admin/stream/load", c[0]);
            assertEquals(400, res.statusCode(), c[0] + " -> " + res.body());
            assertEquals(c[1], ItEnvironment.parse(res.body()).getString("field"), res.body());
        }
        HttpResponse<String> badRun = ItEnvironment.post("/api/v1/admin/stream/runs/not-a-uuid/disconnect", "");
        assertEquals(400, badRun.statusCode(), badRun.body());
        assertEquals("runId", ItEnvironment.parse(badRun.body()).getString("field"));
        assertEquals(0, ItEnvironment.parse(ItEnvironment.post("/api/v1/admin/stream/runs/" + run + "/disconnect", "").body())
                .getInt("closed"), "nobody watches a fresh run");
    }

    @Test
    void longPollAnswersAtOnceOrWaitsForTheNextEntry() throws Exception {
        String run = newRun();
        load(run, 5, 0);
        JsonObject now = ItEnvironment.getJson("/api/v1/runs/" + run + "/logs?afterSeq=2&waitMs=5000");
        assertEquals(3, now.getJsonArray("entries").size());
        assertEquals(5, now.getInt("nextAfterSeq"));
        double sessionsBefore = ItEnvironment.metrics().value("zenflow_logging_stream_sessions");
        CompletableFuture<HttpResponse<String>> waiting = ItEnvironment.httpClient().sendAsync(
                java.net.http.HttpRequest.newBuilder(ItEnvironment.uri("/api/v1/runs/" + run + "/logs?afterSeq=5&waitMs=20000")).build(),
                HttpResponse.BodyHandlers.ofString());
        // Not sleep-then-assert-absence: wait until the server counts the poll as an open live-tail session
        // (it is parked, waiting), then route the entry it must answer with.
        awaitTrue(() -> ItEnvironment.metrics().value("zenflow_logging_stream_sessions") > sessionsBefore || waiting.isDone(), "the poll is waiting");
        assertFalse(waiting.isDone(), "nothing after 5 yet: the poll waits instead of answering empty");
        load(run, 1, 0);
        HttpResponse<String> res = waiting.get(15, TimeUnit.SECONDS);
        assertEquals(200, res.statusCode());
        assertTrue(res.body().contains("\"seq\":6"), res.body());
        assertTrue(res.body().contains("\"nextAfterSeq\":6"), res.body());
        end(run, "CANCELLED");
        JsonObject ended = ItEnvironment.getJson("/api/v1/runs/" + run + "/logs?afterSeq=6&waitMs=20000");
        assertEquals("CANCELLED", ended.getJsonObject("ended").getString("outcome"));
        HttpResponse<String> bad = ItEnvironment.get("/api/v1/runs/" + run + "/logs?afterSeq=0&waitMs=-5");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("waitMs"), bad.body());
    }

    @Test
    void runsListShowsActiveAndRecentRunsWithCounts() throws Exception {
        String run = newRun();
        load(run, 40, 0);
        // The list reads the runs table: its counts follow the rows as they are stored.
        awaitTrue(() -> {
            JsonObject r = find(ItEnvironment.getJson("/api/v1/runs?state=active"), run);
            return r != null && r.getInt("entries") == 40;
        }, "run listed as active with its 40 entries");
        JsonObject active = ItEnvironment.getJson("/api/v1/runs?state=active");
        JsonObject mine = find(active, run);
        assertNotNull(mine, active.toString());
        assertEquals(40, mine.getInt("entries"));
        assertEquals(2, mine.getInt("errors"));
        assertEquals(2, mine.getInt("warnings"));
        assertTrue(mine.isNull("end"));
        end(run, "FAILED");
        awaitTrue(() -> find(ItEnvironment.getJson("/api/v1/runs?state=recent"), run) != null, "run listed as recent");
        JsonObject done = find(ItEnvironment.getJson("/api/v1/runs?state=recent"), run);
        assertEquals("FAILED", done.getString("outcome"));
        assertFalse(done.isNull("end"));
        assertNull(find(ItEnvironment.getJson("/api/v1/runs?state=active"), run));
        HttpResponse<String> bad = ItEnvironment.get("/api/v1/runs?state=sleeping");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("state"), bad.body());
    }

    private static JsonObject find(JsonObject list, String run) {
        for (var v : list.getJsonArray("runs")) {
            JsonObject o = v.asJsonObject();
            if (o.getString("runId").equals(run)) return o;
        }
        return null;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void awaitTrue(Check c, String what) {
        await(what).atMost(Duration.ofSeconds(180)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).until(c::ok);
    }
}
