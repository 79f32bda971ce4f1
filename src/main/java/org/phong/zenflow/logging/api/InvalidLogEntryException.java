package org.phong.zenflow.logging.api;

/**
 * A log entry, run event or query parameter that breaks a rule. It always names the offending
 * field so that an HTTP client or an engine developer can fix the input without guessing.
 */
public class InvalidLogEntryException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The offending field, as spelled in the JSON form of the entry. */
    private final String field;

    /**
     * @param field  the offending field, as it is spelled in the JSON form of the entry
     * @param reason what is wrong with it, phrased to follow the field name
     */
    public InvalidLogEntryException(String field, String reason) {
        super(field + " " + reason);
        this.field = field;
    }

    /** @return the offending field, as spelled in the JSON form of the entry */
    public String field() {
        return field;
    }
}
