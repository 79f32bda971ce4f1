package org.phong.zenflow.logging.it;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpResponse;

/**
 * Reads an error answer of the API as the RFC 9457 problem document it must be: media type
 * {@code application/problem+json}; {@code type}, {@code title}, {@code status} (equal to the HTTP
 * status) and a non-blank {@code detail}; the extension members {@code index} and {@code field}
 * present (a number/string or null); a detail no longer than the API cuts it to.
 */
final class ProblemBody {
    static final String MEDIA_TYPE = "application/problem+json";
    /** 300 characters and the "... (N more characters)" marker. */
    static final int MAX_DETAIL_CHARS = 340;

    private ProblemBody() {
    }

    /**
     * @return the problem document
     * @throws AssertionError naming what is wrong with the answer
     */
    static JsonObject of(HttpResponse<String> res) {
        String why = problemWith(res);
        if (why != null) throw new AssertionError(why);
        return ItEnvironment.parse(res.body());
    }

    /** @return what makes {@code res} not a well-formed problem document, or null when it is one */
    static String problemWith(HttpResponse<String> res) {
        String type = res.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith(MEDIA_TYPE)) return res.statusCode() + " with Content-Type '" + type + "', not " + MEDIA_TYPE;
        JsonObject p;
        try {
            p = ItEnvironment.parse(res.body());
        } catch (RuntimeException e) {
            return res.statusCode() + " whose body is not a JSON object: " + abbreviate(res.body());
        }
        for (String member : new String[] {"type", "title", "detail"}) {
            if (!(p.get(member) instanceof jakarta.json.JsonString s) || s.getString().isBlank()) {
                return res.statusCode() + " without a '" + member + "' string: " + abbreviate(res.body());
            }
        }
        if (!p.containsKey("status") || p.get("status").getValueType() != JsonValue.ValueType.NUMBER
                || p.getInt("status") != res.statusCode()) {
            return res.statusCode() + " whose 'status' member differs: " + abbreviate(res.body());
        }
        if (p.getString("detail").length() > MAX_DETAIL_CHARS) {
            return res.statusCode() + " whose detail is " + p.getString("detail").length() + " characters long (echoed input not cut)";
        }
        if (!p.containsKey("index") || !p.containsKey("field")) return res.statusCode() + " without index/field members: " + abbreviate(res.body());
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
