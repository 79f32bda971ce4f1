package org.phong.zenflow.logging.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.JsonReader;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The metadata fast path answers exactly what the JSON-P path answers, or nothing: over hand-picked
 * cases of everything Parsson rewrites, and over generated and mutated inputs compared one by one with
 * the tree path ({@code JsonReader} + {@link MetadataRules#compact}).
 */
class CompactJsonTest {
    private static final JsonProvider JSON = JsonProvider.provider();

    @ParameterizedTest
    @ValueSource(strings = {
        "{}",
        "{\"attempt\":3,\"durationMs\":12.5,\"ok\":true,\"err\":null,\"no\":false}",
        "{\"tags\":[\"a\",\"b\",[],{}],\"nested\":{\"k\":\"v\\nw\\t\\\"q\\\"\\\\\\r\\b\\f\",\"n\":-17}}",
        "{\"utf\":\"\u00e9\u2028\u007f\ud83d\ude00\",\"big\":123456789012345678901234567890,\"f\":100.000,\"s\":0.000001,\"z\":0.000000}",
        "{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":2}}"})
    void compactMetadataIsKeptAsTheSameText(String text) {
        assertSame(text, CompactJson.compact(text));
        assertEquals(text, treePath(text));
    }

    @Test
    void whitespaceOutsideStringsIsDroppedAsTheTreePathDropsIt() {
        String text = " {\n \"a\" : [ 1 ,\ttrue , { } ] ,\r\n\"b c\" : \" x \" } \n";
        assertEquals("{\"a\":[1,true,{}],\"b c\":\" x \"}", CompactJson.compact(text));
        assertEquals(treePath(text), CompactJson.compact(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\":1e5}", "{\"a\":1E-2}", "{\"a\":-0}", "{\"a\":-0.0}", "{\"a\":0.0000001}", "{\"a\":0.0000000}",
        "{\"a\":\"\\u0041\"}", "{\"a\":\"\\/\"}", "{\"a\\u0000\":1}", "{\"a\":\"\ud800\"}", "{\"a\":1,\"a\":2}",
        "{} x", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":tru}", "{\"a\" 1}", "{\"a\":1,}", "[1]", "{\"a\":\"x",
        "{\"a\":\"\t\"}"})
    void whatTheTreePathRewritesOrRefusesGoesTheLongWay(String text) {
        assertNull(CompactJson.compact(text));
    }

    @Test
    void depthAndKeyCountBeyondTheBoundsGoTheLongWay() {
        String deep = "{\"a\":".repeat(CompactJson.MAX_DEPTH) + "1" + "}".repeat(CompactJson.MAX_DEPTH);
        assertSame(deep, CompactJson.compact(deep));
        String deeper = "{\"a\":" + deep + "}";
        assertNull(CompactJson.compact(deeper));
        assertEquals(deeper, treePath(deeper));
        StringBuilder many = new StringBuilder("{");
        for (int k = 0; k <= CompactJson.MAX_KEYS; k++) many.append(k == 0 ? "" : ",").append("\"k").append(k).append("\":").append(k);
        assertNull(CompactJson.compact(many.append('}').toString()));
    }

    @Test
    void agreesWithTheTreePathOnGeneratedAndMutatedInputs() {
        Random r = new Random(20261202);
        int fast = 0;
        int valid = 0;
        for (int i = 0; i < 30_000; i++) {
            StringBuilder b = new StringBuilder();
            object(r, b, 0);
            String text = r.nextInt(4) == 0 ? mutate(r, b.toString()) : b.toString();
            String tree = treePath(text);
            String quick = CompactJson.compact(text);
            if (tree != null) valid++;
            if (quick == null) continue;
            fast++;
            if (tree == null) fail("the fast path accepted what the tree path refuses: " + text);
            assertEquals(tree, quick, text);
        }
        // Not a test that passes by answering null: most valid inputs are plain and take the fast path.
        assertTrue(fast > valid / 4, fast + " of " + valid + " valid inputs took the fast path");
    }

    /** The JSON-P path of {@code LogEntry.Builder}: the stored text, or null when it refuses the input. */
    private static String treePath(String text) {
        try (JsonReader reader = JSON.createReader(new StringReader(text))) {
            return MetadataRules.compact(JSON, reader.readObject());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static final String[] KEYS = {"a", "b", "k1", "\u043a\u043b\u044e\u0447", "x y", "\\n", "a\\u0000", "\\ufffd"};
    private static final String[] PIECES = {"plain", "x", "\\n", "\\t", "\\\"", "\\\\", "\\b\\f\\r", "\\/", "\\u0041",
        "\\u0000", "\\ud800", "\u00e9", "\ud83d\ude00", "\ud800", "\u2028", "\u007f", " "};
    private static final String[] NUMBERS = {"0", "-0", "7", "-42", "0.5", "-0.5", "0.0000001", "0.000001", "0.0000000",
        "0.000000", "1e5", "1E-2", "-0.0", "100.000", "123456789012345678901234567890", "2147483648", "9.0", "01", "1.",
        "1e999999"};

    private static void value(Random r, StringBuilder b, int depth) {
        switch (r.nextInt(depth < 4 ? 7 : 5)) {
            case 0 -> b.append(NUMBERS[r.nextInt(NUMBERS.length)]);
            case 1 -> b.append(r.nextInt(50) - 25);
            case 2 -> string(r, b);
            case 3 -> b.append(r.nextBoolean() ? "true" : r.nextBoolean() ? "false" : "null");
            case 4 -> b.append(r.nextInt(1000) / 100.0);
            case 5 -> object(r, b, depth + 1);
            default -> {
                b.append('[');
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) b.append(',').append(space(r));
                    value(r, b, depth + 1);
                }
                b.append(']');
            }
        }
    }

    private static void object(Random r, StringBuilder b, int depth) {
        b.append('{').append(space(r));
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append(',').append(space(r));
            b.append('"').append(KEYS[r.nextInt(KEYS.length)]).append('"').append(space(r)).append(':').append(space(r));
            value(r, b, depth);
        }
        b.append(space(r)).append('}');
    }

    private static void string(Random r, StringBuilder b) {
        b.append('"');
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) b.append(r.nextInt(3) == 0 ? PIECES[r.nextInt(PIECES.length)] : "v");
        b.append('"');
    }

    private static String space(Random r) {
        return r.nextInt(6) == 0 ? new String[] {" ", "\n", "\t ", "\r\n"}[r.nextInt(4)] : "";
    }

    private static String mutate(Random r, String s) {
        if (s.isEmpty()) return s;
        int at = r.nextInt(s.length());
        String chars = "{}[]\",:\\ 0-.eatu";
        return switch (r.nextInt(3)) {
            case 0 -> s.substring(0, at) + s.substring(at + 1);
            case 1 -> s.substring(0, at) + chars.charAt(r.nextInt(chars.length())) + s.substring(at);
            default -> s + s.substring(at);
        };
    }

    @Test
    void theBuilderUsesItAndStillRefusesWhatTheTreePathRefuses() {
        String text = "{\"a\":[1,2],\"b\":\"c\"}";
        assertSame(text, org.phong.zenflow.logging.testing.Entries.valid().metadata(text).build().metadata());
        assertNotNull(org.phong.zenflow.logging.testing.Entries.valid().metadata("{\"a\":1e5}").build().metadata());
    }
}
