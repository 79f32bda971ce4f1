package org.phong.zenflow.logging.sink.postgres;

import java.io.IOException;
import java.io.StringReader;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogFilter;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.codec.JsonSupport;
import org.phong.zenflow.logging.codec.LogEntryJson;

/**
 * One page of a run's history with the entries the database refused in their place: a run's seq is
 * gap-free over {@code logs} and {@code logs_rejected} together, so a reader that pages by seq
 * learns where an entry was rejected instead of meeting an unexplained gap.
 *
 * <p>The page is the stored entries after the cursor (or before it, scrolling up), merged in seq order
 * with the rejected entries of the same window: up to the last stored entry of a full page, or
 * everything after the cursor when the page is short (the end of what is stored). Rejected entries
 * follow the node filter and time range but not the level filter (their level is only in their JSON
 * text); they are listed whatever their level, and not at all for a text search. Two queries per
 * page, both index range scans. The streamed download ({@link #stream}) puts rejected entries back
 * as they were accepted, filtered like the rest.
 */
public final class RunHistory {
    /**
     * One place in a run: a stored entry or a rejected one.
     *
     * @param entry    the stored entry, or null
     * @param rejected the rejected entry, or null
     */
    public record Item(LogEntry entry, PostgresLogReader.Rejected rejected) {
        /** @return the item's seq */
        public long seq() {
            return entry != null ? entry.seq() : rejected.seq();
        }
    }

    private RunHistory() {
    }

    /**
     * @param reader   the log reader
     * @param runId    the run
     * @param afterSeq the cursor (exclusive)
     * @param limit    the most items, at least 1
     * @param minLevel stored entries of this level or above; null for all
     * @param nodeKey  only this node; null for all
     * @return the items after the cursor, ascending seq, at most {@code limit}
     * @throws SQLException when the database refuses
     */
    public static List<Item> page(PostgresLogReader reader, UUID runId, long afterSeq, int limit, LogLevel minLevel,
                                  String nodeKey) throws SQLException {
        return page(reader, runId, afterSeq, limit, new LogFilter(minLevel, nodeKey, null, null, null));
    }

    /**
     * The page after a cursor. Rejected entries follow the filter's node and time range, not its level
     * (they are listed whatever their level: a refused entry is worth seeing); a text search ({@code q})
     * lists none (their message is only in their JSON text).
     *
     * @param reader   the log reader
     * @param runId    the run
     * @param afterSeq the cursor (exclusive)
     * @param limit    the most items, at least 1
     * @param filter   the filter
     * @return the items after the cursor, ascending seq, at most {@code limit}
     * @throws SQLException when the database refuses
     */
    public static List<Item> page(PostgresLogReader reader, UUID runId, long afterSeq, int limit, LogFilter filter)
            throws SQLException {
        List<LogEntry> stored = reader.readAfter(runId, afterSeq, limit, filter);
        if (filter.text() != null) return merge(stored, List.of());
        long upTo = stored.size() == limit ? stored.get(stored.size() - 1).seq() : Long.MAX_VALUE;
        List<Item> merged = merge(stored, reader.rejectedBetween(runId, afterSeq, upTo, limit, filter, false));
        return merged.size() <= limit ? merged : merged.subList(0, limit);
    }

    /**
     * The page just before a cursor (scrolling up): the last {@code limit} items with seq below
     * {@code beforeSeq}, ascending; rejected entries as in {@link #page(PostgresLogReader, UUID, long, int, LogFilter)}.
     *
     * @throws SQLException when the database refuses
     */
    public static List<Item> pageBefore(PostgresLogReader reader, UUID runId, long beforeSeq, int limit, LogFilter filter)
            throws SQLException {
        List<LogEntry> stored = reader.readBefore(runId, beforeSeq, limit, filter);
        if (filter.text() != null) return merge(stored, List.of());
        // a full page reaches down to its first entry; a short one to the start of the run
        long after = stored.size() == limit ? stored.get(0).seq() : 0;
        List<Item> merged = merge(stored, reader.rejectedBetween(runId, after, beforeSeq - 1, limit, filter, true));
        return merged.size() <= limit ? merged : merged.subList(merged.size() - limit, merged.size());
    }

    /**
     * The whole run after a cursor for a download, in constant memory: the stored entries through the
     * reader's cursor ({@link PostgresLogReader#stream}), with the rejected entries of the run put back in
     * their place as they were accepted ({@link #revive}) when they pass the filter. Rejected entries are
     * read {@code fetchSize} at a time, just ahead of the stored entry they precede.
     *
     * @return how many entries were handed over
     * @throws SQLException when the database refuses
     * @throws IOException  when {@code out} failed (the client left)
     */
    public static long stream(PostgresLogReader reader, UUID runId, long afterSeq, LogFilter filter, int fetchSize,
                              PostgresLogReader.RowConsumer out) throws SQLException, IOException {
        RejectedAhead rejected = new RejectedAhead(reader, runId, afterSeq, filter, fetchSize);
        long[] n = {0};
        try {
            reader.stream(runId, afterSeq, filter, fetchSize, e -> {
                n[0] += rejected.handOverBelow(e.seq(), out);
                out.accept(e);
                n[0]++;
            });
            n[0] += rejected.handOverBelow(Long.MAX_VALUE, out);
        } catch (RejectedAhead.ReadFailed f) {
            throw f.getCause();
        }
        return n[0];
    }

    /** The rejected entries of a run after a cursor, read a page at a time as the stored entries pass them. */
    private static final class RejectedAhead {
        /** Carries a SQLException through the reader's row callback, which may only throw IOException. */
        static final class ReadFailed extends RuntimeException {
            ReadFailed(SQLException cause) {
                super(cause);
            }

            @Override
            public synchronized SQLException getCause() {
                return (SQLException) super.getCause();
            }
        }

        private final PostgresLogReader reader;
        private final UUID runId;
        private final LogFilter filter;
        private final int pageSize;
        private List<PostgresLogReader.Rejected> page = List.of();
        private int next;
        private long cursor;
        private boolean exhausted;

        RejectedAhead(PostgresLogReader reader, UUID runId, long afterSeq, LogFilter filter, int pageSize) {
            this.reader = reader;
            this.runId = runId;
            this.filter = filter;
            this.pageSize = pageSize;
            this.cursor = afterSeq;
        }

        /** Hands over every rejected entry with seq below {@code seq} that passes the filter; @return how many */
        long handOverBelow(long seq, PostgresLogReader.RowConsumer out) throws IOException {
            long n = 0;
            while (true) {
                if (next == page.size()) {
                    if (exhausted) return n;
                    try {
                        page = reader.rejectedBetween(runId, cursor, Long.MAX_VALUE, pageSize, filter, false);
                    } catch (SQLException e) {
                        throw new ReadFailed(e);
                    }
                    next = 0;
                    exhausted = page.size() < pageSize;
                    if (page.isEmpty()) return n;
                    cursor = page.get(page.size() - 1).seq();
                }
                PostgresLogReader.Rejected r = page.get(next);
                if (r.seq() >= seq) return n;
                next++;
                LogEntry e = revive(r);
                if (filter.matches(e)) {
                    out.accept(e);
                    n++;
                }
            }
        }
    }

    /** @return both lists merged by seq (each ascending) */
    private static List<Item> merge(List<LogEntry> stored, List<PostgresLogReader.Rejected> rejected) {
        List<Item> out = new ArrayList<>(stored.size() + rejected.size());
        int i = 0;
        int j = 0;
        while (i < stored.size() || j < rejected.size()) {
            if (j >= rejected.size() || (i < stored.size() && stored.get(i).seq() < rejected.get(j).seq())) {
                out.add(new Item(stored.get(i++), null));
            } else {
                out.add(new Item(null, rejected.get(j++)));
            }
        }
        return out;
    }

    /**
     * The entries of a page for a reader that wants entries only (the live tail's history): a
     * rejected entry is given back as it was accepted, parsed from its stored JSON, so a reader that
     * catches up sees what a live reader saw; if that JSON cannot be read back (ASCII-escaped
     * text, a value validation now refuses) a WARN entry in its place says it was rejected.
     *
     * @param items a page
     * @return its entries, seq contiguous where the run is
     */
    public static List<LogEntry> entries(List<Item> items) {
        List<LogEntry> out = new ArrayList<>(items.size());
        for (Item it : items) out.add(it.entry() != null ? it.entry() : revive(it.rejected()));
        return out;
    }

    static LogEntry revive(PostgresLogReader.Rejected r) {
        try (var in = JsonSupport.JSON.createReader(new StringReader(r.entryJson()))) {
            LogEntry e = LogEntryJson.fromJson(in.readObject());
            if (e.runId().equals(r.runId())) return e.withSeq(r.seq());
        } catch (RuntimeException ignored) {
            // fall through to the marker entry
        }
        return LogEntry.builder().workflowId(r.workflowId()).runId(r.runId()).nodeKey(r.nodeKey()).ts(r.ts())
                .level(LogLevel.WARN).errorCode(r.sqlState())
                .message("[entry rejected by the log store (" + r.sqlState() + "); kept in logs_rejected]")
                .build().withSeq(r.seq());
    }
}
