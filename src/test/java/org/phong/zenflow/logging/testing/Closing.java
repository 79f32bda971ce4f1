package org.phong.zenflow.logging.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test opened (loops, producers, consumers, hubs), closed after each test in the reverse order of
 * opening: register as a field with {@code @RegisterExtension final Closing closing = new Closing();}. Every
 * part is closed even when one throws; the first failure is rethrown with the others suppressed in it.
 */
public final class Closing implements AfterEachCallback {
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Closes {@code c} after the test (before what was added earlier). */
    public synchronized void add(AutoCloseable c) {
        opened.add(c);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<AutoCloseable> all;
        synchronized (this) {
            all = new ArrayList<>(opened);
            opened.clear();
        }
        Exception first = null;
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                all.get(i).close();
            } catch (Exception e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }
}
