package org.phong.zenflow.logging.rest;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/** The HTTP API, under {@code /api/v1}. */
@ApplicationPath("/api/v1")
@OpenAPIDefinition(info = @Info(title = "zenflow-logging", version = "v1",
        description = "Durable node-log pipeline of the Zenflow workflow engine: ingestion of workflow-node log entries, "
                + "run lifecycle, a run's stored history. Every error answers with the `Error` body naming the field."))
public class LoggingApplication extends Application {
}
