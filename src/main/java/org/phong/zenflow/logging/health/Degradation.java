package org.phong.zenflow.logging.health;

/**
 * The slot through which a component that keeps entries durable without the database (the
 * write-ahead journal) tells readiness and metrics how degraded the module is. Implement it as an
 * {@code @ApplicationScoped} bean; {@link PipelineHealth} and the metrics bridge pick it up through
 * {@code Instance<Degradation>}. Without such a bean the module is at level 0 and a database outage
 * makes readiness DOWN.
 *
 * <p>Plain Java on purpose: the journal implements it without MicroProfile types.
 */
public interface Degradation {

    /** @return 0 when nothing is degraded; higher is worse (the implementation documents its levels) */
    int level();

    /**
     * @return true while the database is unreachable but entries accepted now are nevertheless kept
     *         durable (e.g. in the journal): readiness then stays UP and says so in its data
     */
    boolean absorbsDatabaseOutage();

    /** @return the state in words an operator can act on (e.g. "journal holds 12,345 entries, 4 MB; disk 81% full") */
    String describe();
}
