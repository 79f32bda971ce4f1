package org.phong.zenflow.logging.testing;

import java.util.List;
import java.util.Map;

/**
 * The shape of the small hand-written JSON writers of tests and benchmarks: {@code null}, maps
 * (objects, in their iteration order, keys as {@link String#valueOf}) and lists (arrays). Every other
 * value (strings, numbers, booleans) goes to the caller's {@link Scalar}, because that is where the
 * writers differ: how a double is rounded, which characters a string escapes (a test may want to
 * write what JSON-P writers cannot, such as an unpaired surrogate as {@code \\uXXXX}).
 */
public final class JsonTree {
    private JsonTree() {
    }

    /** Writes a value that is neither null, a map nor a list; map keys come here too, as strings. */
    @FunctionalInterface
    public interface Scalar {
        void write(StringBuilder b, Object v);
    }

    /** @return {@code v} as JSON text */
    public static String write(Object v, Scalar scalar) {
        StringBuilder b = new StringBuilder();
        write(b, v, scalar);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v, Scalar scalar) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) b.append(',');
                first = false;
                scalar.write(b, String.valueOf(e.getKey()));
                b.append(':');
                write(b, e.getValue(), scalar);
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) b.append(',');
                write(b, l.get(i), scalar);
            }
            b.append(']');
        } else {
            scalar.write(b, v);
        }
    }
}
