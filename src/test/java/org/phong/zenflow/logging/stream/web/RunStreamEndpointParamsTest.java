package org.phong.zenflow.logging.stream.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.InvalidLogEntryException;

/** The live-tail endpoint's handshake parameters and close reasons, without a container. */
class RunStreamEndpointParamsTest {

    @Test
    void afterSeqIsAWholeNumberFromZeroAndBlankMeansZero() {
        assertEquals(0, RunStreamEndpoint.afterSeq(null));
        assertEquals(0, RunStreamEndpoint.afterSeq("  "));
        assertEquals(42, RunStreamEndpoint.afterSeq(" 42 "));
        assertEquals(Long.MAX_VALUE, RunStreamEndpoint.afterSeq(Long.toString(Long.MAX_VALUE)));
        for (String bad : List.of("-1", "abc", "1.5", "9223372036854775808", "1e3")) {
            InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class, () -> RunStreamEndpoint.afterSeq(bad), bad);
            assertEquals("afterSeq", e.field());
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void theFirstValueOfAQueryParameterCounts() {
        Map<String, List<String>> q = Map.of("afterSeq", List.of("7", "9"), "empty", List.of());
        assertEquals("7", RunStreamEndpoint.first(q, "afterSeq"));
        assertNull(RunStreamEndpoint.first(q, "empty"));
        assertNull(RunStreamEndpoint.first(q, "minLevel"));
    }

    @Test
    void closeReasonsFitTheProtocolsLimitOnACharacterBoundary() {
        assertEquals("client too slow", RunStreamEndpoint.truncate("client too slow"));
        String ascii = "x".repeat(500);
        assertEquals(123, RunStreamEndpoint.truncate(ascii).getBytes(StandardCharsets.UTF_8).length);
        String wide = "\u00e9".repeat(100); // 2 bytes each: 123 bytes would split the 62nd
        String cut = RunStreamEndpoint.truncate(wide);
        assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= 123, cut);
        assertEquals("\u00e9".repeat(61), cut);
    }
}
