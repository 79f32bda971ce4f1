package org.phong.zenflow.logging.redact;

import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.SecuritySettings;

/**
 * Masks secrets in an entry's message and metadata (see the package documentation for the rules
 * and where it runs). Immutable and thread-safe: compiled patterns only.
 */
public final class Redactor {
    /** Keys whose value is a password-like secret. */
    static final String PASSWORD_KEYS = "password|passwd|pwd|passphrase|secret|client[-_]?secret";
    /** Keys whose value is an API key or token. */
    static final String API_KEY_KEYS = "api[-_]?key|apikey|x-api-key|access[-_]?token|auth[-_]?token|refresh[-_]?token"
            + "|id[-_]?token|private[-_]?key|secret[-_]?key|session[-_]?token";
    /** Well-known API key shapes: AWS access key id, OpenAI-style sk-, GitHub, Slack, Google API key. */
    static final String API_KEY_SHAPES = "\\b(?:AKIA[0-9A-Z]{16}|sk-[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}"
            + "|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})\\b";
    /** A credential after an HTTP auth scheme, or a JWT anywhere. */
    static final String BEARER = "(?i)\\b(?:bearer|basic)\\s+(?<secret>[A-Za-z0-9._~+/=-]{8,})"
            + "|\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*";

    /** Redacts nothing. */
    public static final Redactor NONE = new Redactor(List.of(), null, null, "");

    private static final String SECRET_GROUP = "(?<secret>";

    /** Built-in rules: run only when {@link #mayHoldBuiltInSecret} finds a trigger word. */
    private final List<Rule> rules;
    /** The configured pattern, run on every text (no trigger word is known for it); or null. */
    private final Rule custom;
    /** Found in a JSON member name that names a secret ({@code password}, {@code db_password}, {@code apiKey}). */
    private final Pattern secretKey;
    private final String mask;

    private record Rule(Pattern pattern, boolean hasSecretGroup) {
    }

    private Redactor(List<String> regexes, Pattern secretKey, Pattern custom, String mask) {
        List<Rule> rs = new ArrayList<>();
        for (String r : regexes) rs.add(new Rule(Pattern.compile(r), r.contains(SECRET_GROUP)));
        this.rules = List.copyOf(rs);
        this.custom = custom == null ? null : new Rule(custom, custom.pattern().contains(SECRET_GROUP));
        this.secretKey = secretKey;
        this.mask = mask;
    }

    /**
     * @param s the security settings (rules, custom pattern, mask, enabled)
     * @return the redactor they describe ({@link #NONE} when disabled)
     */
    public static Redactor from(SecuritySettings s) {
        if (!s.redactionEnabled()) return NONE;
        List<String> regexes = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (String rule : s.redactionRules()) {
            switch (rule) {
                case "password" -> {
                    regexes.add(keyValue(PASSWORD_KEYS));
                    keys.add(PASSWORD_KEYS);
                }
                case "api-key" -> {
                    regexes.add(keyValue(API_KEY_KEYS));
                    regexes.add(API_KEY_SHAPES);
                    keys.add(API_KEY_KEYS);
                }
                case "bearer" -> {
                    regexes.add(BEARER);
                    keys.add("authorization|proxy-authorization");
                }
                default -> throw new IllegalArgumentException("unknown redaction rule " + rule);
            }
        }
        if (regexes.isEmpty() && s.redactionCustomPattern() == null) return NONE;
        Pattern secretKey = keys.isEmpty() ? null
                : Pattern.compile("(?i)(?<![A-Za-z0-9])(?:" + String.join("|", keys) + ")(?![A-Za-z0-9])");
        return new Redactor(regexes, secretKey, s.redactionCustomPattern(), s.redactionMask());
    }

    /** {@code key = value}, {@code key: value}, {@code "key":"value"}; the value up to a delimiter. */
    static String keyValue(String keys) {
        return "(?i)(?<![A-Za-z0-9])(?:" + keys + ")(?![A-Za-z0-9])[\"']?\\s*[:=]\\s*[\"']?(?<secret>[^\\s\"',;&}\\]\\\\]+)";
    }

    /**
     * The hot-path filter: every built-in rule needs one of these words (case-insensitive) in the
     * text: pass, pwd, secret, key, token, bearer, basic, auth, eyJ (JWT), AKIA, AIza, sk-, gh?_, xox. A
     * hand-written scan costs a few ns per character; the rules' regexes (alternations behind a
     * look-behind, tried at every position) cost far more, so they run only on the texts that may
     * hold a secret. Keep this list in step with the rules.
     *
     * <p>Every trigger starts with two ASCII letters, and only 14 of the 676 letter pairs start one
     * ({@link #STARTS}): the scan tests each pair of characters against that table (a load and a bit
     * test, a branch that is almost never taken) and looks at the words only where a pair matches.
     * Dispatching on every character instead (a switch over the first letters, most of which start
     * some trigger) was 40% of a router worker's CPU in the single-run ingest benchmark.
     *
     * @param s a text
     * @return false when no built-in rule can match {@code s}
     */
    static boolean mayHoldBuiltInSecret(String s) {
        int n = s.length();
        if (n < 2) return false;
        int prev = letter(s.charAt(0));
        for (int i = 1; i < n; i++) {
            int c = letter(s.charAt(i));
            if ((STARTS[prev] & (1 << c)) != 0 && triggerAt(s, i - 1)) return true;
            prev = c;
        }
        return false;
    }

    /** 1..26 for the ASCII letters of either case, 0 for the other ASCII characters. */
    private static final byte[] LETTERS = new byte[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            LETTERS[c] = (byte) (c - ('a' - 1));
            LETTERS[c - ('a' - 'A')] = (byte) (c - ('a' - 1));
        }
    }

    /** @return 1..26 for an ASCII letter of either case, 0 for anything else */
    private static int letter(char c) {
        return c < 128 ? LETTERS[c] : 0;
    }

    /** Letter pairs that start a trigger word: bit {@code letter(second)} of {@code STARTS[letter(first)]}. */
    private static final int[] STARTS = new int[27];

    static {
        for (String p : new String[] {"pa", "pw", "se", "sk", "ke", "to", "be", "ba", "ey", "ak", "ai", "au", "gh", "xo"}) {
            STARTS[letter(p.charAt(0))] |= 1 << letter(p.charAt(1));
        }
    }

    /** @return true when a trigger word starts at {@code i} */
    private static boolean triggerAt(String s, int i) {
        int n = s.length();
        switch (s.charAt(i) | 0x20) { // ASCII letters to lower case; others never equal a case below
            case 'p' -> {
                if (at(s, i, "pass") || at(s, i, "pwd")) return true;
            }
            case 's' -> {
                if (at(s, i, "secret") || at(s, i, "sk-")) return true;
            }
            case 'k' -> {
                if (at(s, i, "key")) return true;
            }
            case 't' -> {
                if (at(s, i, "token")) return true;
            }
            case 'b' -> {
                if (at(s, i, "bearer") || at(s, i, "basic")) return true;
            }
            case 'e' -> {
                if (at(s, i, "eyj")) return true;
            }
            case 'a' -> {
                if (at(s, i, "akia") || at(s, i, "aiza") || at(s, i, "auth")) return true;
            }
            case 'g' -> {
                if (i + 3 < n && (s.charAt(i + 1) | 0x20) == 'h' && s.charAt(i + 3) == '_') return true;
            }
            case 'x' -> {
                if (at(s, i, "xox")) return true;
            }
            default -> {
                // not a trigger
            }
        }
        return false;
    }

    /**
     * {@code word} (lower case ASCII) at {@code i}, ASCII letters compared without case: the rules' {@code (?i)}
     * folds ASCII only (no UNICODE_CASE), so this finds every place they can match. {@code String.regionMatches}
     * with ignoreCase folds through Character.toUpperCase/toLowerCase per character and was a third of the
     * router's CPU in the benchmark's profile (most letters start some trigger word).
     */
    private static boolean at(String s, int i, String word) {
        int n = word.length();
        if (i + n > s.length()) return false;
        for (int j = 0; j < n; j++) {
            char c = s.charAt(i + j);
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            if (c != word.charAt(j)) return false;
        }
        return true;
    }

    /** @return true when this redactor masks nothing */
    public boolean isNone() {
        return rules.isEmpty() && custom == null;
    }

    /**
     * @param e an entry
     * @return {@code e} itself when nothing matched, else a copy with message and metadata masked
     */
    public LogEntry apply(LogEntry e) {
        if (isNone()) return e;
        String message = redactText(e.message());
        String metadata = e.metadata() == null ? null : redactMetadata(e.metadata());
        if (message == e.message() && metadata == e.metadata()) return e;
        LogEntry.Builder b = LogEntry.builder().workflowId(e.workflowId()).runId(e.runId()).nodeKey(e.nodeKey())
                .ts(e.ts()).level(e.level()).message(message).errorCode(e.errorCode()).metadata(metadata)
                .traceId(e.traceId()).hierarchy(e.hierarchy());
        LogEntry out = b.build();
        return e.seq() > 0 ? out.withSeq(e.seq()) : out;
    }

    /**
     * @param s text (a message, a metadata string value)
     * @return {@code s} itself when nothing matched, else the text with each secret replaced by the mask
     */
    public String redactText(String s) {
        if (s == null) return s;
        String out = s;
        if (!rules.isEmpty() && mayHoldBuiltInSecret(s)) {
            for (Rule r : rules) out = replace(r, out);
        }
        if (custom != null) out = replace(custom, out);
        return out.equals(s) ? s : out;
    }

    private String replace(Rule r, String s) {
        Matcher m = r.pattern().matcher(s);
        if (!m.find()) return s;
        StringBuilder b = new StringBuilder(s.length());
        int last = 0;
        do {
            int start = m.start();
            int end = m.end();
            if (r.hasSecretGroup() && m.start("secret") >= 0) {
                start = m.start("secret");
                end = m.end("secret");
            }
            if (end == start) continue;
            b.append(s, last, start).append(mask);
            last = end;
        } while (m.find());
        return b.append(s, last, s.length()).toString();
    }

    /**
     * @param json the compact text of a JSON object
     * @return {@code json} itself when nothing matched, else the object with secrets masked (valid JSON)
     */
    public String redactMetadata(String json) {
        if (isNone()) return json;
        // Every member name a walk would mask and every secret a rule finds in a string value holds a
        // trigger word, and so does the JSON text; without one (and without a custom pattern, which
        // may match anything) there is nothing to walk.
        if (custom == null && !mayHoldBuiltInSecret(json)) return json;
        JsonObject o;
        try (JsonReader r = JSON.createReader(new StringReader(json))) {
            o = r.readObject();
        }
        JsonObject red = object(o);
        return red == o ? json : red.toString();
    }

    private JsonObject object(JsonObject o) {
        JsonObjectBuilder b = null;
        for (Map.Entry<String, JsonValue> m : o.entrySet()) {
            JsonValue v = m.getValue();
            JsonValue nv = (secretKey != null && v.getValueType() != JsonValue.ValueType.NULL
                    && secretKey.matcher(m.getKey()).find()) ? JSON.createValue(mask) : value(v);
            if (nv != v && b == null) {
                b = JSON.createObjectBuilder();
                for (Map.Entry<String, JsonValue> prev : o.entrySet()) {
                    if (prev.getKey().equals(m.getKey())) break;
                    b.add(prev.getKey(), prev.getValue());
                }
            }
            if (b != null) b.add(m.getKey(), nv);
        }
        return b == null ? o : b.build();
    }

    private JsonValue value(JsonValue v) {
        switch (v.getValueType()) {
            case STRING -> {
                String s = ((JsonString) v).getString();
                String r = redactText(s);
                return r == s ? v : JSON.createValue(r);
            }
            case OBJECT -> {
                return object(v.asJsonObject());
            }
            case ARRAY -> {
                JsonArray a = v.asJsonArray();
                JsonArrayBuilder b = null;
                for (int i = 0; i < a.size(); i++) {
                    JsonValue item = a.get(i);
                    JsonValue ni = value(item);
                    if (ni != item && b == null) {
                        b = JSON.createArrayBuilder();
                        for (int j = 0; j < i; j++) b.add(a.get(j));
                    }
                    if (b != null) b.add(ni);
                }
                return b == null ? v : b.build();
            }
            default -> {
                return v;
            }
        }
    }
}
