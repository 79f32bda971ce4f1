package org.phong.zenflow.logging.rest;

import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * 4xx raised by the JAX-RS runtime itself (403 of {@code @RolesAllowed}, 404, 405, 406, 415) answer
 * with the API's problem document ({@link ApiErrors}) and their status. Without this mapper the MicroProfile Metrics
 * fallback mapper logs each of them as a WARNING with a stack trace: a client sending bad requests
 * could flood the server log.
 */
@Provider
public class ClientErrorMapper implements ExceptionMapper<ClientErrorException> {
    @Override
    public Response toResponse(ClientErrorException e) {
        Response original = e.getResponse();
        Response.Status status = Response.Status.fromStatusCode(original.getStatus());
        String message = original.getStatus() == Response.Status.FORBIDDEN.getStatusCode()
                ? "the authenticated user lacks the role this endpoint needs" : e.getMessage();
        String title = status == null ? "Client Error" : status.getReasonPhrase();
        return ApiErrors.of(original.getStatus(), title, message, null, null);
    }
}
