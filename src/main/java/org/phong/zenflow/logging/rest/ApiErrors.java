package org.phong.zenflow.logging.rest;

import static org.phong.zenflow.logging.codec.JsonSupport.JSON;
import static org.phong.zenflow.logging.codec.JsonSupport.addNullable;

import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one error body of the API: an RFC 9457 problem document, media type
 * {@code application/problem+json}:
 * <pre>{"type":"about:blank","title":"Bad Request","status":400,
 *  "detail":"entry 3: level must be one of DEBUG, INFO, WARN, ERROR, not 'LOUD'","index":3,"field":"level"}</pre>
 * <ul>
 *   <li>{@code type} is {@code about:blank}: the HTTP status says what kind of problem it is, so
 *       {@code title} is the status's reason phrase (as RFC 9457 asks for {@code about:blank}).</li>
 *   <li>{@code detail} says what is wrong in words. It may quote the offending input; it is cut to
 *       {@link #MAX_DETAIL_CHARS} characters (never inside a surrogate pair), so a client sending a
 *       megabyte of garbage does not get it echoed back.</li>
 *   <li>Extension members, always present: {@code index} (the position of the bad entry in an
 *       ingestion request, else null) and {@code field} (the offending field or parameter in its JSON
 *       spelling, else null).</li>
 * </ul>
 * JAX-RS code answers with {@link #of}; servlet code that runs before or outside JAX-RS (filters, the
 * container's error page) with {@link #write}.
 */
public final class ApiErrors {
    /** RFC 9457's media type of a problem document. */
    static final String PROBLEM_JSON = ApiDocs.PROBLEM_JSON;
    /** Longest {@code detail}: room for a sentence and about 200 characters of quoted input. */
    static final int MAX_DETAIL_CHARS = 300;
    private static final String ABOUT_BLANK = "about:blank";

    private ApiErrors() {
    }

    static Response of(Response.Status status, String detail, Integer index, String field) {
        return of(status.getStatusCode(), status.getReasonPhrase(), detail, index, field);
    }

    /** For statuses {@link Response.Status} does not list (e.g. 422): the reason phrase is given. */
    static Response of(int status, String title, String detail, Integer index, String field) {
        return Response.status(status).type(PROBLEM_JSON).entity(problem(status, title, detail, index, field)).build();
    }

    /** @return the problem document's text; a null detail becomes the title */
    static String problem(int status, String title, String detail, Integer index, String field) {
        JsonObjectBuilder b = JSON.createObjectBuilder().add("type", ABOUT_BLANK).add("title", title)
                .add("status", status).add("detail", truncate(detail == null ? title : detail));
        if (index == null) b.addNull("index");
        else b.add("index", index);
        return addNullable(b, "field", field).build().toString();
    }

    /**
     * Answers a servlet request with a problem document (for code that runs outside JAX-RS).
     *
     * @param title the status's reason phrase
     * @param detail what is wrong; null: the title
     * @param index the position of the bad entry, or null
     * @param field the offending field or parameter, or null
     */
    public static void write(HttpServletResponse res, int status, String title, String detail, Integer index, String field)
            throws IOException {
        res.setStatus(status);
        res.setContentType(PROBLEM_JSON);
        res.setCharacterEncoding(StandardCharsets.UTF_8.name());
        res.getWriter().write(problem(status, title, detail, index, field));
    }

    static Response badRequest(String detail, Integer index, String field) {
        return of(Response.Status.BAD_REQUEST, detail, index, field);
    }

    /** Cuts {@code s} to {@link #MAX_DETAIL_CHARS}, saying how much was left out. */
    static String truncate(String s) {
        if (s.length() <= MAX_DETAIL_CHARS) return s;
        int end = MAX_DETAIL_CHARS;
        if (Character.isHighSurrogate(s.charAt(end - 1))) end--;
        return s.substring(0, end) + "... (" + (s.length() - end) + " more characters)";
    }
}
