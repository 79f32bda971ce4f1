package org.phong.zenflow.logging.api;

/**
 * The one replacement that makes text storable and sendable: NUL (PostgreSQL text and jsonb cannot
 * hold it) and unpaired UTF-16 surrogates (not encodable in UTF-8: the COPY stream and every JSON
 * frame would otherwise each substitute something of their own) become U+FFFD; valid surrogate
 * pairs stay. Used for the text fields of {@link LogEntry} and the metadata keys and string values
 * ({@link MetadataRules}).
 */
final class StoredText {
    private static final char NUL = '\u0000';
    private static final char REPLACEMENT = '\uFFFD';

    private StoredText() {
    }

    /** @return {@code s} itself when nothing needs replacing (also null), else the replaced copy */
    static String clean(String s) {
        return s == null || !needsCleaning(s) ? s : replaceInvalid(s);
    }

    /** @return true when {@code s} holds a NUL or an unpaired surrogate */
    static boolean needsCleaning(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == NUL) return true;
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) return true;
                i++;
            }
        }
        return false;
    }

    /** @return {@code s} with NUL and unpaired surrogates replaced by U+FFFD */
    static String replaceInvalid(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == NUL) {
                b.append(REPLACEMENT);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                b.append(REPLACEMENT);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
