package org.phong.zenflow.logging.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * Counts ingestion requests ({@code POST /api/v1/logs}) refused whole, by the status the REST layer
 * answered: a response filter, so every refusal is counted whichever layer produced it (the
 * resource's 400/413/429, the runtime's 415, a security constraint's 401/403) without the resource
 * knowing about metrics.
 */
@Provider
@ApplicationScoped
public class IngestionRejectionFilter implements ContainerResponseFilter {
    /** Path of the ingestion resource under the application path. */
    private static final String INGESTION_PATH = "logs";
    private static final int FIRST_CLIENT_ERROR = 400;

    @Inject
    PipelineMetrics metrics;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        int status = response.getStatus();
        if (status < FIRST_CLIENT_ERROR || !"POST".equals(request.getMethod())) return;
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/")) path = path.substring(1);
        if (!path.equals(INGESTION_PATH)) return;
        metrics.ingestionRejected(PipelineMetrics.IngestionRejection.of(status));
    }
}
