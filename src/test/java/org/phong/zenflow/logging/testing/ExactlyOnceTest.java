package org.phong.zenflow.logging.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The test of the exactly-once checker the ITs share: it must fail on a planted duplicate, a planted
 * loss (also when the duplicate and the loss cancel out in a row count) and a foreign row, and pass
 * on an exact read-back, with unconfirmed ids allowed to be present or missing but never twice.
 */
class ExactlyOnceTest {
    private static List<String> ids(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add("m" + i);
        return out;
    }

    @Test
    void anExactReadBackPasses() {
        ExactlyOnce.Verdict v = new ExactlyOnce().mustArrive(ids(100)).readAll(ids(100)).verdict();
        assertTrue(v.exact(), v.toString());
        v.assertExact("exact");
        assertEquals(100, v.read());
    }

    @Test
    void aPlantedDuplicateFails() {
        List<String> back = new ArrayList<>(ids(100));
        back.add("m42");
        ExactlyOnce.Verdict v = new ExactlyOnce().mustArrive(ids(100)).readAll(back).verdict();
        assertFalse(v.exact());
        assertEquals(1, v.duplicateCount());
        assertEquals(List.of("m42 x2"), v.duplicated());
        AssertionError e = assertThrows(AssertionError.class, () -> v.assertExact("planted duplicate"));
        assertTrue(e.getMessage().contains("m42 x2"), e.getMessage());
    }

    @Test
    void aPlantedLossFails() {
        List<String> back = new ArrayList<>(ids(100));
        back.remove("m7");
        ExactlyOnce.Verdict v = new ExactlyOnce().mustArrive(ids(100)).readAll(back).verdict();
        assertEquals(1, v.lostCount());
        assertEquals(List.of("m7"), v.lost());
        assertThrows(AssertionError.class, () -> v.assertExact("planted loss"));
    }

    /** The trap of counting rows: one lost and one duplicated entry still make 100 rows. */
    @Test
    void aLossHiddenBehindADuplicateFails() {
        List<String> back = new ArrayList<>(ids(100));
        back.remove("m7");
        back.add("m8");
        ExactlyOnce.Verdict v = new ExactlyOnce().mustArrive(ids(100)).readAll(back).verdict();
        assertEquals(100, v.read(), "the row count alone looks right");
        assertEquals(1, v.lostCount());
        assertEquals(1, v.duplicateCount());
        assertThrows(AssertionError.class, () -> v.assertExact("loss + duplicate"));
    }

    @Test
    void groupedCountsAreReadAsOccurrences() {
        ExactlyOnce.Verdict v = new ExactlyOnce().mustArrive(List.of("a", "b")).read("a", 1).read("b", 2).verdict();
        assertEquals(1, v.duplicateCount());
    }

    @Test
    void aForeignRowFails() {
        ExactlyOnce.Verdict v = new ExactlyOnce().mustArrive(ids(3)).readAll(ids(3)).read("never-sent").verdict();
        assertEquals(1, v.foreignCount());
        assertThrows(AssertionError.class, () -> v.assertExact("foreign"));
    }

    @Test
    void unconfirmedIdsMayArriveOnceOrNotAtAllButNeverTwice() {
        ExactlyOnce once = new ExactlyOnce().mustArrive(List.of("c1")).mayArrive(List.of("u1", "u2")).readAll(List.of("c1", "u1"));
        ExactlyOnce.Verdict v = once.verdict();
        assertTrue(v.exact(), v.toString());
        assertEquals(1, v.optionalArrived());
        assertEquals(1, v.optionalMissing());
        ExactlyOnce.Verdict twice = new ExactlyOnce().mustArrive(List.of("c1")).mayArrive(List.of("u1"))
                .readAll(List.of("c1", "u1", "u1")).verdict();
        assertEquals(1, twice.duplicateCount());
    }
}
