package org.phong.zenflow.logging.api;

/**
 * The fast path of metadata normalisation: one scan of the text that proves it is a JSON object whose
 * stored form is the text itself (or the text without its insignificant whitespace), so the common case
 * skips parsing into a tree, checking it and writing it out again: that round trip was three fifths of
 * the engine thread's time in a benchmark profile (the caller's own cost of a log call).
 *
 * <p>The contract is differential: for every input it accepts, it returns exactly what the JSON-P path
 * ({@code JsonReader.readObject()} + {@link MetadataRules#compact}, Parsson's {@code toString}) returns;
 * for anything else it answers null and the caller takes that path, which also produces the errors. So it
 * accepts only what Parsson writes back verbatim and what {@link MetadataRules} has nothing to say about:
 * <ul>
 *   <li>strings whose escapes are {@code \" \\ \n \t \r \b \f} (written back as they are); a {@code \/} or
 *       <code>&#92;uXXXX</code> escape is rewritten by Parsson (<code>&#92;u0041</code> becomes {@code A}), and may hide a NUL or
 *       an unpaired surrogate, so it goes the long way, as do raw unpaired surrogates and control characters;</li>
 *   <li>numbers without an exponent ({@code 1e5} comes back {@code 1E+5}), not a negative zero ({@code -0}
 *       comes back {@code 0}), not a fraction {@code BigDecimal} would print in scientific notation
 *       ({@code 0.0000001} comes back {@code 1E-7}), at most {@value #MAX_NUMBER_CHARS} characters, so far
 *       inside {@code numeric}'s bounds that {@link MetadataRules#beyondNumeric} refuses none;</li>
 *   <li>objects without duplicate keys (Parsson keeps the last value at the first key's place) and with at
 *       most {@value #MAX_KEYS} keys open at once, nested at most {@value #MAX_DEPTH} deep; nothing but
 *       whitespace after the object (Parsson ignores what follows it).</li>
 * </ul>
 * Whitespace outside strings is the one thing it rewrites: it is dropped, as Parsson's compact output drops it.
 * {@code CompactJsonTest} holds it to the contract over generated and mutated inputs.
 */
final class CompactJson {
    static final int MAX_DEPTH = 64;
    static final int MAX_KEYS = 64;
    static final int MAX_NUMBER_CHARS = 64;

    private final String s;
    private final int n;
    /** Whitespace seen outside strings: the answer is the text without it. */
    private boolean spaced;
    /** Start and end (exclusive, quotes included) of each key of the objects open now, innermost last. */
    private int[] keys;
    private int keyCount;

    private CompactJson(String s) {
        this.s = s;
        this.n = s.length();
    }

    /**
     * @param text metadata as given (not null)
     * @return its compact stored form, the same instance when it is already compact; null when only the
     * JSON-P path can tell (invalid, unusual or needing a fix)
     */
    static String compact(String text) {
        return new CompactJson(text).run();
    }

    private String run() {
        int p = skipWhitespace(0);
        if (p >= n || s.charAt(p) != '{') return null;
        p = object(p, 1);
        if (p < 0 || skipWhitespace(p) != n) return null;
        return spaced ? withoutWhitespace() : s;
    }

    private int value(int p, int depth) {
        if (p >= n) return -1;
        return switch (s.charAt(p)) {
            case '{' -> object(p, depth + 1);
            case '[' -> array(p, depth + 1);
            case '"' -> string(p);
            case 't' -> literal(p, "true");
            case 'f' -> literal(p, "false");
            case 'n' -> literal(p, "null");
            default -> number(p);
        };
    }

    private int object(int p, int depth) {
        if (depth > MAX_DEPTH) return -1;
        int outerKeys = keyCount;
        p = skipWhitespace(p + 1);
        if (p < n && s.charAt(p) == '}') return p + 1;
        while (true) {
            if (p >= n || s.charAt(p) != '"') return -1;
            int end = string(p);
            if (end < 0 || !newKey(outerKeys, p, end)) return -1;
            p = skipWhitespace(end);
            if (p >= n || s.charAt(p) != ':') return -1;
            p = value(skipWhitespace(p + 1), depth);
            if (p < 0) return -1;
            p = skipWhitespace(p);
            if (p >= n) return -1;
            char c = s.charAt(p);
            if (c == '}') {
                keyCount = outerKeys;
                return p + 1;
            }
            if (c != ',') return -1;
            p = skipWhitespace(p + 1);
        }
    }

    private int array(int p, int depth) {
        if (depth > MAX_DEPTH) return -1;
        p = skipWhitespace(p + 1);
        if (p < n && s.charAt(p) == ']') return p + 1;
        while (true) {
            p = value(p, depth);
            if (p < 0) return -1;
            p = skipWhitespace(p);
            if (p >= n) return -1;
            char c = s.charAt(p);
            if (c == ']') return p + 1;
            if (c != ',') return -1;
            p = skipWhitespace(p + 1);
        }
    }

    /**
     * Records a key of the innermost open object, refusing a duplicate. The escapes allowed map one to one
     * to characters, so equal text is an equal key and unequal text an unequal one.
     */
    private boolean newKey(int firstOfObject, int start, int end) {
        int len = end - start;
        for (int k = firstOfObject; k < keyCount; k++) {
            int ks = keys[2 * k];
            if (keys[2 * k + 1] - ks == len && s.regionMatches(ks, s, start, len)) return false;
        }
        if (keyCount == MAX_KEYS) return false;
        if (keys == null) {
            keys = new int[16];
        } else if (2 * keyCount == keys.length) {
            keys = java.util.Arrays.copyOf(keys, 2 * keys.length);
        }
        keys[2 * keyCount] = start;
        keys[2 * keyCount + 1] = end;
        keyCount++;
        return true;
    }

    /** @return the index after the closing quote of the string opening at {@code p}, or -1 */
    private int string(int p) {
        for (int i = p + 1; i < n; i++) {
            char c = s.charAt(i);
            if (c == '"') return i + 1;
            if (c == '\\') {
                if (++i >= n) return -1;
                char e = s.charAt(i);
                if (e != '"' && e != '\\' && e != 'n' && e != 't' && e != 'r' && e != 'b' && e != 'f') return -1;
            } else if (c < 0x20) {
                return -1;
            } else if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) return -1;
                i++;
            }
        }
        return -1;
    }

    private int literal(int p, String word) {
        return s.startsWith(word, p) ? p + word.length() : -1;
    }

    /** @return the index after a number Parsson writes back as it is, or -1 */
    private int number(int p) {
        int i = p;
        boolean negative = s.charAt(i) == '-';
        if (negative) i++;
        if (i >= n) return -1;
        char first = s.charAt(i);
        if (first == '0') {
            i++;
        } else if (first >= '1' && first <= '9') {
            do i++; while (i < n && isDigit(s.charAt(i)));
        } else {
            return -1;
        }
        int fraction = 0;
        int leadingZeros = 0;
        if (i < n && s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && isDigit(s.charAt(i))) i++;
            fraction = i - start;
            if (fraction == 0) return -1;
            while (leadingZeros < fraction && s.charAt(start + leadingZeros) == '0') leadingZeros++;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) return -1;
        if (i - p > MAX_NUMBER_CHARS) return -1;
        if (first == '0') {
            boolean zero = leadingZeros == fraction;
            if (negative && zero) return -1;
            // BigDecimal.toString goes scientific below an adjusted exponent of -6.
            if (zero ? fraction > 6 : leadingZeros > 5) return -1;
        }
        return i;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** JSON's insignificant whitespace (RFC 8259: space, tab, line feed, carriage return). */
    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private int skipWhitespace(int p) {
        while (p < n) {
            if (!isWhitespace(s.charAt(p))) break;
            spaced = true;
            p++;
        }
        return p;
    }

    /** The text, already proven valid, without whitespace outside its strings. */
    private String withoutWhitespace() {
        StringBuilder b = new StringBuilder(n);
        boolean inString = false;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (inString) {
                b.append(c);
                if (c == '\\') {
                    b.append(s.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                b.append(c);
            } else if (!isWhitespace(c)) {
                b.append(c);
            }
        }
        return b.toString();
    }
}
