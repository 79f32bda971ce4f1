package org.phong.zenflow.logging.stream;

/**
 * An item of a run's live feed ({@link RunFeed}), appended by the router worker: an entry that just
 * got its seq ({@link EncodedEntry}, shared by every session of the run) or the run's end
 * ({@link End}). The pump dispatches on the type through {@link #gatherInto} (no {@code Object}
 * items, no casts).
 */
public sealed interface LiveItem permits EncodedEntry, LiveItem.End {

    /** @return what this item counts against a session's backlog bound, in bytes */
    int bytes();

    /**
     * Hands this item to the frame being gathered.
     *
     * @param g the session's gatherer
     * @return true to keep gathering after it, false to stop (the run ended, or the session closed)
     */
    boolean gatherInto(Gatherer g);

    /** The pump's side of {@link #gatherInto}: what a session does with each kind of item. */
    interface Gatherer {
        /** @return true to keep gathering */
        boolean entry(EncodedEntry e);

        /** @return true to keep gathering (never, in practice: nothing follows a run's end) */
        boolean end(Frame.RunEnded f);
    }

    /**
     * The run completed; it travels in the same feed as the entries, so it follows the last one.
     * Counts nothing against the bound: a run's end is never refused.
     *
     * @param frame the frame to send after the entries before it
     */
    record End(Frame.RunEnded frame) implements LiveItem {
        @Override
        public int bytes() {
            return 0;
        }

        @Override
        public boolean gatherInto(Gatherer g) {
            return g.end(frame);
        }
    }
}
