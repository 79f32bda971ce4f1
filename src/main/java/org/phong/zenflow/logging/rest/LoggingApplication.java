package org.phong.zenflow.logging.rest;

import jakarta.annotation.security.DeclareRoles;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.phong.zenflow.logging.security.Roles;

/** The HTTP API, under {@code /api/v1}; every resource method names the role it needs ({@link Roles}). */
@ApplicationPath("/api/v1")
@OpenAPIDefinition(info = @Info(title = "zenflow-logging", version = "v1",
        description = "Durable node-log pipeline of the Zenflow workflow engine: ingestion of workflow-node log entries, "
                + "run lifecycle, a run's stored history. Every error answers with the `Error` body naming the field."))
@DeclareRoles({Roles.WRITER, Roles.READER, Roles.ADMIN})
public class LoggingApplication extends Application {
}
