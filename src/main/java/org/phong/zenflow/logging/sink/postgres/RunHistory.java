package org.phong.zenflow.logging.sink.postgres;

import java.io.StringReader;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;
import org.phong.zenflow.logging.codec.JsonSupport;
import org.phong.zenflow.logging.codec.LogEntryJson;

/**
 * One page of a run's history with the entries the database refused in their place: a run's seq is
 * gap-free over {@code logs} and {@code logs_rejected} together, so a reader that pages by seq
 * learns where an entry was rejected instead of meeting an unexplained gap.
 *
 * <p>The page is the stored entries after the cursor ({@link PostgresLogReader#readAfter}), merged in
 * seq order with the rejected entries of the same window: up to the last stored entry of a full
 * page, or everything after the cursor when the page is short (the end of what is stored).
 * Rejected entries follow the node filter but not the level filter (their level is only in their
 * JSON text); they are listed whatever their level. Two queries per page, both index range scans.
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
        List<LogEntry> stored = reader.readAfter(runId, afterSeq, limit, minLevel, nodeKey);
        long upTo = stored.size() == limit ? stored.get(stored.size() - 1).seq() : Long.MAX_VALUE;
        List<PostgresLogReader.Rejected> rejected = reader.rejectedBetween(runId, afterSeq, upTo, limit, nodeKey);
        List<Item> out = new ArrayList<>(Math.min(limit, stored.size() + rejected.size()));
        int i = 0;
        int j = 0;
        while (out.size() < limit && (i < stored.size() || j < rejected.size())) {
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
