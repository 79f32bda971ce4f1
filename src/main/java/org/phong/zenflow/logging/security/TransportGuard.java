package org.phong.zenflow.logging.security;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.phong.zenflow.logging.config.SecuritySettings;
import org.phong.zenflow.logging.rest.ApiErrors;

/**
 * The transport guarantee of the production profile: the API ({@code /api/*}) and the live tails
 * ({@code /ws/*}, WebSocket handshakes are HTTP requests) are served over TLS only. A plain-HTTP
 * request is answered {@code 403} with a JSON body naming the key, before any resource runs, so a
 * client that sent BASIC credentials in clear learns to switch at once (the credentials it sent are
 * already exposed: rotate them). CONFIDENTIAL in web.xml would do the same for every profile; this
 * filter makes it depend on the profile, so the local run and the ITs keep plain HTTP.
 *
 * <p>Active when {@link SecuritySettings#requiresTls()}: profile production and
 * {@code zenflow.logging.security.allow-plain-http=false} (set it to true only when TLS ends at a
 * proxy in front of the server). /health, /metrics and /openapi are not covered: probes and scrapers
 * often speak plain HTTP inside the cluster, and /metrics is authenticated in production anyway.
 */
@WebFilter(urlPatterns = {"/api/*", "/ws/*"}, asyncSupported = true)
public class TransportGuard implements Filter {
    /** The detail of the refusal's problem document (written here, before JAX-RS runs). */
    static final String REFUSAL_DETAIL = "HTTPS required: this server refuses plain HTTP on the API and live tails ("
            + SecuritySettings.ALLOW_PLAIN_HTTP + "=false)";

    private volatile Boolean requiresTls;

    /** For the container: the setting from CDI on first use. */
    public TransportGuard() {
    }

    /** @param settings the security settings (tests) */
    public TransportGuard(SecuritySettings settings) {
        this.requiresTls = settings.requiresTls();
    }

    private boolean requiresTls() {
        Boolean r = requiresTls;
        if (r == null) requiresTls = r = CDI.current().select(SecuritySettings.class).get().requiresTls();
        return r;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!requiresTls() || req.isSecure()) {
            chain.doFilter(req, res);
            return;
        }
        ApiErrors.write((HttpServletResponse) res, HttpServletResponse.SC_FORBIDDEN, "Forbidden", REFUSAL_DETAIL, null,
                SecuritySettings.ALLOW_PLAIN_HTTP);
    }

    /** @return true when the request would be refused (for tests) */
    boolean refuses(HttpServletRequest req) {
        return requiresTls() && !req.isSecure();
    }
}
