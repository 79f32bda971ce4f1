package org.phong.zenflow.logging.sink.postgres;

import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Sorts a failed write of the PostgreSQL sink into what waiting can fix and what it cannot.
 *
 * <ul>
 *   <li>{@link Kind#DATA}: the rows themselves are refused and the same rows will be refused again
 *       however often they are sent. SQLState classes 22 (data exception: numeric overflow 22003,
 *       invalid text representation 22P02, untranslatable character 22P05, character not in
 *       repertoire 22021, ...), 23 (integrity constraint violation: an operator's CHECK 23514, NOT NULL
 *       23502, ...; the sink handles 23505 duplicates and a missing partition itself, so what reaches
 *       here is not those) and 54 (program limit exceeded, e.g. an index row or a jsonb value too
 *       large), and an {@link IllegalArgumentException} of the encoder (a value it cannot write).
 *       The batch is split to find the rows ({@link PoisonIsolator}).</li>
 *   <li>{@link Kind#TRANSIENT}: everything else, in particular connection exceptions (08), transaction
 *       rollbacks such as serialization failures and deadlocks (40), insufficient resources (53),
 *       operator intervention including statement timeouts and shutdowns (57), lock timeouts (55P03),
 *       system errors (58), driver I/O errors without an SQLState, and every state not listed above.
 *       The batch is retried as a whole, forever, as before: when unsure, waiting loses nothing,
 *       while dead-lettering a good entry would move it out of {@code logs}.</li>
 * </ul>
 *
 * <p>The SQLState is taken from the first exception in the cause chain that has one (Liberty's
 * pool may wrap the driver's exception). Stateless and thread-safe.
 */
public final class ErrorClassifier {
    /** What a failure means for the rows of the batch. */
    public enum Kind {
        /** The rows are refused; retrying cannot help. */
        DATA,
        /** The database or the path to it failed; retrying later can help. */
        TRANSIENT
    }

    private static final String CHECK_VIOLATION = "23514";
    /** The server's CONTEXT line of an error inside COPY: {@code COPY logs, line 17, column metadata: "..."}. */
    private static final Pattern COPY_LINE = Pattern.compile("COPY [^,]+, line (\\d+)");

    private ErrorClassifier() {
    }

    /**
     * @param failure what a write threw
     * @return whether the rows or the database are at fault
     */
    public static Kind classify(Throwable failure) {
        if (failure instanceof IllegalArgumentException) return Kind.DATA;
        String state = sqlState(failure);
        if (state == null || state.length() != 5) return Kind.TRANSIENT;
        return switch (state.substring(0, 2)) {
            case "22", "23", "54" -> Kind.DATA;
            default -> Kind.TRANSIENT;
        };
    }

    /**
     * @param failure what a write threw
     * @return true when it is a data error ({@link Kind#DATA})
     */
    public static boolean isDataError(Throwable failure) {
        return classify(failure) == Kind.DATA;
    }

    /**
     * "no partition of relation logs found for row" is a check violation (23514) that names no
     * constraint; an operator's CHECK constraint names itself. Only the former is cured by creating
     * the partition.
     *
     * @param e a failed write
     * @return true when the row's month has no partition
     */
    public static boolean isMissingPartition(SQLException e) {
        if (!CHECK_VIOLATION.equals(sqlState(e))) return false;
        ServerErrorMessage m = serverMessage(e);
        return m == null || m.getConstraint() == null;
    }

    /**
     * @param failure what a write threw
     * @return the first SQLState in the cause chain, or null
     */
    public static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) return s.getSQLState();
            if (t.getCause() == t) break;
        }
        return null;
    }

    /**
     * The row COPY was reading when the server refused it: the server's context line names it
     * (1-based, counted in the statement's own input). A hint only: the caller confirms it.
     *
     * @param failure what a write threw
     * @return the 1-based line, or -1 when the error names none (e.g. it came from a later statement)
     */
    public static int copyLine(Throwable failure) {
        ServerErrorMessage m = serverMessage(failure);
        String where = m == null ? null : m.getWhere();
        if (where == null) return -1;
        Matcher x = COPY_LINE.matcher(where);
        if (!x.find()) return -1;
        try {
            return Integer.parseInt(x.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The database's words for an error, for the dead-letter table: the primary message and its
     * detail, never the context line (which quotes the whole refused row: it is stored beside).
     *
     * @param failure what a write threw
     * @param max     most characters returned
     * @return the message, at most {@code max} characters
     */
    public static String describe(Throwable failure, int max) {
        ServerErrorMessage m = serverMessage(failure);
        String text;
        if (m != null) {
            text = m.getMessage() + (m.getDetail() == null ? "" : " (" + m.getDetail() + ")");
        } else {
            text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        }
        if (text.length() <= max) return text;
        int keep = max - 1;
        if (Character.isHighSurrogate(text.charAt(keep - 1))) keep--;
        return text.substring(0, keep) + "\u2026";
    }

    private static ServerErrorMessage serverMessage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PSQLException p && p.getServerErrorMessage() != null) return p.getServerErrorMessage();
            if (t.getCause() == t) break;
        }
        return null;
    }
}
