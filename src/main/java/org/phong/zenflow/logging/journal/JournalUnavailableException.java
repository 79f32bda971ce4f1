package org.phong.zenflow.logging.journal;

/** The journal cannot confirm durability: it is disabled, full, or its directory failed. */
public class JournalUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param reason why, in words */
    public JournalUnavailableException(String reason) {
        super(reason);
    }
}
