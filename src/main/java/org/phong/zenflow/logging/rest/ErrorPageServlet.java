package org.phong.zenflow.logging.rest;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;
import java.io.IOException;

/**
 * The error page of the web container (web.xml {@code <error-page>}): what the container answers before the
 * application runs, e.g. a request URI with an encoded backslash, control character or {@code ..}, is the API's
 * problem document too, instead of Liberty's HTML page that quotes the exception and a stack frame. The
 * JAX-RS resources answer their own errors (exception mappers); this page only sees what never reached them.
 */
@WebServlet(urlPatterns = ErrorPageServlet.PATH)
public class ErrorPageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** Where web.xml sends the container's errors. */
    static final String PATH = "/error";

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : HttpServletResponse.SC_NOT_FOUND;
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        String detail = status == HttpServletResponse.SC_BAD_REQUEST
                ? "the request URI is malformed (an encoded backslash, slash, '#', control character or '..' in a path segment)"
                : title;
        ApiErrors.write(res, status, title, detail, null, status == HttpServletResponse.SC_BAD_REQUEST ? "path" : null);
    }
}
