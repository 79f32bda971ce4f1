package org.phong.zenflow.logging.cluster;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;
import org.phong.zenflow.logging.devkafka.SharedKafkaBroker;
import org.phong.zenflow.logging.sink.postgres.SchemaMigrator;
import org.phong.zenflow.logging.testing.Directories;

/**
 * The run's shared KRaft broker ({@link SharedKafkaBroker}) and one embedded PostgreSQL shared by the cluster tests of a test run
 * ({@code @ExtendWith(ClusterRig.class)}): started by the first class that needs them, stopped when
 * JUnit closes its root store at the end of the run. Starting them costs about half a minute on the CI
 * machine; each test isolates itself with its own topics, consumer group and database
 * ({@link #freshDatabase}, {@link #name}).
 */
public final class ClusterRig implements BeforeAllCallback, ExtensionContext.Store.CloseableResource {
    /** The running rig, once started: one per test JVM, like the broker process it stands for. */
    private static volatile ClusterRig running;

    private final Path dir;
    private final String bootstrap;
    private final EmbeddedPostgres pg;
    private final AtomicInteger names = new AtomicInteger();

    /** For JUnit's {@code @ExtendWith}: the instance that starts nothing until {@link #beforeAll}. */
    public ClusterRig() {
        this.dir = null;
        this.bootstrap = null;
        this.pg = null;
    }

    private ClusterRig(Path dir, String bootstrap, EmbeddedPostgres pg) {
        this.dir = dir;
        this.bootstrap = bootstrap;
        this.pg = pg;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (ClusterRig.class) {
            if (running != null) return;
            KafkaBrokerLauncher.quietClientLogs();
            EmbeddedPostgres db = EmbeddedPostgres.start();
            Path d = Files.createTempDirectory("cluster-rig");
            String b = SharedKafkaBroker.bootstrap(context); // the run's one broker, shared with the other broker tests
            ClusterRig rig = new ClusterRig(d, b, db);
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(ClusterRig.class.getName(), rig);
            running = rig;
        }
    }

    @Override
    public void close() throws Exception {
        synchronized (ClusterRig.class) {
            running = null;
            try {
                pg.close();
            } finally {
                Directories.deleteTree(dir);
            }
        }
    }

    private static ClusterRig rig() {
        ClusterRig r = running;
        if (r == null) throw new IllegalStateException("annotate the test class with @ExtendWith(ClusterRig.class)");
        return r;
    }

    /** @return the broker's bootstrap address */
    public static String bootstrap() {
        return rig().bootstrap;
    }

    /** @return the embedded PostgreSQL */
    static EmbeddedPostgres pg() {
        return rig().pg;
    }

    /** @return {@code prefix-n}, unique within the run (topics, groups, databases) */
    static String name(String prefix) {
        return prefix + "-" + rig().names.incrementAndGet();
    }

    /** @return a new, migrated database */
    public static DataSource freshDatabase() throws SQLException {
        String name = name("db").replace('-', '_');
        try (Connection c = pg().getPostgresDatabase().getConnection()) {
            c.createStatement().execute("CREATE DATABASE " + name);
        }
        DataSource ds = pg().getDatabase("postgres", name);
        SchemaMigrator.migrate(ds);
        return ds;
    }

    /** @return a new topic of {@code partitions} partitions named after {@code what} */
    public static String topic(String what, int partitions) throws InterruptedException {
        String t = name(what);
        KafkaBrokerLauncher.createTopic(bootstrap(), t, partitions);
        return t;
    }

    /**
     * Sends the records in order; a refused record is sent again (after 5 ms) before the next, which keeps
     * each run's order. @return each record's acknowledgement, in order
     */
    public static List<CompletableFuture<RecordMetadata>> sendInOrder(IngestProducer p, List<IngestRecord> records)
            throws InterruptedException {
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
        for (IngestRecord r : records) {
            while (true) {
                try {
                    acks.add(p.send(r).toCompletableFuture());
                    break;
                } catch (IngestRefusedException e) {
                    Thread.sleep(5);
                }
            }
        }
        return acks;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
