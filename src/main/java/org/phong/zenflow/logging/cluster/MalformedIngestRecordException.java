package org.phong.zenflow.logging.cluster;

/**
 * A record of the ingest topic that {@link IngestCodec} cannot turn into an {@link IngestRecord}. It will
 * never decode, however often it is read: the partition owner counts it, logs it with its offset and
 * consumes its offset without a row, so the records after it are stored.
 */
public final class MalformedIngestRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param reason what is wrong with the record */
    public MalformedIngestRecordException(String reason) {
        super(reason);
    }
}
