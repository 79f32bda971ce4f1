package org.phong.zenflow.logging.codec;

import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;

/**
 * The one JSON-P provider of the module. {@code jakarta.json.Json.createXxx} looks the provider up
 * through the ServiceLoader on every call, which on a server dominates the cost of small documents;
 * every reader and writer of the module goes through this resolved instance instead.
 */
public final class JsonSupport {
    /** The resolved provider; thread-safe. */
    public static final JsonProvider JSON = JsonProvider.provider();

    private JsonSupport() {
    }

    /**
     * Adds a text member that may be absent as JSON {@code null}, so the member is always there
     * (the API's answers and the entry format name optional members explicitly).
     *
     * @return {@code b}
     */
    public static JsonObjectBuilder addNullable(JsonObjectBuilder b, String name, String value) {
        return value == null ? b.addNull(name) : b.add(name, value);
    }
}
