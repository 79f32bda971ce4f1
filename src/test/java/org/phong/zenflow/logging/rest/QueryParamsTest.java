package org.phong.zenflow.logging.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.InvalidLogEntryException;

class QueryParamsTest {
    @Test
    void absentOrBlankIsTheDefaultAndAValueIsTrimmed() {
        assertEquals(7, QueryParams.longParam("afterSeq", null, 7, 0, 10));
        assertEquals(7, QueryParams.longParam("afterSeq", " ", 7, 0, 10));
        assertEquals(3, QueryParams.longParam("afterSeq", " 3 ", 7, 0, 10));
    }

    @Test
    void outOfRangeOrNotAWholeNumberIsA400NamingTheParameter() {
        for (String raw : new String[] {"0", "11", "1.5", "ten", "99999999999999999999"}) {
            InvalidLogEntryException e = assertThrows(InvalidLogEntryException.class, () -> QueryParams.longParam("limit", raw, 5, 1, 10));
            assertEquals("limit", e.field());
            assertEquals("limit must be a whole number from 1 to 10, not '" + raw + "'", e.getMessage());
        }
    }

    @Test
    void aPageIsAHundredUnlessTheMaximumIsSmaller() {
        assertEquals(100, QueryParams.pageSize(null, 1000));
        assertEquals(50, QueryParams.pageSize(null, 50));
        assertEquals(1000, QueryParams.pageSize("1000", 1000));
        assertThrows(InvalidLogEntryException.class, () -> QueryParams.pageSize("1001", 1000));
        assertThrows(InvalidLogEntryException.class, () -> QueryParams.pageSize("0", 1000));
    }
}
