package org.phong.zenflow.logging.cluster;

import java.util.List;
import org.phong.zenflow.logging.api.LogEntry;

/**
 * Hears what a partition owner committed: the entries of one fenced write with their seqs, in
 * partition order (each run in seq order), after the commit. Called on the owner loop's thread, so it
 * delays the partition's next write while it runs: hand off, or be quick. An exception is logged and
 * counted by the loop; it never undoes or repeats the write. The output-topic publisher
 * ({@link OutputPublisher}) is the listener cluster mode plugs in; as a {@link ConfirmingListener} it gets
 * the output outbox, so a write it never confirmed is handed to it again later. A plain listener hears each
 * committed write at most once, and not at all a write whose commit reply was lost.
 */
@FunctionalInterface
public interface SequencedListener {
    /** @param sequenced the committed entries, never empty */
    void accept(List<LogEntry> sequenced);
}
