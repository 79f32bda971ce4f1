package org.phong.zenflow.logging.rest;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.phong.zenflow.logging.api.InvalidLogEntryException;

/** Any rule broken by a body or a parameter answers 400, naming the field. */
@Provider
public class InvalidInputMapper implements ExceptionMapper<InvalidLogEntryException> {
    @Override
    public Response toResponse(InvalidLogEntryException e) {
        return ApiErrors.badRequest(e.getMessage(), null, e.field());
    }
}
