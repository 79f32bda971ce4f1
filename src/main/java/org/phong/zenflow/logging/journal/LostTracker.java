package org.phong.zenflow.logging.journal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * Names the entries that damage took, from the gap-free seq: within one run the journal holds seqs in
 * ascending order, so a run whose records before and after a damaged range jump from a to b lost
 * a+1..b-1 (a jump without damage in between is not a loss: those entries were never journaled and
 * went to the sinks another way). Damage that took a run's last records leaves no jump; the run then
 * continues after the highest seq found in the journal or the database.
 */
final class LostTracker {
    private record Last(long seq, int damageEpoch) {
    }

    private final Map<UUID, Last> last = new HashMap<>();
    private final List<String> lost = new ArrayList<>();
    private int damageEpoch;

    /** @return a scan visitor that also hands each entry and its seq to {@code runSeq} */
    SegmentFile.Visitor visitor(BiConsumer<LogEntry, Long> runSeq) {
        return new SegmentFile.Visitor() {
            @Override
            public void entry(LogEntry e) {
                Last prev = last.put(e.runId(), new Last(e.seq(), damageEpoch));
                if (prev != null && prev.damageEpoch() != damageEpoch && e.seq() > prev.seq() + 1) {
                    lost.add("run " + e.runId() + " seq " + (prev.seq() + 1) + ".." + (e.seq() - 1));
                }
                runSeq.accept(e, e.seq());
            }

            @Override
            public void damage() {
                damageEpoch++;
            }
        };
    }

    /** @return the lost ranges found, one line each */
    List<String> lost() {
        return List.copyOf(lost);
    }
}
