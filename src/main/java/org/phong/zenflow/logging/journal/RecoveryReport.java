package org.phong.zenflow.logging.journal;

import java.util.List;

/**
 * What the journal found at startup.
 *
 * @param segments        segment files found
 * @param records         valid records in them
 * @param toReplay        records of the segments some durable follower has not passed: it reads on from its
 *                        saved position, so it still has to take (some of) them
 * @param truncatedBytes  bytes cut from damaged segments (torn or corrupt tails)
 * @param cuts            one line per damaged segment: file, offset, bytes cut, why
 * @param error           why the journal could not be opened, or null
 * @param lost            entries lost to damage, by run and seq range ("run &lt;id&gt; seq a..b"), as far as
 *                        the gap-free seq of the records around the damage tells
 * @param asideFiles      copies of damaged segments, taken before recovery changed them
 */
public record RecoveryReport(int segments, long records, long toReplay, long truncatedBytes, List<String> cuts,
                             String error, List<String> lost, List<String> asideFiles) {

    /** A report without damage details. */
    public RecoveryReport(int segments, long records, long toReplay, long truncatedBytes, List<String> cuts, String error) {
        this(segments, records, toReplay, truncatedBytes, cuts, error, List.of(), List.of());
    }

    /** @return the number of damaged segments (each cut counts one damaged record at least) */
    public int truncatedRecords() {
        return cuts.size();
    }
}
