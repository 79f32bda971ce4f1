/**
 * MicroProfile Health checks of the module ({@link org.phong.zenflow.logging.health.PipelineHealth}) and
 * what they read.
 *
 * <p>Invariants:
 * <ul>
 *   <li>A check never does I/O: it reads counters, the core's getters and the last results of the
 *       background {@link org.phong.zenflow.logging.health.HealthMonitor} (database probe on the
 *       managed executor, heartbeat of the shared scheduler). A hung database therefore cannot hang
 *       {@code /health}; a probe that is overdue counts as "unreachable".</li>
 *   <li>Every DOWN carries {@code data.reason}: what is wrong, what the module does meanwhile, and
 *       what an operator should check. Errors are quoted by their first line only, so log content
 *       (a database error's context can quote the row being written) never reaches the health output.</li>
 *   <li>Other concerns plug in without editing these checks: the journal implements
 *       {@link org.phong.zenflow.logging.health.Degradation} (readiness stays UP while it absorbs a
 *       database outage; the level appears in the data and as a gauge); Kafka adds its own
 *       {@code @Readiness} check.</li>
 * </ul>
 */
package org.phong.zenflow.logging.health;
