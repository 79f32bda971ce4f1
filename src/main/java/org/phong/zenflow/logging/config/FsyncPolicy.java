package org.phong.zenflow.logging.config;

/** When the journal forces its appends to the storage device (key {@code journal.fsync}). */
public enum FsyncPolicy {
    /** Group commit as fast as the device allows: the committer forces whenever anything is unsynced. */
    ALWAYS,
    /** Group commit at most every {@code journal.fsync-interval-ms}: the durability window. */
    INTERVAL,
    /** Never force: appends reach the OS page cache (survives a process crash, not a power loss). */
    NONE
}
