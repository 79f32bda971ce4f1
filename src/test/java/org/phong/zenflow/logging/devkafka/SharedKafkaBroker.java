package org.phong.zenflow.logging.devkafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.phong.zenflow.logging.testing.Directories;

/**
 * One forked KRaft broker ({@link KafkaBrokerLauncher}) for every test class of a test run that asks for
 * it, instead of one per class: on a loaded 2-core machine a broker start costs 30 s or more, most of a
 * broker test class's time. The broker lives in JUnit's root store (JUnit's state, not a static field):
 * started on first use, stopped and its directory deleted when the run ends. (A killed run leaves the
 * forked broker running, as any test of the launcher does: it outlives its JVM by design.)
 *
 * <p>Use: {@code @ExtendWith(SharedKafkaBroker.class)} on the class, and a {@code Bootstrap} parameter on
 * its {@code @BeforeAll}. Classes sharing it must name their topics and groups apart (a prefix each).
 */
public final class SharedKafkaBroker implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedKafkaBroker.class);

    /** @param address the broker's bootstrap address */
    public record Bootstrap(String address) {
    }

    /** The started broker, closed by JUnit when the root context closes (the end of the run). */
    private static final class Running implements ExtensionContext.Store.CloseableResource {
        final Path dir;
        final String bootstrap;

        Running(Path dir, String bootstrap) {
            this.dir = dir;
            this.bootstrap = bootstrap;
        }

        @Override
        public void close() throws Exception {
            KafkaBrokerLauncher.stop(dir.resolve("kafka"));
            Directories.deleteTree(dir);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == Bootstrap.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return new Bootstrap(bootstrap(c));
    }

    /** @return the run's shared broker's bootstrap address, starting it on first use (for other extensions) */
    public static String bootstrap(ExtensionContext c) {
        return c.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Running.class, k -> start(), Running.class).bootstrap;
    }

    private static Running start() {
        try {
            KafkaBrokerLauncher.quietClientLogs();
            Path dir = Files.createTempDirectory("shared-kafka");
            return new Running(dir, KafkaBrokerLauncher.start(dir.resolve("kafka"), freePort(), freePort(), true));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the shared Kafka broker", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the shared Kafka broker", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
