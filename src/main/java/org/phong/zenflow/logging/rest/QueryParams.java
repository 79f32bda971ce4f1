package org.phong.zenflow.logging.rest;

import org.phong.zenflow.logging.api.InvalidLogEntryException;

/** Whole-number query parameters of the REST resources: absent or blank means the default, anything else out of range is a 400 naming the parameter. */
final class QueryParams {
    /** The page size when {@code limit} is absent (at most the configured maximum): what the web page shows. */
    static final int DEFAULT_PAGE = 100;

    private QueryParams() {
    }

    /**
     * @param name the parameter, named in the 400
     * @param raw  its value as sent, or null
     * @param dflt the value when it is absent or blank
     * @return the value, {@code min .. max}
     * @throws InvalidLogEntryException (400) when it is not a whole number in that range
     */
    static long longParam(String name, String raw, long dflt, long min, long max) {
        if (raw == null || raw.isBlank()) return dflt;
        try {
            long v = Long.parseLong(raw.trim());
            if (v >= min && v <= max) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidLogEntryException(name, "must be a whole number from " + min + " to " + max + ", not '" + raw + "'");
    }

    /**
     * @param limit the {@code limit} parameter, or null
     * @param max   {@code zenflow.logging.http.max-page-size}
     * @return the page size: {@code 1 .. max}, {@value #DEFAULT_PAGE} (or {@code max} when smaller) when absent
     */
    static int pageSize(String limit, int max) {
        return (int) longParam("limit", limit, Math.min(DEFAULT_PAGE, max), 1, max);
    }
}
