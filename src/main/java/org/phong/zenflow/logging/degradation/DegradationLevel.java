package org.phong.zenflow.logging.degradation;

/** The four degradation levels; {@link #number()} is what metrics and health report. */
public enum DegradationLevel {
    NORMAL(1),
    DATABASE_FAILING(2),
    JOURNAL_UNAVAILABLE(3),
    MEMORY_PRESSURE(4);

    private final int number;

    DegradationLevel(int number) {
        this.number = number;
    }

    /** @return 1..4 */
    public int number() {
        return number;
    }
}
