package org.phong.zenflow.logging.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.phong.zenflow.logging.RunningPipeline;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.degradation.DegradationLevel;
import org.phong.zenflow.logging.degradation.DegradationState;
import org.phong.zenflow.logging.journal.JournalStats;

/**
 * Fills the {@link Degradation} slot from the pipeline's degradation machine: the level (1..4, 0
 * before the pipeline runs) for readiness and the degradation-level gauge of {@code metrics.PipelineMetrics},
 * and whether a database outage is being absorbed - true only while the journal is enabled and
 * writable, because only then is an entry accepted during the outage durable.
 */
@ApplicationScoped
public class PipelineDegradation implements Degradation {
    @Inject
    RunningPipeline module;

    @Override
    public int level() {
        LoggingPipeline p = module.runningOrNull();
        return p == null ? 0 : p.degradation().state().level().number();
    }

    @Override
    public boolean absorbsDatabaseOutage() {
        LoggingPipeline p = module.runningOrNull();
        if (p == null) return false;
        JournalStats j = p.journalStats();
        return j.enabled() && j.available() && !j.full();
    }

    @Override
    public String describe() {
        LoggingPipeline p = module.runningOrNull();
        if (p == null) return "pipeline not started";
        DegradationState st = p.degradation().state();
        JournalStats j = p.journalStats();
        String journal = j.enabled()
                ? "journal " + (j.available() ? "writable" : "UNAVAILABLE") + ", " + j.bytesOnDisk() + " bytes on disk"
                : "journal off";
        String reason = st.reason().isEmpty() ? "" : ": " + st.reason();
        return "level " + st.level().number() + " (" + st.level() + ")" + reason + "; " + journal;
    }

    /** @return whether readiness should stay UP at this level: normal, or a database outage the journal absorbs */
    static boolean ready(DegradationLevel level, boolean absorbs) {
        return level == DegradationLevel.NORMAL || (level == DegradationLevel.DATABASE_FAILING && absorbs);
    }
}
