package org.phong.zenflow.logging.stream;

import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.codec.LogEntryJson;

/**
 * One server-to-client message of the live-tail protocol (see package-info and
 * docs/websocket-protocol.md): {@code log}, {@code caught-up} or {@code run-ended}.
 */
public sealed interface Frame {

    /** @return the JSON text of the frame (one WebSocket text message) */
    String text();

    /**
     * {@code {"type":"log","entry":{...}}}. A live entry's frame is shared by every session of the
     * run, so its JSON is built once, lazily, on the first sender thread that needs it (never on the
     * router worker).
     */
    final class Log implements Frame {
        private final LogEntry entry;
        private volatile String text;

        /** @param entry a sequenced entry */
        public Log(LogEntry entry) {
            this.entry = entry;
        }

        /** @return the entry */
        public LogEntry entry() {
            return entry;
        }

        @Override
        public String text() {
            String t = text;
            if (t == null) {
                t = "{\"type\":\"log\",\"entry\":" + LogEntryJson.toJson(entry) + "}";
                text = t; // racy but idempotent: every thread computes the same string
            }
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
    }
}
