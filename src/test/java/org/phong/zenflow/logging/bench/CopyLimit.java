package org.phong.zenflow.logging.bench;

import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.CopyFormat;
import org.phong.zenflow.logging.sink.postgres.CopyEncoder;
import org.phong.zenflow.logging.sink.postgres.CopyRows;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The database's limit for this work: one connection, {@code COPY logs FROM STDIN} of the given runs'
 * rows (rebuilt by the {@link Workload}: same runs, seqs, messages, metadata), {@code rowsPerCopy}
 * rows and one commit per COPY, into the same (emptied) table with the same indexes. Rows go
 * grouped by run, in seq order: the most index-friendly order, so this is the database's best case.
 * A producer thread builds and encodes the next chunk while the current one is COPYed, so Java's
 * work overlaps the database's instead of adding to it. Run once per COPY format (text, binary):
 * the faster one is the limit the pipeline is held to.
 */
final class CopyLimit {
    /** Encoded chunks waiting for the COPY: enough to keep the connection busy, little memory. */
    private static final int CHUNKS_AHEAD = 3;
    private static final byte[] END = new byte[0];

    /** @param rows rows written @param nanos from the first COPY's start to the last commit */
    record Result(long rows, long nanos) {
        double rowsPerSecond() {
            return rows * 1e9 / Math.max(1, nanos);
        }
    }

    private record Chunk(byte[] bytes, int rows) {
    }

    static Result run(DataSource ds, Workload workload, List<LoadGenerator.RunRecord> runs, int rowsPerCopy,
                      CopyFormat format) throws Exception {
        BlockingQueue<Chunk> ready = new ArrayBlockingQueue<>(CHUNKS_AHEAD);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                CopyRows enc = CopyRows.of(format);
                List<LogEntry> chunk = new ArrayList<>(rowsPerCopy);
                for (LoadGenerator.RunRecord r : runs) {
                    for (long k = 1; k <= r.accepted(); k++) {
                        chunk.add(workload.entry(r.runIndex(), r.workflowId(), r.runId(), k, Instant.now()).withSeq(k));
                        if (chunk.size() == rowsPerCopy) {
                            ready.put(encode(enc, chunk));
                        }
                    }
                }
                if (!chunk.isEmpty()) ready.put(encode(enc, chunk));
            } catch (Throwable t) {
                failed.set(t);
            } finally {
                try {
                    ready.put(new Chunk(END, 0));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "bench-copy-producer");
        producer.setDaemon(true);
        producer.start();

        long rows = 0;
        long begin = 0;
        String sql = "COPY logs (" + CopyEncoder.COLUMNS + ") FROM STDIN" + CopyRows.of(format).copyOptions();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            while (true) {
                Chunk ch = ready.take();
                if (ch.bytes() == END) break;
                if (begin == 0) begin = System.nanoTime();
                rows += copy.copyIn(sql, new ByteArrayInputStream(ch.bytes()), 64 * 1024);
                c.commit();
            }
            c.setAutoCommit(true);
        }
        long nanos = System.nanoTime() - begin;
        producer.join();
        if (failed.get() != null) throw new IllegalStateException("building the COPY rows failed", failed.get());
        return new Result(rows, nanos);
    }

    private static Chunk encode(CopyRows enc, List<LogEntry> chunk) throws java.io.IOException {
        enc.reset();
        enc.encode(chunk);
        Chunk c = new Chunk(enc.asInputStream().readAllBytes(), chunk.size());
        chunk.clear();
        return c;
    }
}
