package org.phong.zenflow.logging.health;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PipelineHealthTest {
    @Test
    void anErrorIsQuotedByItsFirstLineOnlyAndBounded() {
        assertEquals("ERROR: refused", PipelineHealth.firstLine("ERROR: refused\n  Where: ...\nCOPY logs, line 1: \"secret row\""));
        assertEquals("unknown", PipelineHealth.firstLine(null));
        String longLine = "x".repeat(PipelineHealth.MAX_ERROR_CHARS + 50);
        assertEquals(PipelineHealth.MAX_ERROR_CHARS + 3, PipelineHealth.firstLine(longLine).length());
    }
}
