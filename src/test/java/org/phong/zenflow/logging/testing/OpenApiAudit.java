package org.phong.zenflow.logging.testing;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Holds an OpenAPI document to the code: every JAX-RS operation must be in it and documented.
 * "Documented" means, per operation:
 * <ul>
 *   <li>a {@code summary} and a {@code description};</li>
 *   <li>every parameter has a {@code description} and an example;</li>
 *   <li>a request body, when there is one, has a description and an example per media type (its own, or
 *       its schema's, {@code $ref} followed);</li>
 *   <li>at least one success (2xx) and one error (4xx/5xx) response, each with a description, and an
 *       example in every media type a response declares;</li>
 *   <li>an error response with a body declares it as {@code application/problem+json} (RFC 9457) only;</li>
 *   <li>a security requirement (the document's, or its own) naming a declared security scheme.</li>
 * </ul>
 * {@code $ref}s to {@code #/components/...} are followed. Each problem is one readable line.
 */
public final class OpenApiAudit {
    private static final String PROBLEM_JSON = "application/problem+json";

    private OpenApiAudit() {
    }

    /**
     * @param ops     the operations the code has ({@link JaxRsOperations})
     * @param openapi the document (JSON form of {@code /openapi})
     * @return what is missing or undocumented; empty when the document covers every operation
     */
    public static List<String> problems(List<JaxRsOperations.Op> ops, JsonObject openapi) {
        List<String> out = new ArrayList<>();
        JsonObject paths = openapi.containsKey("paths") ? openapi.getJsonObject("paths") : JsonValue.EMPTY_JSON_OBJECT;
        for (JaxRsOperations.Op op : ops) {
            String where = op.method() + " " + op.path();
            JsonObject item = paths.containsKey(op.path()) ? paths.getJsonObject(op.path()) : null;
            String key = op.method().toLowerCase(Locale.ROOT);
            if (item == null || !item.containsKey(key)) {
                out.add(where + ": not in the document (" + op.javaMethod() + ")");
                continue;
            }
            JsonObject o = item.getJsonObject(key);
            if (blank(o, "summary")) out.add(where + ": no summary");
            if (blank(o, "description")) out.add(where + ": no description");
            if (o.containsKey("parameters")) {
                for (JsonValue pv : o.getJsonArray("parameters")) {
                    JsonObject p = resolve(openapi, pv.asJsonObject());
                    String name = p.getString("name", "?") + " (" + p.getString("in", "?") + ")";
                    if (blank(p, "description")) out.add(where + ": parameter " + name + " has no description");
                    if (!hasExample(p)) out.add(where + ": parameter " + name + " has no example");
                }
            }
            if (o.containsKey("requestBody")) {
                JsonObject body = resolve(openapi, o.getJsonObject("requestBody"));
                if (blank(body, "description")) out.add(where + ": request body has no description");
                contentWithoutExamples(openapi, body).forEach(mt -> out.add(where + ": request body " + mt + " has no example"));
            }
            JsonObject responses = o.containsKey("responses") ? o.getJsonObject("responses") : JsonValue.EMPTY_JSON_OBJECT;
            boolean success = false;
            boolean error = false;
            for (String code : responses.keySet()) {
                JsonObject r = resolve(openapi, responses.getJsonObject(code));
                success |= code.startsWith("2");
                error |= code.startsWith("4") || code.startsWith("5");
                if (blank(r, "description")) out.add(where + ": response " + code + " has no description");
                contentWithoutExamples(openapi, r).forEach(mt -> out.add(where + ": response " + code + " " + mt + " has no example"));
                if ((code.startsWith("4") || code.startsWith("5")) && r.containsKey("content")) {
                    for (String mt : r.getJsonObject("content").keySet()) {
                        if (!PROBLEM_JSON.equals(mt)) out.add(where + ": error response " + code + " declares " + mt + ", not " + PROBLEM_JSON);
                    }
                }
            }
            if (!secured(openapi, o)) out.add(where + ": no security requirement naming a declared scheme");
            if (!success) out.add(where + ": no success (2xx) response documented");
            if (!error) out.add(where + ": no error (4xx/5xx) response documented");
        }
        return out;
    }

    private static List<String> contentWithoutExamples(JsonObject doc, JsonObject holder) {
        List<String> missing = new ArrayList<>();
        if (!holder.containsKey("content")) return missing;
        JsonObject content = holder.getJsonObject("content");
        for (String mediaType : content.keySet()) {
            JsonObject mt = content.getJsonObject(mediaType);
            boolean schemaExample = mt.get("schema") instanceof JsonObject s && hasExample(resolve(doc, s));
            if (!hasExample(mt) && !schemaExample) missing.add(mediaType);
        }
        return missing;
    }

    private static boolean hasExample(JsonObject o) {
        if (o.containsKey("example")) return true;
        if (o.containsKey("examples") && o.get("examples") instanceof JsonObject ex && !ex.isEmpty()) return true;
        if (o.containsKey("examples") && o.get("examples") instanceof JsonArray ex && !ex.isEmpty()) return true;
        return o.containsKey("schema") && o.get("schema") instanceof JsonObject s && (s.containsKey("example") || s.containsKey("examples"));
    }

    private static boolean secured(JsonObject doc, JsonObject op) {
        JsonArray requirements = op.containsKey("security") ? op.getJsonArray("security")
                : doc.containsKey("security") ? doc.getJsonArray("security") : JsonValue.EMPTY_JSON_ARRAY;
        JsonObject schemes = doc.containsKey("components") && doc.getJsonObject("components").containsKey("securitySchemes")
                ? doc.getJsonObject("components").getJsonObject("securitySchemes") : JsonValue.EMPTY_JSON_OBJECT;
        if (requirements.isEmpty()) return false;
        for (JsonValue r : requirements) {
            if (r.asJsonObject().isEmpty() || !schemes.keySet().containsAll(r.asJsonObject().keySet())) return false;
        }
        return true;
    }

    private static boolean blank(JsonObject o, String field) {
        return !o.containsKey(field) || o.isNull(field) || o.getString(field, "").isBlank();
    }

    /** Follows {@code {"$ref": "#/components/<kind>/<name>"}} within the document. */
    private static JsonObject resolve(JsonObject doc, JsonObject o) {
        if (!o.containsKey("$ref")) return o;
        String ref = o.getString("$ref");
        JsonValue at = doc;
        for (String part : ref.replaceFirst("^#/", "").split("/")) {
            if (!(at instanceof JsonObject obj) || !obj.containsKey(part)) return JsonValue.EMPTY_JSON_OBJECT;
            at = obj.get(part);
        }
        return at instanceof JsonObject r ? r : JsonValue.EMPTY_JSON_OBJECT;
    }
}
