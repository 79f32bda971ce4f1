package org.phong.zenflow.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.testing.JaxRsOperations;

/**
 * No static mutable state in main code: two pipelines in one JVM (tests, benchmarks, several
 * applications on one Liberty) must be independent, and a node's state must live in instances the
 * container owns, not in class fields that outlive them.
 *
 * <p>Every class under {@code target/classes} is checked by reflection; a field is a finding when it is
 * <ul>
 *   <li>static and not final; or</li>
 *   <li>static final and its value is mutable: a collection or map that is not one of the JDK's
 *       unmodifiable ones, a non-empty array (or NIO buffer) that is not private (a private constant table, e.g. hex
 *       digits on the COPY hot path, can only be written by its own class, which never does), an atomic/adder, a StringBuilder, a Date, a ThreadLocal,
 *       or any other object whose class has a non-final instance field (checked one level deep and
 *       through the class hierarchy) unless it is on the {@link #IMMUTABLE_ENOUGH} list.</li>
 * </ul>
 * Enum constants and records with final components are immutable by construction. Synthetic
 * fields (switch maps, {@code $VALUES}, assertion flags) are the compiler's and skipped.
 */
class NoStaticMutableStateTest {
    private static final String PACKAGE = "org.phong.zenflow.logging.";

    /**
     * Classes whose instances hold state but are safe as constants: loggers (configured by the
     * runtime, shared by design), compiled regexes, JSON-P providers and factories (stateless after
     * creation), formatters, comparators and lambdas (no fields).
     */
    private static final Set<String> IMMUTABLE_ENOUGH = Set.of(
            "java.util.logging.Logger",
            "java.util.regex.Pattern",
            "jakarta.json.spi.JsonProvider",
            "jakarta.json.JsonBuilderFactory",
            "jakarta.json.JsonReaderFactory",
            "jakarta.json.JsonWriterFactory",
            "java.time.format.DateTimeFormatter",
            "java.util.Base64$Encoder",
            "java.util.Base64$Decoder",
            "java.util.HexFormat",
            "java.lang.invoke.VarHandle",
            "java.lang.invoke.MethodHandle");

    @Test
    void mainCodeHasNoStaticMutableState() throws Exception {
        List<String> findings = new ArrayList<>();
        for (String name : JaxRsOperations.classNamesIn(Path.of("target/classes"))) {
            if (!name.startsWith(PACKAGE) || name.endsWith("package-info")) continue;
            Class<?> c = Class.forName(name, false, getClass().getClassLoader());
            findings.addAll(findingsIn(c));
        }
        assertEquals(List.of(), findings, "static mutable state in main code");
    }

    @Test
    void theCheckFindsWhatItIsMeantToFind() throws Exception {
        assertEquals(java.util.stream.Stream.of(
                        Bad.class.getName() + ".counter: static, not final",
                        Bad.class.getName() + ".CACHE: static final of mutable java.util.HashMap",
                        Bad.class.getName() + ".HITS: static final of mutable java.util.concurrent.atomic.AtomicLong",
                        Bad.class.getName() + ".NAMES: static final of mutable java.util.ArrayList",
                        Bad.class.getName() + ".SIZES: static final of mutable int[]",
                        Bad.class.getName() + ".STATE: static final of mutable " + Holder.class.getName()).sorted().toList(),
                findingsIn(Bad.class).stream().sorted().toList());
        assertEquals(List.of(), findingsIn(Good.class));
    }

    static List<String> findingsIn(Class<?> c) throws Exception {
        List<String> out = new ArrayList<>();
        for (Field f : c.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) || f.isSynthetic() || f.isEnumConstant()) continue;
            String where = c.getName() + "." + f.getName();
            if (!Modifier.isFinal(m)) {
                out.add(where + ": static, not final");
                continue;
            }
            if (f.getType().isPrimitive() || f.getType() == String.class) continue;
            f.setAccessible(true);
            Object v = f.get(null); // initializes the class: main classes have no side effects in static init
            if (f.getType().isArray() && Modifier.isPrivate(m)) continue;
            String why = mutable(v);
            if (why != null) out.add(where + ": static final of mutable " + why);
        }
        return out;
    }

    /** @return the value's class name when it is mutable, else null */
    private static String mutable(Object v) {
        if (v == null) return null;
        Class<?> k = v.getClass();
        String n = k.getName();
        if (k.isArray()) return Array.getLength(v) == 0 ? null : k.getSimpleName();
        if (v instanceof java.nio.Buffer b) return b.capacity() == 0 ? null : n; // an empty buffer holds nothing
        if (v instanceof Collection<?> || v instanceof Map<?, ?>) {
            return n.startsWith("java.util.ImmutableCollections$") || n.startsWith("java.util.Collections$Unmodifiable")
                    || n.startsWith("java.util.Collections$Empty") || n.startsWith("java.util.Collections$Singleton") ? null : n;
        }
        if (k.isEnum() || k.isRecord() && fieldsFinal(k) || k.isSynthetic() || k.isHidden()) return null;
        for (String ok : IMMUTABLE_ENOUGH) if (isA(k, ok)) return null;
        if (v instanceof Number || v instanceof CharSequence && !(v instanceof String) || v instanceof java.util.Date
                || v instanceof ThreadLocal<?>) {
            return v instanceof Integer || v instanceof Long || v instanceof Double || v instanceof java.math.BigDecimal
                    || v instanceof java.math.BigInteger ? null : n;
        }
        if (v instanceof String || v instanceof Class<?> || v instanceof java.time.temporal.TemporalAccessor
                || v instanceof java.time.Duration || v instanceof java.util.UUID) return null;
        return fieldsFinal(k) ? null : n;
    }

    private static boolean isA(Class<?> k, String name) {
        for (Class<?> c = k; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) return true;
            for (Class<?> i : c.getInterfaces()) if (i.getName().equals(name)) return true;
        }
        return false;
    }

    /** @return true when every instance field of the class and its superclasses is final */
    private static boolean fieldsFinal(Class<?> k) {
        for (Class<?> c = k; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isFinal(f.getModifiers())) return false;
            }
        }
        return true;
    }

    static final class Holder {
        int value;
    }

    @SuppressWarnings("unused")
    static final class Bad {
        static int counter;
        static final java.util.Map<String, String> CACHE = new java.util.HashMap<>();
        static final java.util.concurrent.atomic.AtomicLong HITS = new java.util.concurrent.atomic.AtomicLong();
        static final List<String> NAMES = new ArrayList<>();
        static final int[] SIZES = {1, 2};
        private static final int[] TABLE = {1, 2}; // private constant table: allowed
        static final Holder STATE = new Holder();
    }

    @SuppressWarnings("unused")
    static final class Good {
        static final int LIMIT = 10;
        static final String NAME = "x";
        static final List<String> NAMES = List.of("a");
        static final Map<String, Integer> SIZES = Map.of("a", 1);
        static final int[] NONE = {};
        static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("x");
        static final java.util.regex.Pattern P = java.util.regex.Pattern.compile("a+");
        static final java.time.Duration D = java.time.Duration.ofSeconds(1);
        static final java.util.Comparator<String> ORDER = (a, b) -> a.compareTo(b);
        static final Set<String> EMPTY = java.util.Collections.emptySet();
    }
}
