package org.phong.zenflow.logging.redact;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.LoggingPipeline;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.RunOutcome;
import org.phong.zenflow.logging.api.WorkflowRunCompleted;
import org.phong.zenflow.logging.config.LoggingSettings;
import org.phong.zenflow.logging.testing.CollectingSink;
import org.phong.zenflow.logging.testing.PipelineFixture;
import org.phong.zenflow.logging.testing.Entries;
import org.phong.zenflow.logging.testing.TestSettings;

/** The plain-Java pipeline redacts by default: no sink (durable or not) receives the secret. */
class RedactionInPipelineTest {
    @Test
    void noSinkSeesTheSecret() throws Exception {
        CollectingSink db = CollectingSink.durable("db");
        CollectingSink live = CollectingSink.bestEffort("live");
        try (PipelineFixture pipelines = new PipelineFixture()) {
            LoggingPipeline p = pipelines.start(TestSettings.of(LoggingSettings.MAX_DELAY_MS, "10"), db, live);
            UUID wf = UUID.randomUUID();
            UUID run = UUID.randomUUID();
            p.router().route(Entries.valid().workflowId(wf).runId(run).message("token: Bearer abcdefghijk123").build());
            p.router().route(Entries.valid().workflowId(wf).runId(run).message("plain").metadata("{\"password\":\"pw-123456\"}").build());
            p.router().runCompleted(new WorkflowRunCompleted(run, RunOutcome.SUCCEEDED));
            await().atMost(Duration.ofSeconds(10)).until(() -> db.entryCount() == 2 && live.entryCount() == 2);
            for (CollectingSink s : List.of(db, live)) {
                for (LogEntry e : s.entries()) {
                    assertFalse(e.message().contains("abcdefghijk123"), e.message());
                    assertTrue(e.metadata() == null || !e.metadata().contains("pw-123456"), e.metadata());
                }
                assertEquals(List.of(1L, 2L), s.entries().stream().map(LogEntry::seq).toList());
            }
        }
    }
}
