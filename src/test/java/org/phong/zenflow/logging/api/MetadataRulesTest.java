package org.phong.zenflow.logging.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.phong.zenflow.logging.testing.Entries;

/**
 * Metadata the log store's jsonb cannot hold is refused naming its path; what can be replaced
 * without changing meaning is replaced. The numeric bounds are the ones measured against
 * PostgreSQL 14 (see MetadataRules; PoisonIsolatorTest stores the accepted extremes for real).
 */
class MetadataRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"1e308", "-1e308", "1e131071", "9e131071", "1E+131071", "1e-16383", "0.5", "12345678901234567890e131052", "0", "-0"})
    void numbersNumericHoldsAreAccepted(String n) {
        String m = Entries.valid().metadata("{\"x\":" + n + "}").build().metadata();
        assertTrue(m.startsWith("{\"x\":"), m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e999999", "-1e999999", "1e131072", "1.2e131072", "1e-16384", "1.5e-16383", "1e-20000", "0e-20000", "0e999999"})
    void numbersBeyondNumericAreRefusedNamingThePath(String n) {
        InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class,
                () -> Entries.valid().metadata("{\"a\":{\"list\":[1,{\"x\":" + n + "}]}}").build());
        assertEquals("metadata.a.list[1].x", e.field());
        assertTrue(e.getMessage().contains("numeric"), e.getMessage());
    }

    @Test
    void theCdiPathWithAParsedObjectIsCheckedToo() {
        var o = Json.createObjectBuilder().add("big", new java.math.BigDecimal("1e999999")).build();
        InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class, () -> Entries.valid().metadataObject(o).build());
        assertEquals("metadata.big", e.field());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"a\\u0000\":1,\"a\\ufffd\":2}|metadata.a\\u0000",
        "{\"ok\":{\"\\ud800x\":1,\"\\u0000x\":2}}|metadata.ok.\\ud800x",
        "{\"l\":[{\"\\ufffd\":true,\"\\u0000\":false}]}|metadata.l[0].\\u0000"})
    void keysThatReplacementWouldMergeAreRefused(String metadata, String field) {
        InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class, () -> Entries.valid().metadata(metadata).build());
        assertEquals(field, e.field());
        assertFalse(e.getMessage().contains("\u0000"));
    }

    @Test
    void keysWithNulOrALoneSurrogateAreReplaced() {
        assertEquals("{\"a\uFFFD\":1,\"b\":{\"\uFFFDx\":2}}",
                Entries.valid().metadata("{\"a\\u0000\":1,\"b\":{\"\\ud800x\":2}}").build().metadata());
    }

    @Test
    void nulAndLoneSurrogatesInValuesAreReplacedStructurally() {
        String m = Entries.valid().metadata("{\"k\":\"v\\u0000w\",\"s\":[\"\\ud800\",\"\\ud83d\\ude00\"],\"lit\":\"\\\\u0000\"}").build().metadata();
        assertEquals("{\"k\":\"v\uFFFDw\",\"s\":[\"\uFFFD\",\"\uD83D\uDE00\"],\"lit\":\"\\\\u0000\"}", m);
    }

    @Test
    void cleanObjectsAreNotRebuilt() {
        String text = "{\"b\":[1,2.5,\"x\"],\"a\":{\"c\":null,\"d\":true}}";
        assertEquals(text, Entries.valid().metadata(text).build().metadata());
    }

    @Test
    void longKeysAreShownCut() {
        String key = "k".repeat(100);
        InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class,
                () -> Entries.valid().metadata("{\"" + key + "\":1e999999}").build());
        assertEquals("metadata." + "k".repeat(64) + "\u2026", e.field());
    }
}
