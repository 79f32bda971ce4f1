package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.*;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.JsonSchemas;

/**
 * Search and download of a whole run on the real server and PostgreSQL: {@code GET
 * /api/v1/runs/{runId}/logs} as a JSON page, NDJSON and text (by {@code format} and by
 * {@code Accept}), with the filters {@code q}, {@code minLevel}, {@code nodeKey}, {@code from},
 * {@code to}; the same filters on the long-poll and the WebSocket. The run is made by the stream
 * load aid: 2,000 entries, nodes fetch/transform/validate/store/notify in turn, an ERROR
 * ("… failed: connection reset") every 20th entry (seq 20, 40, …, all on node notify), a WARN at
 * seq 7, 27, …
 */
class RunLogsIT {
    private static final int N = 2000;
    private static String run;
    /** The whole run as the NDJSON download gave it, in order. */
    private static List<JsonObject> all;

    @BeforeAll
    static void seed() throws Exception {
        ItEnvironment.awaitReady();
        StreamIT.awaitDrained();
        run = StreamIT.newRun();
        StreamIT.load(run, N, 0);
        StreamIT.end(run, "FAILED");
        StreamIT.awaitTrue(() -> ItEnvironment.getJson(logs("afterSeq=" + (N - 1))).getJsonArray("entries").size() == 1,
                "every entry stored");
        all = ndjson(download("format=ndjson", null));
    }

    static String logs(String query) {
        return "/api/v1/runs/" + run + "/logs?" + query;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static HttpResponse<InputStream> download(String query, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(ItEnvironment.uri(logs(query))).timeout(Duration.ofMinutes(2)).GET();
        if (accept != null) b.header("Accept", accept);
        HttpResponse<InputStream> res = ItEnvironment.httpClient().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, res.statusCode(), query);
        return res;
    }

    static List<String> lines(HttpResponse<InputStream> res) throws Exception {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) out.add(l);
        }
        return out;
    }

    static List<JsonObject> ndjson(HttpResponse<InputStream> res) throws Exception {
        assertEquals("application/x-ndjson", res.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        List<JsonObject> out = new ArrayList<>();
        for (String l : lines(res)) out.add(ItEnvironment.parse(l));
        return out;
    }

    static List<Long> seqs(List<JsonObject> entries) {
        return entries.stream().map(e -> e.getJsonNumber("seq").longValue()).toList();
    }

    static List<Long> expected(Predicate<JsonObject> p) {
        return seqs(all.stream().filter(p).toList());
    }

    static List<JsonObject> page(String query) throws Exception {
        List<JsonObject> out = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonObject p = ItEnvironment.getJson(logs(query + "&limit=1000&afterSeq=" + after));
            if (p.getJsonArray("entries").isEmpty()) return out;
            for (JsonValue v : p.getJsonArray("entries")) out.add(v.asJsonObject());
            after = p.getJsonNumber("nextAfterSeq").longValue();
        }
    }

    @Test
    void theNdjsonDownloadIsTheWholeRunOnceInOrderInTheStoredForm() throws Exception {
        assertEquals(StreamIT.range(1, N), seqs(all));
        for (int i = 0; i < all.size(); i += 97) JsonSchemas.assertValid("log-entry.schema.json", all.get(i).toString());
        HttpResponse<InputStream> byAccept = download("minLevel=WARN", "application/x-ndjson");
        assertTrue(byAccept.headers().firstValue("Content-Disposition").orElse("").contains("run-" + run + ".ndjson"));
        assertEquals(expected(e -> !e.getString("level").equals("INFO") && !e.getString("level").equals("DEBUG")),
                seqs(ndjson(byAccept)), "Accept picks NDJSON; minLevel applies");
        assertEquals(StreamIT.range(1001, N), seqs(ndjson(download("format=ndjson&afterSeq=1000", "application/json"))),
                "format wins over Accept; afterSeq applies");
    }

    @Test
    void theTextDownloadHasOneLinePerEntry() throws Exception {
        HttpResponse<InputStream> res = download("nodeKey=notify", "text/plain");
        assertTrue(res.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        List<String> text = lines(res);
        List<Long> want = expected(e -> e.getString("nodeKey").equals("notify"));
        assertEquals(want.size(), text.size());
        for (int i = 0; i < text.size(); i++) {
            JsonObject e = all.get((int) (want.get(i) - 1));
            String line = text.get(i);
            assertTrue(line.startsWith(e.getString("ts") + " " + e.getString("level")), line);
            assertTrue(line.contains(" notify #" + e.getJsonNumber("seq") + " " + e.getString("message")), line);
        }
        assertEquals(N, lines(download("format=text", null)).size(), "format=text without Accept");
    }

    @Test
    void searchRunsOnTheServerOverTheWholeRunWithEveryFilter() throws Exception {
        List<Long> errors = expected(e -> e.getString("message").contains("connection reset"));
        assertEquals(N / 20, errors.size());
        assertEquals(errors, seqs(page("q=" + enc("Connection RESET"))), "q ignores case");
        assertEquals(errors, seqs(page("q=" + enc("connection reset") + "&nodeKey=notify&minLevel=ERROR")));
        assertEquals(List.of(), seqs(page("q=" + enc("connection reset") + "&nodeKey=fetch")));
        assertEquals(List.of(), seqs(page("q=" + enc("%"))), "LIKE wildcards are literal");
        assertEquals(expected(e -> e.getString("message").contains("step 1")), seqs(page("q=" + enc("step 1"))));
        Instant from = Instant.parse(all.get(499).getString("ts"));
        Instant to = Instant.parse(all.get(1499).getString("ts"));
        List<Long> window = expected(e -> {
            Instant t = Instant.parse(e.getString("ts"));
            return !t.isBefore(from) && t.isBefore(to);
        });
        assertTrue(window.size() >= 900, "the window holds about 1,000 entries: " + window.size());
        assertEquals(window, seqs(page("from=" + from + "&to=" + to)), "from <= ts < to");
        assertEquals(window, seqs(ndjson(download("format=ndjson&from=" + from + "&to=" + to, null))), "download too");
    }

    @Test
    void theLongPollAndTheWebSocketTakeTheSameFilters() throws Exception {
        List<Long> errors = expected(e -> e.getString("level").equals("ERROR"));
        JsonObject poll = ItEnvironment.getJson(logs("afterSeq=0&waitMs=2000&limit=1000&q=" + enc("CONNECTION reset")));
        assertEquals(errors, seqs(poll.getJsonArray("entries").getValuesAs(JsonObject.class)));
        JsonObject byNode = ItEnvironment.getJson(logs("afterSeq=0&waitMs=2000&limit=1000&nodeKey=fetch"));
        assertEquals(expected(e -> e.getString("nodeKey").equals("fetch")),
                seqs(byNode.getJsonArray("entries").getValuesAs(JsonObject.class)), "nodeKey now works with waitMs");
        TailClient c = TailClient.open(run, 0, "&q=" + enc("connection reset") + "&nodeKey=notify", true, 0);
        assertEquals("1000 run ended", c.done.get(60, TimeUnit.SECONDS));
        assertEquals(errors, c.seqs());
        assertEquals(N, c.caughtUpSeq, "caught-up covers the entries the filter skipped");
    }

    @Test
    void pagesBackwardsAndPerNodeCountsServeScrollingUpPreviousErrorAndTheNodeView() throws Exception {
        JsonObject before = ItEnvironment.getJson(logs("beforeSeq=1001&limit=300"));
        assertEquals(StreamIT.range(701, 1000), seqs(before.getJsonArray("entries").getValuesAs(JsonObject.class)));
        assertEquals(701, before.getInt("nextBeforeSeq"));
        JsonObject prevError = ItEnvironment.getJson(logs("beforeSeq=1000&limit=1&minLevel=ERROR"));
        assertEquals(List.of(980L), seqs(prevError.getJsonArray("entries").getValuesAs(JsonObject.class)), "the error before seq 1000");
        JsonObject first = ItEnvironment.getJson(logs("beforeSeq=3&limit=10"));
        assertEquals(List.of(1L, 2L), seqs(first.getJsonArray("entries").getValuesAs(JsonObject.class)));
        JsonObject nodes = ItEnvironment.getJson("/api/v1/runs/" + run + "/nodes");
        List<JsonObject> list = nodes.getJsonArray("nodes").getValuesAs(JsonObject.class);
        assertEquals(List.of("fetch", "transform", "validate", "store", "notify"), list.stream().map(n -> n.getString("nodeKey")).toList());
        for (JsonObject n : list) {
            String node = n.getString("nodeKey");
            assertEquals(expected(e -> e.getString("nodeKey").equals(node)).size(), n.getInt("entries"), node);
            assertEquals(expected(e -> e.getString("nodeKey").equals(node) && e.getString("level").equals("ERROR")).size(),
                    n.getInt("errors"), node);
            assertEquals(expected(e -> e.getString("nodeKey").equals(node) && e.getString("level").equals("WARN")).size(),
                    n.getInt("warnings"), node);
        }
        assertEquals(N / 20, list.get(4).getInt("errors"));
        HttpResponse<String> bad = ItEnvironment.get(logs("beforeSeq=5&afterSeq=1"));
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("beforeSeq"), bad.body());
    }

    @Test
    void badParametersAreRefusedNamingThem() throws Exception {
        String[][] cases = {
                {"format=xml", "format"},
                {"format=ndjson&waitMs=100", "waitMs"},
                {"format=text&limit=5", "limit"},
                {"q=" + "x".repeat(201), "q"},
                {"from=yesterday", "from"},
                {"from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to"},
                {"minLevel=LOUD&format=ndjson", "minLevel"},
        };
        for (String[] c : cases) {
            HttpResponse<String> res = ItEnvironment.get(logs(c[0]));
            assertEquals(400, res.statusCode(), c[0] + " -> " + res.body());
            assertTrue(res.body().contains(c[1]), c[0] + " -> " + res.body());
        }
        JsonObject plain = ItEnvironment.getJson(logs("afterSeq=0"));
        assertEquals(100, plain.getJsonArray("entries").size(), "no Accept, no format: the JSON page as before");
    }
}
