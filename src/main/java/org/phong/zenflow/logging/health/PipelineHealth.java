package org.phong.zenflow.logging.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.cdi.LoggingModule;
import org.phong.zenflow.logging.cdi.SchemaState;
import org.phong.zenflow.logging.collector.SinkStatus;

/**
 * MicroProfile Health checks of the pipeline, each saying in its data why it is DOWN:
 * <ul>
 *   <li>startup {@code zenflow-logging-schema}: the migrations have run;</li>
 *   <li>liveness {@code zenflow-logging-router}: every router worker thread is running;</li>
 *   <li>readiness {@code zenflow-logging-pipeline}: every durable sink is writing and the entries in
 *       flight are below the backpressure threshold (above it the module sheds or refuses input).</li>
 * </ul>
 */
@ApplicationScoped
public class PipelineHealth {
    @Inject
    LoggingModule module;

    @Inject
    SchemaState schema;

    @Produces
    @Startup
    HealthCheck schemaMigrated() {
        return () -> {
            HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-schema").status(schema.isReady());
            if (!schema.isReady()) b.withData("reason", "database schema not migrated yet: " + schema.lastError());
            return b.build();
        };
    }

    @Produces
    @Liveness
    HealthCheck routerAlive() {
        return () -> {
            LoggingPipeline p = module.runningOrNull();
            boolean up = p != null && p.router().workersAlive();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-router").status(up);
            if (!up) b.withData("reason", p == null ? "pipeline not started" : "a router worker thread has stopped; restart the server");
            return b.build();
        };
    }

    @Produces
    @Readiness
    HealthCheck pipelineReady() {
        return () -> {
            LoggingPipeline p = module.runningOrNull();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-pipeline");
            if (p == null) return b.down().withData("reason", "pipeline not started").build();
            long inFlight = p.admission().inFlight();
            long threshold = p.settings().thresholdEntries();
            b.withData("inFlight", inFlight).withData("threshold", threshold);
            StringBuilder reasons = new StringBuilder();
            if (!schema.isReady()) reasons.append("database schema not migrated: ").append(schema.lastError()).append("; ");
            for (SinkStatus s : p.collector().status()) {
                b.withData(s.name() + ".backlog", s.backlog());
                if (s.durable() && !s.healthy()) {
                    reasons.append("sink ").append(s.name()).append(" is failing (")
                            .append(s.consecutiveFailures()).append(" failed writes in a row, last: ")
                            .append(s.lastError()).append("); entries wait in flight; ");
                }
            }
            if (inFlight >= threshold) {
                reasons.append(inFlight).append(" entries in flight reached the backpressure threshold ")
                        .append(threshold).append("; input is being shed or refused; ");
            }
            if (reasons.length() > 0) b.down().withData("reason", reasons.toString().trim());
            else b.up();
            return b.build();
        };
    }
}
