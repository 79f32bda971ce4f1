package org.phong.zenflow.logging.stream;

import java.util.List;
import org.phong.zenflow.logging.api.RunOutcome;

/**
 * One server-to-client message of the live-tail protocol, version {@value #PROTOCOL} (see
 * package-info and docs/websocket-protocol.md): {@code hello}, {@code logs}, {@code caught-up} or
 * {@code run-ended}.
 */
public sealed interface Frame {

    /** The protocol version this server speaks (query parameter {@code protocol}, frame {@code hello}). */
    int PROTOCOL = 2;

    /** @return the JSON text of the frame (one WebSocket text message) */
    String text();

    /** @return how many entries the frame carries */
    default int entryCount() {
        return 0;
    }

    /** @return true when the session ends after this frame (close 1000) */
    default boolean endsSession() {
        return false;
    }

    /** {@code {"type":"hello","protocol":2}}: the first frame of every session. @param protocol the version */
    record Hello(int protocol) implements Frame {
        @Override
        public String text() {
            return "{\"type\":\"hello\",\"protocol\":" + protocol + "}";
        }
    }

    /**
     * {@code {"type":"logs","first":a,"last":b,"entries":[...]}}: one or more entries in ascending
     * seq; {@code first}/{@code last} are the seqs of the first and last of them (without a filter
     * they are consecutive, {@code last - first + 1} entries). Everything a session had waiting goes
     * into one frame; each entry's JSON is shared (see {@link EncodedEntry}), and so is the frame
     * itself between sessions that read the same stretch of a run's feed.
     */
    final class Logs implements Frame {
        /** Room for the frame's own keys and two seqs around the entries. */
        private static final int HEAD_CHARS = 80;

        private final List<EncodedEntry> entries;
        private volatile String text;

        /** @param entries at least one entry, ascending seq (not copied: the pump hands over its list) */
        public Logs(List<EncodedEntry> entries) {
            if (entries.isEmpty()) throw new IllegalArgumentException("a logs frame carries at least one entry");
            this.entries = entries;
        }

        /** @return the entries, ascending seq */
        public List<EncodedEntry> entries() {
            return entries;
        }

        /** @return seq of the first entry */
        public long first() {
            return entries.get(0).seq();
        }

        /** @return seq of the last entry */
        public long last() {
            return entries.get(entries.size() - 1).seq();
        }

        @Override
        public int entryCount() {
            return entries.size();
        }

        /**
         * Built on first use and kept: sessions in step on one run send the same frame object (see
         * {@code RunFeed.Node}), so the concatenation is done once for all of them, like each entry's
         * JSON. Two threads may both build it; they build the same text.
         */
        @Override
        public String text() {
            String t = text;
            if (t != null) return t;
            int size = 0;
            for (EncodedEntry e : entries) size += e.json().length() + 1;
            StringBuilder b = new StringBuilder(size + HEAD_CHARS);
            b.append("{\"type\":\"logs\",\"first\":").append(first()).append(",\"last\":").append(last()).append(",\"entries\":[");
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0) b.append(',');
                b.append(entries.get(i).json());
            }
            t = b.append("]}").toString();
            text = t;
            return t;
        }
    }

    /** {@code {"type":"caught-up","seq":n}}: history is done; everything after n comes live. @param seq last seq covered */
    record CaughtUp(long seq) implements Frame {
        @Override
        public String text() {
            return "{\"type\":\"caught-up\",\"seq\":" + seq + "}";
        }
    }

    /** {@code {"type":"run-ended","lastSeq":n,"outcome":"..."}}: the last frame of a session. */
    record RunEnded(long lastSeq, RunOutcome outcome) implements Frame {
        @Override
        public String text() {
            return "{\"type\":\"run-ended\",\"lastSeq\":" + lastSeq + ",\"outcome\":\"" + outcome.name() + "\"}";
        }

        @Override
        public boolean endsSession() {
            return true;
        }
    }
}
