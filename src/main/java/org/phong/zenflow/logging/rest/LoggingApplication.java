package org.phong.zenflow.logging.rest;

import jakarta.annotation.security.DeclareRoles;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.phong.zenflow.logging.security.Roles;

/**
 * The HTTP API, under {@code /api/v1}; every resource method names the role it needs ({@link Roles}).
 * The OpenAPI document's info, server, license and BASIC security scheme (applied to every operation)
 * are in {@code META-INF/openapi.yaml}; OpenApiLintIT holds the served document to Redocly's rules.
 */
@ApplicationPath("/api/v1")
@DeclareRoles({Roles.WRITER, Roles.READER, Roles.ADMIN})
public class LoggingApplication extends Application {
}
