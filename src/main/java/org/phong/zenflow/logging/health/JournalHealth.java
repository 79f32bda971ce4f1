package org.phong.zenflow.logging.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.phong.zenflow.logging.RunningPipeline;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.degradation.DegradationState;
import org.phong.zenflow.logging.journal.JournalStats;

/**
 * Readiness {@code zenflow-logging-durability}: UP at degradation level 1, and at level 2 (database
 * failing) while the journal absorbs the outage - accepted entries are still durable, so the server
 * should keep taking traffic; DOWN at level 2 without a writable journal, and at 3 and 4. The data
 * always carries the level (number and name), the reason in words and the journal's state.
 */
@ApplicationScoped
public class JournalHealth {
    @Inject
    RunningPipeline module;

    @Produces
    @Readiness
    HealthCheck durability() {
        return () -> {
            if (module.clusterOrNull() != null) {
                return PipelineHealth.clusterMode("zenflow-logging-durability", "no local journal or degradation levels in cluster mode: "
                        + "Kafka's ingest topic (acks=all) holds accepted entries; see zenflow-logging-cluster");
            }
            HealthCheckResponseBuilder b = HealthCheckResponse.named("zenflow-logging-durability");
            LoggingPipeline p = module.runningOrNull();
            if (p == null) return b.down().withData("reason", "pipeline not started").build();
            DegradationState st = p.degradation().evaluate();
            JournalStats j = p.journalStats();
            b.withData("level", st.level().number()).withData("levelName", st.level().name())
                    .withData("journalEnabled", j.enabled()).withData("journalAvailable", j.available())
                    .withData("journalBytes", j.bytesOnDisk()).withData("unjournaledEntries", j.unjournaledEntries())
                    .withData("truncatedRecords", j.truncatedRecords());
            j.sinkBacklogEntries().forEach((sink, n) -> b.withData(sink + ".journalBacklog", n));
            // the problem text can name the journal's path or quote an I/O error: admin status only
            if (j.problem() != null && j.enabled()) b.withData("journalProblem", "the journal is not writable; the error: " + PipelineHealth.DETAILS);
            if (!st.reason().isEmpty()) b.withData("reason", st.reason());
            boolean absorbs = j.enabled() && j.available() && !j.full();
            b.withData("absorbsDatabaseOutage", absorbs);
            return b.status(PipelineDegradation.ready(st.level(), absorbs)).build();
        };
    }
}
