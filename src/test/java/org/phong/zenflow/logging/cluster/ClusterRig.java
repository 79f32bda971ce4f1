package org.phong.zenflow.logging.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.phong.zenflow.logging.devkafka.KafkaBrokerLauncher;
import org.phong.zenflow.logging.devkafka.SharedKafkaBroker;
import org.phong.zenflow.logging.sink.kafka.ConsumerFactory;
import org.phong.zenflow.logging.sink.postgres.PartitionMaintainer;
import org.phong.zenflow.logging.sink.postgres.RunsTableWriter;
import org.phong.zenflow.logging.testing.Closing;
import org.phong.zenflow.logging.testing.Databases;
import org.phong.zenflow.logging.testing.Directories;
import org.phong.zenflow.logging.time.MonotonicClock;
import org.phong.zenflow.logging.time.Sleeper;

/**
 * The run's shared KRaft broker ({@link SharedKafkaBroker}) and one embedded PostgreSQL shared by the cluster tests of a test run
 * ({@code @ExtendWith(ClusterRig.class)}): started by the first class that needs them, stopped when
 * JUnit closes its root store at the end of the run. Starting them costs about half a minute on the CI
 * machine; each test isolates itself with its own topics, consumer group and database
 * ({@link #freshDatabase}, {@link #topic}, {@link #name}), and starts the parts under test on them,
 * closed after the test ({@link #startLoop}, {@link #startProducer}, {@link #startPublisher}).
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
        return Databases.createMigrated(pg(), name("db").replace('-', '_'));
    }

    /** @return a new topic of {@code partitions} partitions named after {@code what} */
    public static String topic(String what, int partitions) throws InterruptedException {
        String t = name(what);
        KafkaBrokerLauncher.createTopic(bootstrap(), t, partitions);
        return t;
    }

    /** A started partition owner (closed with {@code closing}): its writer on {@code writes}, its ledger on {@code ds}; small polls, short backoff. */
    public static PartitionOwnerLoop startLoop(Closing closing, DataSource ds, DataSource writes, String topic, String group, String node,
                                               SequencedListener listener, Sleeper sleeper) {
        PartitionOwnerLoop.Options o = PartitionOwnerLoop.Options.defaults(topic, node).withPollTimeout(Duration.ofMillis(100))
                .withRetryBackoff(20, 200);
        Map<String, Object> consumer = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.CLIENT_ID_CONFIG, node, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000", ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
        PartitionOwnerLoop l = new PartitionOwnerLoop(o, consumer, ConsumerFactory.kafka(), new PartitionLedger(ds),
                new FencedPartitionWriter(writes, new PartitionMaintainer(writes), new RunsTableWriter(node)), listener, sleeper,
                MonotonicClock::nowMillis);
        closing.add(l);
        l.start(Thread::new);
        return l;
    }

    /** @return an ingest producer to {@code topic} that has its metadata (closed with {@code closing}) */
    public static IngestProducer startProducer(Closing closing, String topic) throws InterruptedException {
        IngestProducer p = IngestProducer.create(topic, Map.of("bootstrap.servers", bootstrap()));
        closing.add(p);
        assertTrue(p.awaitReady(Duration.ofSeconds(30)), "ingest topic metadata");
        return p;
    }

    /** @return an output publisher to {@code topic} (closed with {@code closing}) */
    public static OutputPublisher startPublisher(Closing closing, String topic) {
        OutputPublisher p = OutputPublisher.create(topic, Map.of("bootstrap.servers", bootstrap()));
        closing.add(p);
        return p;
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
