package org.phong.zenflow.logging.stream;

import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.codec.LogEntryJson;

/**
 * A sequenced entry with its JSON, encoded at most once however many sessions send it: the router
 * worker creates one per entry of a watched run and appends it once to the run's feed for every session; the
 * first sender thread that needs the JSON encodes it (double-checked under this object's monitor,
 * so exactly once), the others reuse the string. Never encoded on the router worker.
 *
 * <p>{@link #bytes()} is what a session's backlog bound counts. It must be known when the router
 * offers the entry, before any encoding, so it is an estimate from the field lengths (characters,
 * plus a fixed envelope): exact for ASCII text without escapes, an underestimate for escapes and
 * multi-byte characters. The feed sums the same numbers ({@code RunFeed.Node.endBytes}), so a
 * session's backlog never drifts.
 */
public final class EncodedEntry implements LiveItem {
    /** Keys, quotes, two UUIDs, ts, level and the nulls of an entry with empty strings (measured: 226 bytes). */
    static final int ENVELOPE_BYTES = 240;

    private final LogEntry entry;
    private final int bytes;
    private volatile String json;

    /** @param entry a sequenced entry */
    public EncodedEntry(LogEntry entry) {
        this.entry = entry;
        this.bytes = estimate(entry);
    }

    /** @return the entry */
    public LogEntry entry() {
        return entry;
    }

    /** @return the seq of the entry */
    public long seq() {
        return entry.seq();
    }

    /** @return the entry as JSON (docs/schemas/log-entry.schema.json), encoded on first use only */
    public String json() {
        String j = json;
        if (j == null) {
            synchronized (this) {
                j = json;
                if (j == null) {
                    j = LogEntryJson.jsonText(entry);
                    json = j;
                }
            }
        }
        return j;
    }

    @Override
    public int bytes() {
        return bytes;
    }

    @Override
    public boolean gatherInto(Gatherer g) {
        return g.entry(this);
    }

    private static int estimate(LogEntry e) {
        long n = ENVELOPE_BYTES + len(e.nodeKey()) + len(e.message()) + len(e.errorCode()) + len(e.metadata())
                + len(e.traceId()) + len(e.hierarchy());
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    private static int len(String s) {
        return s == null ? 0 : s.length();
    }
}
