package org.phong.zenflow.logging.rest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request body up to a limit without ever holding more than limit + 1 bytes. */
final class BodyReader {
    private static final int CHUNK = 8192;

    /** The body was larger than allowed. */
    static final class TooLarge extends Exception {
        private static final long serialVersionUID = 1L;
    }

    private BodyReader() {
    }

    static byte[] read(InputStream in, long limit) throws IOException, TooLarge {
        if (in == null) return new byte[0];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[CHUNK];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > limit) throw new TooLarge();
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
