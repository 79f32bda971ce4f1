package org.phong.zenflow.logging;

import org.phong.zenflow.logging.journal.Journal;
import org.phong.zenflow.logging.journal.JournalUsage;
import org.phong.zenflow.logging.router.AdmissionControl;

/**
 * Admission's view of the write-ahead journal. With the database following the journal, an entry stops
 * counting "in flight" once it is journaled, so a dead database no longer fills memory: the journal's disk
 * budget ({@code journal.max-bytes}, or less when the file system has less room) is what fills. As it fills,
 * the journal's fill is mapped onto admission's scale so the configured strategy sheds by level:
 * <ul>
 *   <li>below {@link #SHED_FROM} of the budget: nothing (the database's progress costs no 429);</li>
 *   <li>from {@link #SHED_FROM} to {@link #DROP_ALL_FROM}: the strategy sheds DEBUG/INFO, more as it fills;</li>
 *   <li>from {@link #DROP_ALL_FROM}: every DEBUG/INFO is dropped; WARN/ERROR still accepted;</li>
 *   <li>from {@link #REFUSE_FROM}: everything is refused (429), so what is accepted always has room: the last
 *       5% hold what was in flight when the journal reached it.</li>
 * </ul>
 * Entries admitted but not yet appended (in the router's queues, or parked in a run that waits for its seq lookup)
 * count at the journal's average record size, so a burst cannot overrun the budget between two admission checks.
 *
 * <p>Entries the journal could not hold (its overflow: failed or full) wait in memory for the database and
 * count as in flight, so they are bounded by the router's capacity like any other entry in memory.
 */
final class JournalPressure implements AdmissionControl.Pressure {
    /** Fill (of the budget) from which DEBUG/INFO are shed by the strategy; readiness goes DOWN. */
    static final double SHED_FROM = 0.80;
    /** Fill from which every DEBUG/INFO is dropped. */
    static final double DROP_ALL_FROM = 0.90;
    /** Fill from which every entry is refused. */
    static final double REFUSE_FROM = 0.95;

    private final Journal journal;
    /** Entries admitted and not yet appended (router queues, parked runs): they will need room. */
    private volatile java.util.function.LongSupplier queued = () -> 0;

    JournalPressure(Journal journal) {
        this.journal = journal;
    }

    /** @param q entries in the router's queues and parked for a seq lookup (set once the router exists) */
    void queued(java.util.function.LongSupplier q) {
        this.queued = q;
    }

    @Override
    public long extraInFlight() {
        return journal.overflowEntries();
    }

    @Override
    public long floorLoad(long inFlight, long threshold, long capacity, long hardLimit) {
        // Entries admitted but not yet appended will need room too: counted at the average record size. (Entries in
        // flight in the run buffers are journaled already.)
        return load(journal.usage(), journal.estimatedBytes(Math.min(inFlight, queued.getAsLong())), threshold, capacity, hardLimit);
    }

    static long load(JournalUsage u, long comingBytes, long threshold, long capacity, long hardLimit) {
        double f = u.budgetBytes() <= 0 ? JournalUsage.FULL : (double) (u.usedBytes() + comingBytes) / u.budgetBytes();
        if (f < SHED_FROM) return 0;
        if (f >= REFUSE_FROM) return hardLimit;
        if (f >= DROP_ALL_FROM) return capacity;
        double within = (f - SHED_FROM) / (DROP_ALL_FROM - SHED_FROM);
        return threshold + (long) ((capacity - threshold) * within);
    }
}
