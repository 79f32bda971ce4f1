package org.phong.zenflow.logging.rest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.phong.zenflow.logging.api.InvalidLogEntryException;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogFilter;
import org.phong.zenflow.logging.codec.LogEntryJson;
import org.phong.zenflow.logging.sink.postgres.PostgresLogReader;
import org.phong.zenflow.logging.sink.postgres.RunHistory;

/**
 * The whole stored log of a run as one streamed HTTP answer ({@code GET /api/v1/runs/{runId}/logs}
 * with {@code format=ndjson|text} or the matching {@code Accept}): rows go from PostgreSQL's cursor
 * through a small buffered writer to the socket one at a time, so a run of any size costs constant
 * memory. A failure after the first bytes left cannot change the status any more: the stream is cut
 * (the connection ends without the final chunk), which HTTP clients report as an incomplete body.
 */
public final class LogDownload {
    private static final Logger LOG = Logger.getLogger(LogDownload.class.getName());
    /** NDJSON (one JSON entry per line): https://github.com/ndjson/ndjson-spec. */
    public static final String NDJSON = "application/x-ndjson";
    /** Bytes buffered between the cursor and the socket. */
    private static final int WRITE_BUFFER_CHARS = 65_536;

    /** Answer formats of the logs URL. */
    public enum Format {
        /** One page as a JSON object (or the long-poll with waitMs): the default. */
        JSON(MediaType.APPLICATION_JSON),
        /** The whole run, one JSON entry per line. */
        NDJSON(LogDownload.NDJSON),
        /** The whole run, one readable line per entry. */
        TEXT(MediaType.TEXT_PLAIN + ";charset=utf-8");

        final String mediaType;

        Format(String mediaType) {
            this.mediaType = mediaType;
        }
    }

    private LogDownload() {
    }

    /**
     * Picks the format: {@code format} when given; else the first of the client's acceptable media
     * types (JAX-RS sorts them by q, then specificity) that names one; else JSON (also for
     * {@code *}{@code /*}, so browsers and the long-poll keep their JSON answer).
     *
     * @param format     the query parameter (json, ndjson, text), or null
     * @param acceptable the Accept header's media types, most preferred first
     * @return the format
     */
    public static Format negotiate(String format, List<MediaType> acceptable) {
        if (format != null && !format.isBlank()) {
            return switch (format.strip().toLowerCase(Locale.ROOT)) {
                case "json" -> Format.JSON;
                case "ndjson", "jsonl" -> Format.NDJSON;
                case "text", "txt", "plain" -> Format.TEXT;
                default -> throw new InvalidLogEntryException("format", "must be json, ndjson or text, not '" + format + "'");
            };
        }
        for (MediaType m : acceptable) {
            if (m.isWildcardType()) return Format.JSON;
            String t = m.getType() + "/" + m.getSubtype();
            switch (t.toLowerCase(Locale.ROOT)) {
                case "application/json", "application/*" -> { return Format.JSON; }
                case NDJSON, "application/jsonl", "application/x-jsonlines" -> { return Format.NDJSON; }
                case "text/plain", "text/*" -> { return Format.TEXT; }
                default -> { /* next */ }
            }
        }
        return Format.JSON;
    }

    /**
     * @return 200 streaming every entry of the run after {@code afterSeq} that passes the filter
     */
    public static Response stream(PostgresLogReader reader, UUID runId, long afterSeq, LogFilter filter, int fetchSize,
                                  Format format) {
        StreamingOutput body = os -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), WRITE_BUFFER_CHARS);
            try {
                RunHistory.stream(reader, runId, afterSeq, filter, fetchSize, e -> {
                    if (format == Format.NDJSON) w.write(LogEntryJson.jsonText(e));
                    else w.write(textLine(e));
                    w.write('\n');
                });
            } catch (SQLException e) {
                LOG.log(Level.WARNING, "Download of run " + runId + " cut: PostgreSQL failed", e);
                throw new UncheckedIOException(new IOException("PostgreSQL failed during the download", e));
            }
            w.flush();
        };
        String ext = format == Format.NDJSON ? "ndjson" : "log";
        return Response.ok(body, format.mediaType)
                .header("Content-Disposition", "attachment; filename=\"run-" + runId + "." + ext + "\"")
                .build();
    }

    /**
     * One entry as a readable line: {@code ts level node #seq message [errorCode] trace=… path=… metadata}.
     * Line breaks inside the message are written as {@code \n} so that one line is one entry.
     *
     * @param e the entry
     * @return the line, without its line break
     */
    public static String textLine(LogEntry e) {
        StringBuilder b = new StringBuilder(96 + e.message().length());
        b.append(e.ts()).append(' ').append(String.format(Locale.ROOT, "%-5s", e.level().name())).append(' ')
                .append(e.nodeKey()).append(" #").append(e.seq()).append(' ');
        appendOneLine(b, e.message());
        if (e.errorCode() != null) b.append(" [").append(e.errorCode()).append(']');
        if (e.traceId() != null) b.append(" trace=").append(e.traceId());
        if (e.hierarchy() != null) b.append(" path=").append(e.hierarchy());
        if (e.metadata() != null) b.append(' ').append(e.metadata());
        return b.toString();
    }

    private static void appendOneLine(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else b.append(c);
        }
    }
}
