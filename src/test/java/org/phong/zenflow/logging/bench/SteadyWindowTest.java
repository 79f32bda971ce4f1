package org.phong.zenflow.logging.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The window counts only what happened between open and close. */
class SteadyWindowTest {
    @Test
    void deltasRatesAndSharesCoverTheWindowOnly() throws Exception {
        AtomicLong rows = new AtomicLong(100);
        AtomicLong busyNanos = new AtomicLong();
        SteadyWindow w = new SteadyWindow().count("rows", rows::get).count("busy", busyNanos::get);
        rows.addAndGet(50); // warm-up: not counted
        w.open();
        rows.addAndGet(1000);
        busyNanos.addAndGet(5_000_000);
        Thread.sleep(20);
        w.close();
        rows.addAndGet(7); // drain: not counted
        assertEquals(1000, w.delta("rows"));
        assertTrue(w.nanos() >= 20_000_000L, "window " + w.nanos());
        assertEquals(w.nanos() / 1e9, w.seconds());
        assertEquals(1000 / w.seconds(), w.perSecond("rows"));
        assertEquals(5_000_000 / 1e9 / w.seconds(), w.share("busy"));
    }
}
