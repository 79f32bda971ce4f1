package org.phong.zenflow.logging.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Reads and validates one key at a time. Every value falls back to its default in
 * {@code META-INF/microprofile-config.properties}, the one place defaults live, and every failure
 * throws {@link InvalidConfigurationException} naming the key and what is allowed.
 *
 * <p>Each concern keeps its own settings record ({@link LoggingSettings} for the pipeline, others
 * beside it) built from one of these, so adding a concern does not touch the others.
 */
public final class ConfigReader {

    private static final String DEFAULTS_RESOURCE = "META-INF/microprofile-config.properties";
    /** The defaults file, read once; unmodifiable (no static mutable state). */
    private static final Map<String, String> DEFAULTS = loadDefaults();

    private final Function<String, Optional<String>> source;

    private ConfigReader(Function<String, Optional<String>> source) {
        this.source = source;
    }

    /**
     * @param overrides looks up a key (MicroProfile Config in Liberty); empty means "use the default"
     * @return a reader that falls back to the defaults file
     */
    public static ConfigReader over(Function<String, Optional<String>> overrides) {
        return new ConfigReader(key -> overrides.apply(key).or(() -> Optional.ofNullable(DEFAULTS.get(key))));
    }

    /** @return a reader of the defaults alone */
    public static ConfigReader defaults() {
        return over(key -> Optional.empty());
    }

    /** @return a reader over a test's {@link Properties}, falling back to the defaults */
    public static ConfigReader overProperties(Properties overrides) {
        return over(key -> Optional.ofNullable(overrides.getProperty(key)));
    }

    /** @return the default of {@code key} in the defaults file, if it has one */
    public static Optional<String> defaultOf(String key) {
        return Optional.ofNullable(DEFAULTS.get(key));
    }

    /** @return the keys of the defaults file that start with {@code prefix} (pass-through key families) */
    public static java.util.Set<String> defaultKeys(String prefix) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String k : DEFAULTS.keySet()) if (k.startsWith(prefix)) out.add(k);
        return out;
    }

    /** @return the trimmed value of {@code key} (a default must exist when the source has none) */
    public String raw(String key) {
        return source.apply(key).map(String::trim)
                .orElseThrow(() -> new InvalidConfigurationException(key, "", "a value (no default found)"));
    }

    /** @return the value, or empty when it is blank */
    public Optional<String> optional(String key) {
        Optional<String> v = source.apply(key).map(String::trim);
        return v.filter(s -> !s.isEmpty());
    }

    public long longIn(String key, long min, long max) {
        String v = raw(key);
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidConfigurationException(key, v, "a whole number from " + min + " to " + max);
    }

    public int intIn(String key, int min, int max) {
        return (int) longIn(key, min, max);
    }

    /** @return a number in (0, 1] */
    public double fraction(String key) {
        String v = raw(key);
        try {
            double d = Double.parseDouble(v);
            if (d > 0 && d <= 1) return d;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidConfigurationException(key, v, "a number greater than 0 and at most 1");
    }

    public boolean bool(String key) {
        String v = raw(key);
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new InvalidConfigurationException(key, v, "true or false");
    }

    /** @return the constant of {@code type} named by the value, case-insensitive */
    public <E extends Enum<E>> E oneOf(String key, Class<E> type) {
        String v = raw(key);
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v) || e.name().replace('_', '-').equalsIgnoreCase(v)) return e;
        }
        throw new InvalidConfigurationException(key, v, "one of " + Arrays.toString(type.getEnumConstants()));
    }

    /** @return the comma-separated, trimmed, non-empty items of the value (empty list when blank) */
    public List<String> list(String key) {
        return Arrays.stream(raw(key).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** @return the environment variable that overrides {@code key} (MicroProfile Config's mapping) */
    public static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    private static Map<String, String> loadDefaults() {
        Properties p = new Properties();
        ClassLoader cl = ConfigReader.class.getClassLoader();
        try (InputStream in = cl.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the classpath");
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> m = new java.util.HashMap<>();
        for (String k : p.stringPropertyNames()) m.put(k, p.getProperty(k));
        return Map.copyOf(m);
    }
}
