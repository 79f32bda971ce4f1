package org.phong.zenflow.logging.rest;

import static org.phong.zenflow.logging.codec.JsonSupport.JSON;

import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The one error body of the API: {@code {"error": "...", "index": n|null, "field": "..."|null}}. */
final class ApiErrors {
    private ApiErrors() {
    }

    static Response of(Response.Status status, String message, Integer index, String field) {
        JsonObjectBuilder b = JSON.createObjectBuilder().add("error", message);
        if (index == null) b.addNull("index");
        else b.add("index", index);
        if (field == null) b.addNull("field");
        else b.add("field", field);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(b.build().toString()).build();
    }

    static Response badRequest(String message, Integer index, String field) {
        return of(Response.Status.BAD_REQUEST, message, index, field);
    }
}
