package org.phong.zenflow.logging.rest;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The HTTP API, under {@code /api/v1}. */
@ApplicationPath("/api/v1")
public class LoggingApplication extends Application {
}
