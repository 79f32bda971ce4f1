package org.phong.zenflow.logging.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * HTTP load against a RUNNING server (docs/benchmark.md, "HTTP load tool"): {@code --clients} clients
 * post {@code --batch}-entry JSON arrays to {@code POST /api/v1/logs} (optionally {@code ?wait=durable}
 * or {@code ?wait=persisted}) with BASIC auth, over HTTP/1.1 or HTTP/2 (the JDK client's version
 * switch; the server answers HTTP/1.1 unless it offers h2c), for {@code --warmup-seconds} then
 * {@code --seconds} measured.
 *
 * <ul>
 *   <li><b>Closed loop</b> ({@code --rate=0}, the default): each client sends its next request when the
 *       previous one answered. A 429 is counted and the same batch is sent again after the server's
 *       {@code Retry-After} (nothing of a 429'd request was accepted: the endpoint is all or nothing),
 *       as an engine has to.</li>
 *   <li><b>Paced</b> ({@code --rate=N} entries/s): request i is due at {@code start + i x batch/N}; a free
 *       client takes it, waits for its time and sends it. Latency is measured from the DUE time (a
 *       request that waited for a client counts its wait: no coordinated omission) and, separately,
 *       from the send. A 429 is counted, not retried.</li>
 * </ul>
 * Reported over the measured window: requests/s, accepted (and dropped, rejected) entries/s, latency
 * p50/p95/p99/max (HdrHistogram), 429s, errors, the HTTP versions the answers came in.
 *
 * <p>Every entry's message is unique ({@code hl-<tag> c<client> n<k>}, k counting the client's
 * entries); each client logs into runs of its own ({@code --entries-per-run}, a new run id after that
 * many, the old run ended with {@code POST /api/v1/runs/{id}/end} unless {@code --end-runs=false}).
 * With {@code --jdbc=jdbc:postgresql://...}, the tool afterwards waits for the rows and checks in the
 * database that every entry of a fully accepted request is stored, none of a refused one, as many as
 * accepted of a partly accepted one (DEBUG/INFO dropped under backpressure), none twice, and seq
 * 1..n once each per run. Exit status 1 when that check fails.
 *
 * <p>Options ({@code --key=value}): see {@link Options#parse}; {@code --help} prints them.
 */
public final class HttpLoad {
    static final String PATH = "/api/v1/logs";
    private static final Pattern COUNT = Pattern.compile("\"(accepted|dropped|rejected)\"\\s*:\\s*(\\d+)");
    private static final Pattern DURABLE_FALSE = Pattern.compile("\"(durable|persisted)\"\\s*:\\s*false");
    private static final Pattern MESSAGE = Pattern.compile("^hl-(\\S+) c(\\d+) n(\\d+)");
    private static final String PADDING = " upstream=orders-service region=eu-west-1 status=OK items=42 durationMs=17";
    private static final long HISTOGRAM_MAX_NS = TimeUnit.MINUTES.toNanos(10);

    /** The options, {@code --key=value}. */
    record Options(URI url, String user, String password, int clients, int batch, int warmupSeconds, int seconds,
                   String waitFor, HttpClient.Version version, boolean clientPerThread, double rate, long entriesPerRun,
                   boolean endRuns, String level, int timeoutSeconds, String tag, Path out,
                   String jdbc, String dbUser, String dbPassword, int verifyTimeoutSeconds) {

        static final String HELP = """
                HttpLoad options (--key=value):
                  --url=http://localhost:9080      the server (the mvn -Plocal one by default)
                  --user=zenflow --password=zenflow-local   BASIC auth (a user with the writer role)
                  --clients=16                     concurrent clients
                  --batch=100                      entries per request
                  --warmup-seconds=3 --seconds=15  warm-up, then the measured window
                  --wait=none|durable|persisted    ?wait= on every request (none: answer at once)
                  --http=1.1|2                     JDK HttpClient version (2: h2c upgrade; the server may answer 1.1)
                  --connections=shared|per-client  one HttpClient for all clients, or one each
                  --rate=0                         0: closed loop; N: paced, N entries/s offered
                  --entries-per-run=10000          a client's run takes this many entries, then a new run
                  --end-runs=true                  POST /api/v1/runs/{id}/end when a client leaves a run
                  --level=INFO                     level of every entry (DEBUG/INFO may be dropped under backpressure)
                  --timeout-seconds=60             per request
                  --tag=<random>                   in every message: hl-<tag> c<client> n<k>
                  --out=<file.json>                also write the results as JSON
                  --jdbc=<url>                     verify in the database afterwards (optional), e.g.
                                                   jdbc:postgresql://localhost:55432/zenflow_logs
                  --db-user=postgres --db-password=postgres
                  --verify-timeout-seconds=120     how long to wait for the rows to arrive
                """;

        static Options parse(String[] args) {
            Map<String, String> a = new HashMap<>();
            for (String arg : args) {
                if (arg.equals("--help")) throw new IllegalArgumentException(HELP);
                if (!arg.startsWith("--") || !arg.contains("=")) throw new IllegalArgumentException("expected --key=value, got " + arg + "\n" + HELP);
                a.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
            String wait = a.getOrDefault("wait", "none");
            if (!List.of("none", "durable", "persisted").contains(wait)) throw new IllegalArgumentException("--wait: none, durable or persisted, was " + wait);
            HttpClient.Version version = switch (a.getOrDefault("http", "1.1")) {
                case "1.1", "http/1.1", "HTTP_1_1" -> HttpClient.Version.HTTP_1_1;
                case "2", "http/2", "HTTP_2" -> HttpClient.Version.HTTP_2;
                default -> throw new IllegalArgumentException("--http: 1.1 or 2, was " + a.get("http"));
            };
            String connections = a.getOrDefault("connections", "shared");
            if (!connections.equals("shared") && !connections.equals("per-client")) {
                throw new IllegalArgumentException("--connections: shared or per-client, was " + connections);
            }
            String level = a.getOrDefault("level", "INFO").toUpperCase(Locale.ROOT);
            if (!List.of("DEBUG", "INFO", "WARN", "ERROR").contains(level)) throw new IllegalArgumentException("--level: DEBUG, INFO, WARN or ERROR");
            Options o = new Options(URI.create(strip(a.getOrDefault("url", "http://localhost:9080"))),
                    a.getOrDefault("user", "zenflow"), a.getOrDefault("password", "zenflow-local"),
                    positive(a, "clients", 16), positive(a, "batch", 100),
                    nonNegative(a, "warmup-seconds", 3), positive(a, "seconds", 15),
                    wait.equals("none") ? null : wait, version, connections.equals("per-client"),
                    Double.parseDouble(a.getOrDefault("rate", "0")),
                    positive(a, "entries-per-run", 10_000), Boolean.parseBoolean(a.getOrDefault("end-runs", "true")), level,
                    positive(a, "timeout-seconds", 60),
                    a.getOrDefault("tag", Long.toHexString(Double.doubleToLongBits(Math.random()) ^ System.nanoTime()).substring(0, 8)),
                    a.containsKey("out") ? Path.of(a.get("out")) : null,
                    a.get("jdbc"), a.getOrDefault("db-user", "postgres"), a.getOrDefault("db-password", "postgres"),
                    positive(a, "verify-timeout-seconds", 120));
            a.keySet().removeAll(List.of("url", "user", "password", "clients", "batch", "warmup-seconds", "seconds", "wait", "http",
                    "connections", "rate", "entries-per-run", "end-runs", "level", "timeout-seconds", "tag", "out", "jdbc", "db-user",
                    "db-password", "verify-timeout-seconds"));
            if (!a.isEmpty()) throw new IllegalArgumentException("unknown option(s): " + a.keySet() + "\n" + HELP);
            if (o.rate < 0) throw new IllegalArgumentException("--rate must be 0 (closed loop) or positive");
            if (o.tag.contains(" ")) throw new IllegalArgumentException("--tag: no spaces");
            return o;
        }

        boolean paced() {
            return rate > 0;
        }

        URI logsUri() {
            return URI.create(url + PATH + (waitFor == null ? "" : "?wait=" + waitFor));
        }

        private static String strip(String url) {
            return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }

        private static int positive(Map<String, String> a, String k, int def) {
            int v = a.containsKey(k) ? Integer.parseInt(a.get(k)) : def;
            if (v < 1) throw new IllegalArgumentException("--" + k + " must be at least 1");
            return v;
        }

        private static int nonNegative(Map<String, String> a, String k, int def) {
            int v = a.containsKey(k) ? Integer.parseInt(a.get(k)) : def;
            if (v < 0) throw new IllegalArgumentException("--" + k + " must not be negative");
            return v;
        }
    }

    /** What became of one request's entries. */
    enum Outcome {
        /** 202, every entry accepted. */
        ACCEPTED,
        /** 202, some dropped or rejected under backpressure: {@code accepted} of them are stored, which unknown. */
        PARTIAL,
        /** 429 (all or nothing: none accepted), left when the time was up (closed loop) or at once (paced). */
        REFUSED,
        /** 4xx other than 429: none accepted. */
        FAILED,
        /** No answer (I/O error, timeout) or a 5xx: the server may or may not have taken them. */
        UNKNOWN
    }

    /** One request: the client's entries {@code firstK .. firstK+n-1} of run {@code runId}. */
    record Batch(int client, UUID runId, long firstK, int n, Outcome outcome, int accepted) {
    }

    /** 202 body {"accepted":a,"dropped":d,"rejected":r}: {a, d, r}, or null when a count is missing. */
    static int[] counts(String body) {
        int[] out = {-1, -1, -1};
        Matcher m = COUNT.matcher(body);
        while (m.find()) {
            int i = switch (m.group(1)) {
                case "accepted" -> 0;
                case "dropped" -> 1;
                default -> 2;
            };
            out[i] = Integer.parseInt(m.group(2));
        }
        return out[0] < 0 || out[1] < 0 || out[2] < 0 ? null : out;
    }

    /** @return {client, k} of a message this tool wrote with {@code tag}, or null */
    static long[] parseMessage(String message, String tag) {
        Matcher m = MESSAGE.matcher(message);
        if (!m.find() || !m.group(1).equals(tag)) return null;
        return new long[]{Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    static String message(String tag, int client, long k) {
        return "hl-" + tag + " c" + client + " n" + k + PADDING;
    }

    /** The tool's entries found in the database: per client, the k stored once, and those stored more than once. */
    static final class Stored {
        final Map<Integer, BitSet> seen = new HashMap<>();
        final Map<Integer, BitSet> again = new HashMap<>();

        void add(int client, long k) {
            int i = Math.toIntExact(k);
            BitSet s = seen.computeIfAbsent(client, c -> new BitSet());
            if (s.get(i)) again.computeIfAbsent(client, c -> new BitSet()).set(i);
            else s.set(i);
        }
    }

    /**
     * Compares what the server answered with what the database holds.
     *
     * @param batches every request, every client
     * @param stored  the tool's entries found in the database
     * @return every difference, empty when exact; unknown outcomes are not differences
     */
    static List<String> compare(List<Batch> batches, Stored stored) {
        List<String> problems = new ArrayList<>();
        stored.again.forEach((client, ks) -> ks.stream().forEach(k -> add(problems, "client " + client + " entry n" + k + " stored more than once")));
        Map<Integer, BitSet> claimed = new HashMap<>();
        for (Batch b : batches) {
            int from = Math.toIntExact(b.firstK());
            int to = Math.toIntExact(b.firstK() + b.n());
            int present = stored.seen.getOrDefault(b.client(), new BitSet()).get(from, to).cardinality();
            claimed.computeIfAbsent(b.client(), c -> new BitSet()).set(from, to);
            String what = "client " + b.client() + " n" + from + "..n" + (to - 1) + " (" + b.outcome() + ")";
            switch (b.outcome()) {
                case ACCEPTED, PARTIAL -> {
                    if (present != b.accepted()) add(problems, what + ": " + b.accepted() + " accepted, " + present + " stored");
                }
                case REFUSED, FAILED -> {
                    if (present != 0) add(problems, what + ": none accepted, " + present + " stored");
                }
                case UNKNOWN -> {
                    // the server may have taken them or not: no difference either way
                }
            }
        }
        stored.seen.forEach((client, ks) -> {
            BitSet stray = (BitSet) ks.clone();
            stray.andNot(claimed.getOrDefault(client, new BitSet()));
            stray.stream().forEach(k -> add(problems, "client " + client + " entry n" + k + " stored but never sent"));
        });
        return problems;
    }

    private static void add(List<String> problems, String p) {
        if (problems.size() < 20) problems.add(p);
        else if (problems.size() == 20) problems.add("... (more)");
    }

    // ------------------------------------------------------------------ the load

    private final Options o;
    private final String auth;
    private final HttpClient shared;
    private final Recorder latency = new Recorder(HISTOGRAM_MAX_NS, 3);
    private final Recorder service = new Recorder(HISTOGRAM_MAX_NS, 3);
    private final LongAdder requests = new LongAdder();
    private final LongAdder acceptedEntries = new LongAdder();
    private final LongAdder droppedEntries = new LongAdder();
    private final LongAdder rejectedEntries = new LongAdder();
    private final LongAdder tooMany = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder unconfirmed = new LongAdder();
    private final LongAdder runEnds = new LongAdder();
    private final LongAdder runEndErrors = new LongAdder();
    private final AtomicLong nextSlot = new AtomicLong();
    private final Map<HttpClient.Version, LongAdder> versions = new ConcurrentHashMap<>();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final List<List<Batch>> ledgers = new ArrayList<>();
    private final List<List<UUID>> runIds = new ArrayList<>();
    private volatile long endNanos;
    private volatile long startNanos;

    private HttpLoad(Options o) {
        this.o = o;
        this.auth = "Basic " + Base64.getEncoder().encodeToString((o.user() + ":" + o.password()).getBytes(StandardCharsets.UTF_8));
        this.shared = o.clientPerThread() ? null : client(o);
    }

    private static HttpClient client(Options o) {
        return HttpClient.newBuilder().version(o.version()).connectTimeout(Duration.ofSeconds(10)).build();
    }

    public static void main(String[] args) throws Exception {
        if (java.util.Arrays.asList(args).contains("--help")) {
            System.out.println(Options.HELP);
            return;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new HttpLoad(o).run());
    }

    private int run() throws Exception {
        System.out.printf("HttpLoad: %s, %d clients, %d entries a request, %s, %s, %s, warm-up %d s, measured %d s, tag %s%n",
                o.logsUri(), o.clients(), o.batch(), o.version() == HttpClient.Version.HTTP_2 ? "HTTP/2 asked" : "HTTP/1.1",
                o.clientPerThread() ? "one HttpClient per client" : "one shared HttpClient",
                o.paced() ? String.format(Locale.ROOT, "paced at %,.0f entries/s", o.rate()) : "closed loop",
                o.warmupSeconds(), o.seconds(), o.tag());
        List<Thread> threads = new ArrayList<>();
        startNanos = System.nanoTime();
        endNanos = startNanos + TimeUnit.SECONDS.toNanos(o.warmupSeconds() + o.seconds());
        for (int c = 0; c < o.clients(); c++) {
            List<Batch> ledger = new ArrayList<>();
            List<UUID> runs = new ArrayList<>();
            ledgers.add(ledger);
            runIds.add(runs);
            int client = c;
            Thread t = new Thread(() -> clientLoop(client, ledger, runs), "http-load-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(o.warmupSeconds()));
        latency.getIntervalHistogram();
        service.getIntervalHistogram();
        long w0 = System.nanoTime();
        long[] before = snapshot();
        Thread.sleep(TimeUnit.SECONDS.toMillis(o.seconds()));
        long w1 = System.nanoTime();
        long[] after = snapshot();
        Histogram lat = latency.getIntervalHistogram();
        Histogram svc = service.getIntervalHistogram();
        for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(o.timeoutSeconds() + 30L));

        double window = (w1 - w0) / 1e9;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("url", o.logsUri().toString());
        r.put("clients", o.clients());
        r.put("batch", o.batch());
        r.put("wait", o.waitFor() == null ? "none" : o.waitFor());
        r.put("httpAsked", o.version() == HttpClient.Version.HTTP_2 ? "HTTP/2" : "HTTP/1.1");
        Map<String, Object> answered = new LinkedHashMap<>();
        versions.forEach((v, n) -> answered.put(v.name(), n.sum()));
        r.put("httpAnswered", answered);
        r.put("mode", o.paced() ? "paced" : "closed loop");
        if (o.paced()) r.put("offeredEntriesPerSecond", o.rate());
        r.put("windowSeconds", window);
        r.put("requestsPerSecond", (after[0] - before[0]) / window);
        r.put("acceptedEntriesPerSecond", (after[1] - before[1]) / window);
        r.put("droppedEntriesPerSecond", (after[2] - before[2]) / window);
        r.put("rejectedEntriesPerSecond", (after[3] - before[3]) / window);
        r.put("status429InWindow", after[4] - before[4]);
        r.put("errorsInWindow", after[5] - before[5]);
        r.put("durabilityNotConfirmed", unconfirmed.sum());
        r.put("status429Total", tooMany.sum());
        r.put("errorsTotal", errors.sum());
        r.put("firstError", firstError.get());
        r.put("runsEnded", runEnds.sum());
        r.put("runEndErrors", runEndErrors.sum());
        r.put(o.paced() ? "latencyFromDueMs" : "latencyMs", percentiles(lat));
        if (o.paced()) r.put("serviceTimeMs", percentiles(svc));
        System.out.println();
        System.out.printf(Locale.ROOT, "measured %.1f s: %,.0f requests/s, %,.0f entries/s accepted (%,.0f dropped/s, %,.0f rejected/s), %d x 429, %d errors%n",
                window, (after[0] - before[0]) / window, (after[1] - before[1]) / window, (after[2] - before[2]) / window,
                (after[3] - before[3]) / window, after[4] - before[4], after[5] - before[5]);
        System.out.printf(Locale.ROOT, "latency%s: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (%,d requests)%n",
                o.paced() ? " from the due time" : "", ms(lat.getValueAtPercentile(50)), ms(lat.getValueAtPercentile(95)),
                ms(lat.getValueAtPercentile(99)), ms(lat.getMaxValue()), lat.getTotalCount());
        if (o.paced()) {
            System.out.printf(Locale.ROOT, "service time (from the send): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms%n",
                    ms(svc.getValueAtPercentile(50)), ms(svc.getValueAtPercentile(95)), ms(svc.getValueAtPercentile(99)));
        }
        System.out.println("answers came as " + answered + (o.waitFor() != null ? ", durability not confirmed: " + unconfirmed.sum() : "")
                + ", runs ended: " + runEnds.sum() + (runEndErrors.sum() > 0 ? " (" + runEndErrors.sum() + " failed)" : ""));
        if (firstError.get() != null) System.out.println("first error: " + firstError.get());

        int status = 0;
        if (o.jdbc() != null) {
            List<String> problems = verify(r);
            r.put("verifyProblems", problems);
            if (!problems.isEmpty()) {
                System.out.println("VERIFY FAILED:");
                problems.forEach(p -> System.out.println("  " + p));
                status = 1;
            }
        }
        if (o.out() != null) {
            if (o.out().toAbsolutePath().getParent() != null) Files.createDirectories(o.out().toAbsolutePath().getParent());
            Files.writeString(o.out(), Report.json(r) + "\n", StandardCharsets.UTF_8);
            System.out.println("results: " + o.out().toAbsolutePath());
        }
        return status;
    }

    private long[] snapshot() {
        return new long[]{requests.sum(), acceptedEntries.sum(), droppedEntries.sum(), rejectedEntries.sum(), tooMany.sum(), errors.sum()};
    }

    private static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("count", h.getTotalCount());
        p.put("p50", ms(h.getValueAtPercentile(50)));
        p.put("p95", ms(h.getValueAtPercentile(95)));
        p.put("p99", ms(h.getValueAtPercentile(99)));
        p.put("max", ms(h.getMaxValue()));
        return p;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private final class ClientState {
        final int client;
        final HttpClient http;
        final List<UUID> runs;
        final UUID workflowId = UUID.randomUUID();
        UUID runId;
        long inRun;
        long nextK = 1;

        ClientState(int client, List<UUID> runs) {
            this.client = client;
            this.runs = runs;
            this.http = shared != null ? shared : client(o);
            newRun();
        }

        void newRun() {
            runId = UUID.randomUUID();
            inRun = 0;
            synchronized (runs) {
                runs.add(runId);
            }
        }
    }

    private void clientLoop(int client, List<Batch> ledger, List<UUID> runs) {
        ClientState s = new ClientState(client, runs);
        try {
            while (true) {
                long due;
                if (o.paced()) {
                    long slot = nextSlot.getAndIncrement();
                    due = startNanos + (long) (slot * o.batch() * 1e9 / o.rate());
                    if (due - endNanos >= 0) break;
                    long wait = due - System.nanoTime();
                    if (wait > 0) LockSupport.parkNanos(wait);
                } else {
                    if (System.nanoTime() - endNanos >= 0) break;
                    due = System.nanoTime();
                }
                long firstK = s.nextK;
                String body = body(s, firstK, o.batch());
                Batch b = send(s, body, firstK, due);
                synchronized (ledger) {
                    ledger.add(b);
                }
                s.nextK += o.batch();
                s.inRun += o.batch();
                if (s.inRun >= o.entriesPerRun()) {
                    endRun(s);
                    s.newRun();
                }
            }
            if (s.inRun > 0) endRun(s);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends one batch; in the closed loop again after Retry-After while 429 and time remains. */
    private Batch send(ClientState s, String body, long firstK, long due) throws InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(o.logsUri()).timeout(Duration.ofSeconds(o.timeoutSeconds()))
                .header("Content-Type", "application/json").header("Authorization", auth)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        while (true) {
            long t0 = System.nanoTime();
            HttpResponse<String> resp;
            try {
                resp = s.http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                record(due, t0);
                error("request failed: " + e);
                return new Batch(s.client, s.runId, firstK, o.batch(), Outcome.UNKNOWN, 0);
            }
            record(due, t0);
            versions.computeIfAbsent(resp.version(), v -> new LongAdder()).increment();
            int code = resp.statusCode();
            if (code == 202) {
                int[] c = counts(resp.body());
                if (c == null) {
                    error("202 without counts: " + resp.body());
                    return new Batch(s.client, s.runId, firstK, o.batch(), Outcome.UNKNOWN, 0);
                }
                acceptedEntries.add(c[0]);
                droppedEntries.add(c[1]);
                rejectedEntries.add(c[2]);
                if (DURABLE_FALSE.matcher(resp.body()).find()) unconfirmed.increment();
                return new Batch(s.client, s.runId, firstK, o.batch(), c[0] == o.batch() ? Outcome.ACCEPTED : Outcome.PARTIAL, c[0]);
            }
            if (code == 429) {
                tooMany.increment();
                if (o.paced()) return new Batch(s.client, s.runId, firstK, o.batch(), Outcome.REFUSED, 0);
                long backoffMs = TimeUnit.SECONDS.toMillis(resp.headers().firstValueAsLong("Retry-After").orElse(1));
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs) - endNanos >= 0) {
                    return new Batch(s.client, s.runId, firstK, o.batch(), Outcome.REFUSED, 0);
                }
                Thread.sleep(backoffMs);
                due = System.nanoTime(); // the retry is a request of its own
                continue;
            }
            error("HTTP " + code + ": " + abbreviate(resp.body()));
            return new Batch(s.client, s.runId, firstK, o.batch(), code >= 500 ? Outcome.UNKNOWN : Outcome.FAILED, 0);
        }
    }

    private void record(long due, long sent) {
        long now = System.nanoTime();
        requests.increment();
        latency.recordValue(Math.min(HISTOGRAM_MAX_NS, Math.max(0, now - due)));
        service.recordValue(Math.min(HISTOGRAM_MAX_NS, Math.max(0, now - sent)));
    }

    private void error(String what) {
        errors.increment();
        firstError.compareAndSet(null, what);
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private void endRun(ClientState s) {
        if (!o.endRuns()) return;
        HttpRequest req = HttpRequest.newBuilder(URI.create(o.url() + "/api/v1/runs/" + s.runId + "/end"))
                .timeout(Duration.ofSeconds(o.timeoutSeconds()))
                .header("Content-Type", "application/json").header("Authorization", auth)
                .POST(HttpRequest.BodyPublishers.ofString("{\"outcome\":\"SUCCEEDED\"}")).build();
        try {
            HttpResponse<String> r = s.http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 202) runEnds.increment();
            else runEndErrors.increment();
        } catch (java.io.IOException e) {
            runEndErrors.increment();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String body(ClientState s, long firstK, int n) {
        StringBuilder b = new StringBuilder(n * 330).append('[');
        String ts = Instant.now().toString();
        for (int i = 0; i < n; i++) {
            long k = firstK + i;
            if (i > 0) b.append(',');
            b.append("{\"workflowId\":\"").append(s.workflowId).append("\",\"runId\":\"").append(s.runId)
                    .append("\",\"nodeKey\":\"http-load\",\"ts\":\"").append(ts).append("\",\"level\":\"").append(o.level())
                    .append("\",\"message\":\"").append(message(o.tag(), s.client, k))
                    .append("\",\"metadata\":{\"client\":").append(s.client).append(",\"n\":").append(k)
                    .append("},\"traceId\":\"").append(Long.toHexString(k | Long.MIN_VALUE))
                    .append("\",\"hierarchy\":\"root/http-load\"}");
        }
        return b.append(']').toString();
    }

    // ------------------------------------------------------------------ the database check

    private List<String> verify(Map<String, Object> r) throws Exception {
        List<Batch> batches = new ArrayList<>();
        for (List<Batch> l : ledgers) {
            synchronized (l) {
                batches.addAll(l);
            }
        }
        List<UUID> runs = new ArrayList<>();
        for (List<UUID> l : runIds) {
            synchronized (l) {
                runs.addAll(l);
            }
        }
        Map<Outcome, Long> byOutcome = new EnumMap<>(Outcome.class);
        long expected = 0;
        long unknown = 0;
        for (Batch b : batches) {
            byOutcome.merge(b.outcome(), 1L, Long::sum);
            expected += b.accepted();
            if (b.outcome() == Outcome.UNKNOWN) unknown += b.n();
        }
        System.out.printf("verify: %,d requests %s, %,d entries accepted, %,d of unknown outcome; waiting for the rows of %,d runs%n",
                batches.size(), byOutcome, expected, unknown, runs.size());
        Verified v;
        try (Connection c = DriverManager.getConnection(o.jdbc(), o.dbUser(), o.dbPassword())) {
            v = verify(c, o.tag(), batches, runs, o.verifyTimeoutSeconds());
        }
        r.put("verifyStoredRows", v.stored());
        r.put("verifyAcceptedEntries", expected);
        r.put("verifyUnknownOutcomeEntries", unknown);
        System.out.printf("verify: %,d rows stored for %,d accepted (+%,d of unknown outcome): %s%n", v.stored(), expected, unknown,
                v.problems().isEmpty() ? "every accepted entry stored exactly once, seq 1..n per run" : v.problems().size() + " problem(s)");
        return v.problems();
    }

    /** @param stored rows of the tool's runs in the table @param problems every difference, empty when exact */
    record Verified(long stored, List<String> problems) {
    }

    /**
     * Waits until the table holds at least what was accepted and stops changing (or the timeout), then
     * compares ({@link #compare}) and checks seq 1..n once each per run.
     */
    static Verified verify(Connection c, String tag, List<Batch> batches, List<UUID> runs, int timeoutSeconds) throws Exception {
        long expected = batches.stream().mapToLong(Batch::accepted).sum();
        List<String> problems = new ArrayList<>();
        java.sql.Array ids = c.createArrayOf("uuid", runs.toArray());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long count = -1;
        long last = -2;
        long stable = System.nanoTime();
        while (true) {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM logs WHERE run_id = ANY(?)")) {
                ps.setArray(1, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    count = rs.getLong(1);
                }
            }
            if (count != last) {
                last = count;
                stable = System.nanoTime();
            }
            // done when everything accepted is there and it stopped moving (unknown outcomes may add more)
            if (count >= expected && System.nanoTime() - stable > TimeUnit.SECONDS.toNanos(3)) break;
            if (System.nanoTime() - deadline >= 0) break;
            Thread.sleep(500);
        }
        Stored stored = new Stored();
        long foreign = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT message FROM logs WHERE run_id = ANY(?)")) {
            ps.setArray(1, ids);
            ps.setFetchSize(10_000);
            c.setAutoCommit(false); // a cursor, not the whole result in memory
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long[] ck = parseMessage(rs.getString(1), tag);
                    if (ck == null) {
                        foreign++;
                        continue;
                    }
                    stored.add((int) ck[0], ck[1]);
                }
            }
            c.commit();
            c.setAutoCommit(true);
        }
        if (foreign > 0) add(problems, foreign + " rows in the tool's runs without its message");
        problems.addAll(compare(batches, stored));
        try (PreparedStatement ps = c.prepareStatement("SELECT run_id, count(*), count(DISTINCT seq), min(seq), max(seq) FROM logs"
                + " WHERE run_id = ANY(?) GROUP BY run_id HAVING count(*) <> count(DISTINCT seq) OR min(seq) <> 1 OR max(seq) <> count(*)")) {
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    add(problems, "run " + rs.getString(1) + ": " + rs.getLong(2) + " rows, " + rs.getLong(3) + " distinct seq, min "
                            + rs.getLong(4) + ", max " + rs.getLong(5) + " (expected seq 1..n once each)");
                }
            }
        }
        return new Verified(count, problems);
    }
}
