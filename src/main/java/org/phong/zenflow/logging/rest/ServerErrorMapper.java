package org.phong.zenflow.logging.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every exception no other mapper takes answers with the API's problem document (see {@link ApiErrors})
 * instead of the server's HTML error page. A {@link WebApplicationException} keeps its status; anything
 * else is a 500. The detail never quotes the exception: a database error's text can quote the row it
 * was writing, so it goes to the server log (with its stack trace, once per failure) and the client
 * learns only what kind of failure it was and that a retry may help.
 */
@Provider
public class ServerErrorMapper implements ExceptionMapper<Exception> {
    private static final Logger LOG = Logger.getLogger(ServerErrorMapper.class.getName());

    @Override
    public Response toResponse(Exception e) {
        int status = e instanceof WebApplicationException w ? w.getResponse().getStatus()
                : Response.Status.INTERNAL_SERVER_ERROR.getStatusCode();
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        String detail = detail(e);
        if (status >= Response.Status.INTERNAL_SERVER_ERROR.getStatusCode()) LOG.log(Level.WARNING, detail, e);
        return ApiErrors.of(status, title, detail, null, null);
    }

    /** @return what the client learns: the kind of failure, never the exception's text */
    static String detail(Throwable e) {
        if (hasCause(e, SQLException.class)) return "PostgreSQL could not be read or written; retry later";
        return "the server could not answer this request (" + e.getClass().getSimpleName() + "); the server log has the cause";
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) return true;
        }
        return false;
    }
}
