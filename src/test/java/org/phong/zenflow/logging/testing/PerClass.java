package org.phong.zenflow.logging.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A resource one test class shares across its tests (an embedded PostgreSQL, a benchmark
 * database): opened before the class's first test, closed after its last. Register it on a static
 * field, {@code @RegisterExtension static final PerClass<Pg> PG = PerClass.of(Pg::startMigrated);},
 * and read it with {@link #get()}. The class's own {@code @BeforeAll} methods run after the open and
 * its {@code @AfterAll} methods before the close, so they may use the resource.
 *
 * @param <T> the resource
 */
public final class PerClass<T extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback {
    /** Opens the resource. */
    @FunctionalInterface
    public interface Opener<T> {
        T open() throws Exception;
    }

    private final Opener<T> opener;
    private T resource;

    private PerClass(Opener<T> opener) {
        this.opener = opener;
    }

    /** @param opener how to open the resource, once per test class */
    public static <T extends AutoCloseable> PerClass<T> of(Opener<T> opener) {
        return new PerClass<>(opener);
    }

    /** @return the open resource (only between the class's first and last test) */
    public T get() {
        if (resource == null) throw new IllegalStateException("not open: used outside the test class's lifetime");
        return resource;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        resource = opener.open();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        T r = resource;
        resource = null;
        if (r != null) r.close();
    }
}
