package org.phong.zenflow.logging.api;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.math.BigDecimal;
import java.util.Map;

/**
 * What the log store's {@code jsonb} column can hold, checked on the parsed metadata object before
 * an entry is accepted, so that PostgreSQL never refuses an accepted entry for its metadata.
 *
 * <p>Measured against PostgreSQL 14 ({@code SELECT '{"x":V}'::jsonb}): jsonb stores every number
 * as {@code numeric}, which holds at most {@value #MAX_INTEGER_DIGITS} digits before the decimal
 * point and {@value #MAX_FRACTION_DIGITS} after it, counting the digits as written ({@code 1.5e-16383}
 * has 16,384 fraction digits: refused; {@code 1e131071} and {@code 1e-16383} are the largest and
 * smallest powers of ten accepted, {@code 1e308} is fine). Anything beyond fails the whole COPY with
 * SQLState 22003 "value overflows numeric format". JSON-P parses such numbers happily (as
 * {@link BigDecimal}), so the check is ours. A zero written with an exponent beyond those bounds
 * ({@code 0e999999}) is refused too, although PostgreSQL would store it as 0: it is never meant.
 *
 * <p>Strings: jsonb refuses the {@code \u0000} escape (22P05) and an unpaired surrogate escape
 * (22P02). In keys and values both become U+FFFD, as in every text field of {@link LogEntry} (the
 * documented policy: the entry accepted is the entry stored, byte for byte after that replacement).
 * Only when the replacement would merge two keys of one object ({@code "a\u0000"} and
 * {@code "a\ufffd"}) is the entry refused, since one value would otherwise vanish silently.
 *
 * <p>Errors name the offending place as a path below {@code metadata}: {@code metadata.x},
 * {@code metadata.a.list[2].y}; control characters in a key are shown escaped.
 */
final class MetadataRules {
    /** numeric's limit before the decimal point (NUMERIC_WEIGHT_MAX 32767 base-10000 digits + 1). */
    static final int MAX_INTEGER_DIGITS = 131_072;
    /** numeric's limit after the decimal point (NUMERIC_DSCALE_MAX). */
    static final int MAX_FRACTION_DIGITS = 16_383;
    /** Longest key shown in an error path. */
    private static final int MAX_KEY_SHOWN = 64;

    private MetadataRules() {
    }

    /**
     * Checks the object and returns its compact text, with NUL and unpaired surrogates in keys and
     * string values replaced by U+FFFD.
     *
     * @param json   the provider used to rebuild the object when a value needs cleaning
     * @param object the parsed metadata
     * @return the compact JSON text to store
     * @throws InvalidLogEntryException naming the path of a number the store cannot hold or of a key
     *                                  that replacement would merge with another
     */
    static String compact(JsonProvider json, JsonObject object) {
        boolean dirty = check(object, Place.ROOT);
        return (dirty ? (JsonObject) clean(json, object) : object).toString();
    }

    /**
     * A place in the metadata, spelled out only for an error ({@code metadata.a.list[2].y}): building every key's
     * path as text up front cost each accepted entry a string per key.
     */
    private record Place(Place parent, String key, int index) {
        static final Place ROOT = new Place(null, null, -1);

        Place child(String k) {
            return new Place(this, k, -1);
        }

        Place element(int i) {
            return new Place(this, null, i);
        }

        @Override
        public String toString() {
            if (parent == null) return "metadata";
            return parent + (key != null ? "." + shown(key) : "[" + index + "]");
        }
    }

    /** @return true when some key or string value must be cleaned (numbers are checked, never fixed) */
    private static boolean check(JsonValue v, Place place) {
        switch (v.getValueType()) {
            case OBJECT -> {
                boolean dirty = false;
                JsonObject o = v.asJsonObject();
                for (Map.Entry<String, JsonValue> e : o.entrySet()) {
                    String key = e.getKey();
                    if (StoredText.needsCleaning(key)) {
                        dirty = true;
                        String cleaned = StoredText.replaceInvalid(key);
                        if (o.containsKey(cleaned) || collidesAfterCleaning(o, key, cleaned)) {
                            throw new InvalidLogEntryException(place.child(key).toString(), "is a key whose NUL characters or unpaired"
                                    + " surrogates, replaced by U+FFFD, would make it equal to another key of the same object");
                        }
                    }
                    dirty |= check(e.getValue(), place.child(key));
                }
                return dirty;
            }
            case ARRAY -> {
                boolean dirty = false;
                JsonArray a = v.asJsonArray();
                for (int i = 0; i < a.size(); i++) dirty |= check(a.get(i), place.element(i));
                return dirty;
            }
            case NUMBER -> {
                if (beyondNumeric(((JsonNumber) v).bigDecimalValue())) throw numberRefused(place.toString());
                return false;
            }
            case STRING -> {
                return StoredText.needsCleaning(((JsonString) v).getString());
            }
            default -> {
                return false;
            }
        }
    }

    /** @return true when another key that also needs cleaning cleans to the same text (rare: only then O(n^2)) */
    private static boolean collidesAfterCleaning(JsonObject o, String key, String cleaned) {
        for (String other : o.keySet()) {
            if (!other.equals(key) && StoredText.needsCleaning(other) && StoredText.replaceInvalid(other).equals(cleaned)) return true;
        }
        return false;
    }

    /** @return the error for a number PostgreSQL's numeric cannot hold, at {@code path} */
    private static InvalidLogEntryException numberRefused(String path) {
        return new InvalidLogEntryException(path, "is a number PostgreSQL's numeric cannot hold (at most "
                + MAX_INTEGER_DIGITS + " digits before the decimal point and " + MAX_FRACTION_DIGITS + " after it)");
    }

    /** @return true when {@code n}, counting its digits as written, is beyond what {@code numeric} holds */
    static boolean beyondNumeric(BigDecimal n) {
        long fractionDigits = n.scale();
        long integerDigits = (long) n.precision() - n.scale();
        return fractionDigits > MAX_FRACTION_DIGITS || integerDigits > MAX_INTEGER_DIGITS;
    }

    private static JsonValue clean(JsonProvider json, JsonValue v) {
        switch (v.getValueType()) {
            case OBJECT -> {
                JsonObjectBuilder b = json.createObjectBuilder();
                for (Map.Entry<String, JsonValue> e : v.asJsonObject().entrySet()) {
                    String key = e.getKey();
                    b.add(StoredText.clean(key), clean(json, e.getValue()));
                }
                return b.build();
            }
            case ARRAY -> {
                JsonArrayBuilder b = json.createArrayBuilder();
                for (JsonValue child : v.asJsonArray()) b.add(clean(json, child));
                return b.build();
            }
            case STRING -> {
                String s = ((JsonString) v).getString();
                return StoredText.needsCleaning(s) ? json.createValue(StoredText.replaceInvalid(s)) : v;
            }
            default -> {
                return v;
            }
        }
    }

    /** A key as shown in an error path: control characters and surrogates escaped, long keys cut. */
    private static String shown(String key) {
        StringBuilder b = new StringBuilder(Math.min(key.length(), MAX_KEY_SHOWN) + 8);
        for (int i = 0; i < key.length() && i < MAX_KEY_SHOWN; i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                b.append(c).append(key.charAt(++i));
            } else if (c < 0x20 || c == 0x7F || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (key.length() > MAX_KEY_SHOWN) b.append('\u2026');
        return b.toString();
    }
}
