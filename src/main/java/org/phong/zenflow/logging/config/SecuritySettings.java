package org.phong.zenflow.logging.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The security concern's settings: profile, WebSocket origins, HTTP input limits and redaction.
 * Read once, validated, immutable; a bad value names its key ({@link InvalidConfigurationException}).
 *
 * @param profile               local or production (production refuses local default credentials)
 * @param allowedOrigins        normalized origins ({@code scheme://host[:port]}, lower case, default port dropped)
 * @param messageMaxChars       longer messages are truncated with a marker
 * @param metadataMaxChars      largest compact metadata JSON text
 * @param metadataMaxDepth      deepest metadata nesting (the object itself is 1)
 * @param nodeKeyMaxChars       longest nodeKey
 * @param errorCodeMaxChars     longest errorCode
 * @param traceIdMaxChars       longest traceId
 * @param hierarchyMaxChars     longest hierarchy
 * @param tsMaxFutureSeconds    latest accepted ts, after the time of arrival
 * @param tsMaxPastDays         earliest accepted ts, before the time of arrival
 * @param redactionEnabled      mask secrets before any sink
 * @param redactionRules        built-in rule names to apply
 * @param redactionCustomPattern one extra pattern, or null
 * @param redactionMask         the replacement text of a secret
 * @param registryCheckAttempts how often the production guard asks a registry that could not answer
 * @param registryCheckDelayMs  pause between those attempts
 * @param allowPlainHttp        production only: serve the API and live tails over plain HTTP too (TLS ends
 *                              at a proxy in front); false: plain HTTP is refused with 403 naming this key
 */
public record SecuritySettings(
        Profile profile,
        Set<String> allowedOrigins,
        int messageMaxChars,
        int metadataMaxChars,
        int metadataMaxDepth,
        int nodeKeyMaxChars,
        int errorCodeMaxChars,
        int traceIdMaxChars,
        int hierarchyMaxChars,
        long tsMaxFutureSeconds,
        long tsMaxPastDays,
        boolean redactionEnabled,
        List<String> redactionRules,
        Pattern redactionCustomPattern,
        String redactionMask,
        int registryCheckAttempts,
        long registryCheckDelayMs,
        boolean allowPlainHttp) {

    /** How strict the deployment is about credentials. */
    public enum Profile {
        /** The local run and the ITs: the basicRegistry with the documented local passwords. */
        LOCAL,
        /** A real deployment: refuses to start while a local default password is accepted. */
        PRODUCTION
    }

    public static final String PROFILE = "zenflow.logging.security.profile";
    public static final String ALLOWED_ORIGINS = "zenflow.logging.security.allowed-origins";
    public static final String MESSAGE_MAX_CHARS = "zenflow.logging.limits.message-max-chars";
    public static final String METADATA_MAX_CHARS = "zenflow.logging.limits.metadata-max-chars";
    public static final String METADATA_MAX_DEPTH = "zenflow.logging.limits.metadata-max-depth";
    public static final String NODE_KEY_MAX_CHARS = "zenflow.logging.limits.node-key-max-chars";
    public static final String ERROR_CODE_MAX_CHARS = "zenflow.logging.limits.error-code-max-chars";
    public static final String TRACE_ID_MAX_CHARS = "zenflow.logging.limits.trace-id-max-chars";
    public static final String HIERARCHY_MAX_CHARS = "zenflow.logging.limits.hierarchy-max-chars";
    public static final String TS_MAX_FUTURE_SECONDS = "zenflow.logging.limits.ts-max-future-seconds";
    public static final String TS_MAX_PAST_DAYS = "zenflow.logging.limits.ts-max-past-days";
    public static final String REDACTION_ENABLED = "zenflow.logging.redaction.enabled";
    public static final String REDACTION_RULES = "zenflow.logging.redaction.rules";
    public static final String REDACTION_CUSTOM_PATTERN = "zenflow.logging.redaction.custom-pattern";
    public static final String REDACTION_MASK = "zenflow.logging.redaction.mask";
    public static final String REGISTRY_CHECK_ATTEMPTS = "zenflow.logging.security.registry-check-attempts";
    public static final String REGISTRY_CHECK_DELAY_MS = "zenflow.logging.security.registry-check-delay-ms";
    public static final String ALLOW_PLAIN_HTTP = "zenflow.logging.security.allow-plain-http";

    /** Built-in redaction rules (security.Redactor implements them). */
    public static final List<String> KNOWN_RULES = List.of("password", "bearer", "api-key");

    /** The message limit must leave room for the truncation marker. */
    public static final int MIN_MESSAGE_MAX_CHARS = 64;
    /** Generous ceiling of every text limit: far beyond any sane log field, far below the body limit's use. */
    public static final int MAX_TEXT_LIMIT = 16 * 1024 * 1024;
    /** JSON-P parsers refuse nesting beyond about 1000 anyway. */
    public static final int MAX_DEPTH_LIMIT = 1000;
    /** A century: beyond it the partition-abuse guard is meaningless. */
    public static final long MAX_DAYS_LIMIT = 36_500;

    /** @return true when plain HTTP to the API and live tails must be refused (production without allow-plain-http) */
    public boolean requiresTls() {
        return profile == Profile.PRODUCTION && !allowPlainHttp;
    }

    /** @return the defaults of microprofile-config.properties */
    public static SecuritySettings defaults() {
        return from(ConfigReader.defaults());
    }

    /**
     * @param r the reader
     * @return validated settings
     * @throws InvalidConfigurationException naming the first bad key
     */
    public static SecuritySettings from(ConfigReader r) {
        List<String> rules = r.list(REDACTION_RULES).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        for (String rule : rules) {
            if (!KNOWN_RULES.contains(rule)) throw new InvalidConfigurationException(REDACTION_RULES, String.join(",", rules),
                    "a comma-separated subset of " + KNOWN_RULES + " (or empty)");
        }
        String mask = r.raw(REDACTION_MASK);
        if (mask.isEmpty() || mask.chars().anyMatch(c -> c < 0x20 || c == '"' || c == '\\')) {
            throw new InvalidConfigurationException(REDACTION_MASK, mask, "non-empty text without control characters, quotes or backslashes");
        }
        return new SecuritySettings(
                r.oneOf(PROFILE, Profile.class),
                origins(r),
                r.intIn(MESSAGE_MAX_CHARS, MIN_MESSAGE_MAX_CHARS, MAX_TEXT_LIMIT),
                r.intIn(METADATA_MAX_CHARS, 2, MAX_TEXT_LIMIT),
                r.intIn(METADATA_MAX_DEPTH, 1, MAX_DEPTH_LIMIT),
                r.intIn(NODE_KEY_MAX_CHARS, 1, MAX_TEXT_LIMIT),
                r.intIn(ERROR_CODE_MAX_CHARS, 1, MAX_TEXT_LIMIT),
                r.intIn(TRACE_ID_MAX_CHARS, 1, MAX_TEXT_LIMIT),
                r.intIn(HIERARCHY_MAX_CHARS, 1, MAX_TEXT_LIMIT),
                r.longIn(TS_MAX_FUTURE_SECONDS, 0, MAX_DAYS_LIMIT * 86_400),
                r.longIn(TS_MAX_PAST_DAYS, 0, MAX_DAYS_LIMIT),
                r.bool(REDACTION_ENABLED),
                rules,
                customPattern(r),
                mask,
                r.intIn(REGISTRY_CHECK_ATTEMPTS, 1, 20),
                r.longIn(REGISTRY_CHECK_DELAY_MS, 0, 60_000),
                r.bool(ALLOW_PLAIN_HTTP));
    }

    private static Pattern customPattern(ConfigReader r) {
        String p = r.optional(REDACTION_CUSTOM_PATTERN).orElse(null);
        if (p == null) return null;
        try {
            Pattern compiled = Pattern.compile(p);
            if (compiled.matcher("").matches()) {
                throw new InvalidConfigurationException(REDACTION_CUSTOM_PATTERN, p, "a regular expression that does not match empty text");
            }
            return compiled;
        } catch (PatternSyntaxException e) {
            throw new InvalidConfigurationException(REDACTION_CUSTOM_PATTERN, p, "a Java regular expression (" + e.getDescription() + ")");
        }
    }

    private static Set<String> origins(ConfigReader r) {
        List<String> out = new ArrayList<>();
        for (String o : r.list(ALLOWED_ORIGINS)) {
            String n = normalizeOrigin(o);
            if (n == null) throw new InvalidConfigurationException(ALLOWED_ORIGINS, o, "origins such as https://app.example.com or http://localhost:9080, comma-separated");
            out.add(n);
        }
        return Set.copyOf(out);
    }

    /**
     * The comparable form of an Origin: {@code scheme://host[:port]} in lower case, the scheme's
     * default port dropped.
     *
     * @param origin an Origin header value or a configured origin
     * @return the normalized origin, or null when it is not an http(s) origin (e.g. {@code null}, a path)
     */
    public static String normalizeOrigin(String origin) {
        if (origin == null) return null;
        try {
            URI u = new URI(origin.trim());
            String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
            if (!"http".equals(scheme) && !"https".equals(scheme)) return null;
            if (u.getHost() == null || u.getUserInfo() != null || u.getQuery() != null || u.getFragment() != null) return null;
            if (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/")) return null;
            int port = u.getPort();
            boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
            return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }
}
