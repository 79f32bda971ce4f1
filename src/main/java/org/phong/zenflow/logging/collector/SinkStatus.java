package org.phong.zenflow.logging.collector;

/**
 * A snapshot of one sink as the collector sees it.
 *
 * @param name                its name
 * @param durable             whether entries count as safe only once it has them
 * @param healthy             the sink's own view and no failure pending
 * @param backlog             entries queued or being written
 * @param written             entries written since start
 * @param failures            failed calls since start
 * @param dropped             entries it will never get (best-effort sinks only)
 * @param consecutiveFailures failed calls since the last success
 * @param lastError           the last failure, or null
 */
public record SinkStatus(String name, boolean durable, boolean healthy, long backlog, long written,
                         long failures, long dropped, int consecutiveFailures, String lastError) {
}
