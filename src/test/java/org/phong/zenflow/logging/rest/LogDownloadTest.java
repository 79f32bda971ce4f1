package org.phong.zenflow.logging.rest;

import static org.junit.jupiter.api.Assertions.*;

import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.rest.LogDownload.Format;
import org.phong.zenflow.logging.testing.Entries;

/** Which answer the logs URL gives (format, else Accept, else JSON) and the text line of an entry. */
class LogDownloadTest {

    private static List<MediaType> accept(String... types) {
        // The constructor, not valueOf: no JAX-RS runtime in a unit test.
        return java.util.Arrays.stream(types).map(t -> new MediaType(t.split("/")[0], t.split("/")[1])).toList();
    }

    @Test
    void formatWinsThenTheFirstAcceptableTypeThatNamesOneElseJson() {
        assertEquals(Format.NDJSON, LogDownload.negotiate("NDJSON", accept("application/json")));
        assertEquals(Format.TEXT, LogDownload.negotiate("text", List.of()));
        assertEquals(Format.JSON, LogDownload.negotiate("json", accept("text/plain")));
        assertEquals(Format.NDJSON, LogDownload.negotiate(null, accept("application/x-ndjson")));
        assertEquals(Format.TEXT, LogDownload.negotiate(null, accept("text/plain", "application/json")));
        assertEquals(Format.JSON, LogDownload.negotiate(null, accept("*/*")), "browsers and the long-poll keep JSON");
        assertEquals(Format.JSON, LogDownload.negotiate(null, List.of()));
        assertEquals(Format.JSON, LogDownload.negotiate(" ", accept("image/png", "application/*")));
        assertEquals("format", assertThrows(InvalidLogEntryException.class, () -> LogDownload.negotiate("xml", List.of())).field());
    }

    @Test
    void oneLinePerEntryWithEverythingOnIt() {
        var e = Entries.valid().level(LogLevel.ERROR).nodeKey("fetch").message("line one\nline two\r")
                .errorCode("E42").traceId("4bf9").hierarchy("root/fetch").metadata("{\"n\":1}").build().withSeq(7);
        assertEquals(Entries.TS + " ERROR fetch #7 line one\\nline two\\r [E42] trace=4bf9 path=root/fetch {\"n\":1}", LogDownload.textLine(e));
        var plain = Entries.valid().build().withSeq(1);
        assertEquals(Entries.TS + " INFO  fetch #1 hello", LogDownload.textLine(plain));
    }
}
