package org.phong.zenflow.logging.journal;

/**
 * A non-durable consumer that reads the journal itself instead of taking batches from the collector
 * (the Kafka sink). The journal keeps an exact position for it (the end of the last record it has
 * acknowledged, saved in the positions file), keeps segments until it has passed them, and bounds how
 * much of the journal it may hold ({@link #journalMaxBytes()}); it never counts against admission or
 * degradation. The pipeline registers every sink implementing this when it runs with a journal.
 */
public interface JournalFollower {
    /** @return the name its position is saved under (the sink's name) */
    String name();

    /** @return the most journal bytes its backlog may hold before its position is moved forward */
    long journalMaxBytes();

    /** Called once, after recovery and before the router takes entries: read from {@code tail} from now on. */
    void attach(JournalTail tail);

    /**
     * Called at shutdown, after the pipeline has drained and before the journal closes: waits (bounded by
     * the follower's own timeout) until it has acknowledged what the journal holds, so its saved position
     * is as far as it got.
     */
    void awaitCaughtUp();
}
