package org.phong.zenflow.logging.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.phong.zenflow.logging.config.ConfigReader;
import org.phong.zenflow.logging.config.InvalidConfigurationException;

/**
 * "No hard-coded tunables", part 1: every MicroProfile Config key the module reads has a default in
 * {@code microprofile-config.properties}, a row in docs/configuration.md, and validation
 * (a bad value makes a settings record throw {@link InvalidConfigurationException} naming the key).
 *
 * <p>Keys are found, not listed: every {@code public static final String} constant of package
 * {@code config} that holds a full {@code zenflow.logging.*} key, plus every {@code zenflow.logging.*}
 * key written in a string anywhere in the main sources. Settings records are found too: every class
 * of package {@code config} with a public static {@code from(ConfigReader)}.
 */
public final class ConfigAudit {
    /** A full key (not a prefix ending in '.') inside a string; not part of a package name. */
    private static final Pattern KEY = Pattern.compile("(?<![\\w.])zenflow\\.logging\\.[a-z0-9][a-z0-9.-]*[a-z0-9](?![\\w.-])");
    /** Values tried until one is refused; a key that accepts all of them is not validated. */
    private static final List<String> BAD_VALUES = List.of("not-a-valid-value", "", "-1", "0", "99999999999999999999", "1.5", "(");

    private ConfigAudit() {
    }

    /** @return every key named by the constants of the given classes and the strings of the given sources */
    public static TreeSet<String> keysRead(List<Class<?>> configClasses, Path mainSources) {
        TreeSet<String> keys = new TreeSet<>();
        for (Class<?> c : configClasses) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (!Modifier.isStatic(m) || !Modifier.isFinal(m) || f.getType() != String.class) continue;
                try {
                    f.setAccessible(true);
                    String v = (String) f.get(null);
                    if (v != null && KEY.matcher(v).matches()) keys.add(v);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        try (Stream<Path> files = Files.walk(mainSources)) {
            // Package metrics names metrics with the same prefix (zenflow.logging.<area>.<thing>); they are not keys.
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && !isMetricNames(mainSources, p)).toList()) {
                Matcher m = KEY.matcher(Files.readString(f, StandardCharsets.UTF_8));
                while (m.find()) keys.add(m.group());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    private static boolean isMetricNames(Path root, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        return dir != null && dir.endsWith(Path.of("logging", "metrics"));
    }

    /** @return the settings parsers ({@code from(ConfigReader)}) among the given classes */
    public static List<Function<ConfigReader, Object>> settingsParsers(List<Class<?>> configClasses) {
        List<Function<ConfigReader, Object>> out = new ArrayList<>();
        for (Class<?> c : configClasses) {
            try {
                Method from = c.getMethod("from", ConfigReader.class);
                if (!Modifier.isStatic(from.getModifiers())) continue;
                out.add(r -> {
                    try {
                        return from.invoke(null, r);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        if (e.getCause() instanceof RuntimeException re) throw re;
                        throw new IllegalStateException(e.getCause());
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                });
            } catch (NoSuchMethodException e) {
                // not a settings record
            }
        }
        return out;
    }

    /**
     * @param keys     the keys the module reads
     * @param defaults the defaults file's content
     * @param page     the text of docs/configuration.md
     * @param parsers  every settings record's {@code from(ConfigReader)}
     * @return one line per missing default, documented row or validation; empty when all is in order
     */
    public static List<String> problems(Iterable<String> keys, Properties defaults, String page,
                                        List<Function<ConfigReader, Object>> parsers) {
        List<String> out = new ArrayList<>();
        List<String> rows = page.lines().filter(l -> l.startsWith("|")).toList();
        for (String key : keys) {
            if (defaults.getProperty(key) == null) out.add(key + ": no default in microprofile-config.properties");
            if (!documented(key, rows)) out.add(key + ": no row in docs/configuration.md");
            if (!validated(key, defaults, parsers)) out.add(key + ": no settings record refuses a bad value ("
                    + String.join(", ", BAD_VALUES.stream().map(v -> "'" + v + "'").toList()) + ") naming it");
        }
        return out;
    }

    /** A row names the key in backticks, in full or without the {@code zenflow.logging.durable.} prefix. */
    static boolean documented(String key, List<String> tableRows) {
        String shortKey = key.startsWith("zenflow.logging.durable.") ? key.substring("zenflow.logging.durable.".length()) : null;
        for (String row : tableRows) {
            if (row.contains("`" + key + "`") || (shortKey != null && row.contains("`" + shortKey + "`"))) return true;
        }
        return false;
    }

    /**
     * Tries each bad value with every {@code *.enabled} key on (so keys read only when their feature is
     * on are read) and the defaults for the rest.
     */
    static boolean validated(String key, Properties defaults, List<Function<ConfigReader, Object>> parsers) {
        for (String bad : BAD_VALUES) {
            for (boolean featuresOn : new boolean[] {false, true}) {
                if (refused(key, bad, featuresOn, defaults, parsers)) return true;
            }
        }
        return false;
    }

    private static boolean refused(String key, String bad, boolean featuresOn, Properties defaults,
                                   List<Function<ConfigReader, Object>> parsers) {
        {
            Properties p = new Properties();
            if (featuresOn) {
                for (String k : defaults.stringPropertyNames()) if (k.endsWith(".enabled") && !k.equals(key)) p.setProperty(k, "true");
            }
            p.setProperty(key, bad);
            ConfigReader r = ConfigReader.over(k -> Optional.ofNullable(p.getProperty(k)).or(() -> Optional.ofNullable(defaults.getProperty(k))));
            for (Function<ConfigReader, Object> parse : parsers) {
                try {
                    parse.apply(r);
                } catch (InvalidConfigurationException e) {
                    if (key.equals(e.key()) && e.getMessage().contains(key)) return true;
                } catch (RuntimeException e) {
                    // another failure is not a validation naming the key
                }
            }
        }
        return false;
    }
}
