package org.phong.zenflow.logging.security;

import static org.junit.jupiter.api.Assertions.*;

import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.sink.postgres.CopyEncoder;
import org.phong.zenflow.logging.testing.Entries;

/**
 * Control characters, COPY markers and broken UTF-16 in every text field never corrupt a COPY line
 * or a JSON frame: one line per entry with exactly ten field separators, valid UTF-8, no raw control
 * byte; the JSON form parses back to the same text.
 */
class HostileTextTest {
    private static final String[] HOSTILE = {"\u0000", "\t", "\n", "\r", "\\", "\\.", "\\N", "\u001b[0m", "\u007f", "\u0085",
        "\ud800", "\udfff", "x\ud83dy", "\ud83d\ude00", "'; DROP TABLE logs;--", "<script>", "\u2028", "\ufeff"};

    @Test
    void everyFieldSurvivesCopyAndJson() throws Exception {
        for (String h : HOSTILE) {
            String t = "a" + h + "b" + h;
            LogEntry e = Entries.valid().nodeKey(t).message(t).errorCode(t).traceId(t).hierarchy(t)
                    .metadata("{\"k" + jsonEscape(h) + "\":\"" + jsonEscape(t) + "\"}").build().withSeq(1);
            byte[] line = CopyEncoder.encodeToBytes(List.of(e));
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line));
            int tabs = 0;
            for (int i = 0; i < line.length; i++) {
                int b = line[i] & 0xFF;
                if (b == '\t') tabs++;
                else if (b == '\n') assertEquals(line.length - 1, i, "only the line end is a raw LF, for " + escape(h));
                else assertFalse(b < 0x20 || b == 0x7F, "raw control byte " + b + " for " + escape(h));
            }
            assertEquals(10, tabs, "field separators for " + escape(h));

            String frame = LogEntryJson.toJson(e).toString();
            JsonObject back = JsonProvider.provider().createReader(new StringReader(frame)).readObject();
            assertEquals(e.message(), back.getString("message"));
            assertEquals(e.nodeKey(), back.getString("nodeKey"));
            assertEquals(-1, e.message().indexOf('\u0000'));
            for (char c : e.message().toCharArray()) {
                if (Character.isSurrogate(c)) assertTrue(e.message().codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF), "no unpaired surrogate");
            }
        }
    }

    private static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || Character.isSurrogate(c)) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(String.format("\\u%04x", (int) c));
        return b.toString();
    }
}
