package org.phong.zenflow.logging.cluster;

import java.util.List;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * Hears what a partition owner committed: the entries of one fenced write with their seqs, in
 * partition order (each run in seq order), after the commit. Called on the owner loop's thread, so it
 * delays the partition's next write while it runs: hand off, or be quick. An exception is logged and
 * counted by the loop; it never undoes or repeats the write. The output-topic publisher
 * ({@link OutputPublisher}) is the listener cluster mode plugs in.
 */
@FunctionalInterface
public interface SequencedListener {
    /** @param sequenced the committed entries, never empty */
    void accept(List<LogEntry> sequenced);
}
