package org.phong.zenflow.logging.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.HdrHistogram.Recorder;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.ErrorHandler;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AsyncAppender;
import org.apache.logging.log4j.core.appender.db.ColumnMapping;
import org.apache.logging.log4j.core.appender.db.jdbc.AbstractConnectionSource;
import org.apache.logging.log4j.core.appender.db.jdbc.JdbcAppender;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.NullConfiguration;
import org.apache.logging.log4j.message.StringMapMessage;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.api.LogLevel;

/**
 * The peer a Java team would bolt on instead of the pipeline: Log4j2 (log4j-core 2.25) with an
 * {@link AsyncAppender} (bounded queue, {@code blocking=true}: a full queue blocks the caller, nothing
 * is discarded) in front of a {@link JdbcAppender} that writes the benchmark's rows into the same
 * {@code logs} table through the benchmark's {@link DataSource}. Configured in code, no file.
 *
 * <p>The rows are the {@link Workload}'s, field for field: each entry goes to Log4j2 as a
 * {@link StringMapMessage} (one key per column) at the Log4j2 level of the same name, and the appender
 * maps one column per key with a {@code %K{key}} pattern: {@code workflow_id}/{@code run_id} converted
 * to {@link UUID}, {@code seq} to {@link Long} (Log4j2's type converters), {@code ts} (the entry's own
 * microsecond timestamp, not the event's millisecond one) bound as text with {@code ?::timestamptz},
 * {@code level} from the event ({@code %level}), {@code metadata} with {@code NULLIF(?, '')::jsonb}
 * and the other nullable texts with {@code NULLIF(?, '')} (a missing map key formats as "", which
 * must be NULL as in the pipeline's rows). Log4j2 does not number entries: the producers assign seq
 * 1..n per run themselves, as an engine logging this way would have to.
 *
 * <p>Batching: the JdbcAppender's {@code bufferSize} (JDBC batch of prepared INSERTs, one transaction,
 * flushed when full or when the AsyncAppender's queue runs empty). The appender takes a connection
 * from the pool per batch, as Log4j2 does with any {@code ConnectionSource}.
 *
 * <p>Load: {@code threads} producers, each owning its share of {@code concurrentRuns} run slots, log
 * round-robin over their runs as fast as {@code logger.log} returns (closed loop: the blocking queue
 * is the backpressure). A run logs {@link Workload#runLength} entries and a new run takes its slot.
 * Rows committed are counted on the connection (the batch's update counts, added at commit), the
 * same measure as the pipeline sink's {@code rowsWritten}.
 */
final class Log4jJdbcPeer {
    /** Log4j2 logger name the entries are logged under. */
    static final String LOGGER = "zenflow.node";
    private static final String APPENDER = "zenflow-logs-jdbc";
    private static final String ASYNC = "zenflow-logs-async";

    private final DataSource ds;
    private final Workload workload;
    private final int threads;
    private final int concurrentRuns;
    private final int meanEntriesPerRun;
    private final AtomicLong nextRunIndex;
    private final int queueSize;
    private final int batchSize;

    final LongAdder logged = new LongAdder();
    final LongAdder committed = new LongAdder();
    /** Commits that wrote rows (one a JDBC batch). */
    final LongAdder commits = new LongAdder();
    final LongAdder appenderErrors = new LongAdder();
    final AtomicReference<String> firstError = new AtomicReference<>();
    /** Time inside {@code logger.log} (blocked on the full queue most of the time). */
    final Recorder logCallNanos = new Recorder(3);
    /** Sum of the time producers spent inside {@code logger.log}: near threads x elapsed when the appender is the limit. */
    final LongAdder logCallNanosTotal = new LongAdder();
    private final Map<UUID, LoadGenerator.RunRecord> runs = new ConcurrentHashMap<>();
    private final List<Thread> producers = new ArrayList<>();
    private volatile boolean stop;
    private LoggerContext context;
    private Logger logger;

    Log4jJdbcPeer(DataSource ds, Workload workload, int threads, int concurrentRuns, int meanEntriesPerRun,
                  AtomicLong nextRunIndex, int queueSize, int batchSize) {
        this.ds = ds;
        this.workload = workload;
        this.threads = threads;
        this.concurrentRuns = concurrentRuns;
        this.meanEntriesPerRun = meanEntriesPerRun;
        this.nextRunIndex = nextRunIndex;
        this.queueSize = queueSize;
        this.batchSize = batchSize;
    }

    /** @return the version of log4j-core on the class path */
    static String log4jVersion() {
        String v = LoggerContext.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    /** The column mappings of {@code logs}: the SQL is {@code insert into logs (..) values (..)} in this order. */
    static ColumnMapping[] columnMappings(Configuration config) {
        return new ColumnMapping[]{
            map(config, "workflow_id", "%K{workflow_id}", UUID.class, null),
            map(config, "run_id", "%K{run_id}", UUID.class, null),
            map(config, "seq", "%K{seq}", Long.class, null),
            map(config, "node_key", "%K{node_key}", String.class, null),
            map(config, "ts", "%K{ts}", String.class, "?::timestamptz"),
            map(config, "level", "%level", String.class, null),
            map(config, "message", "%K{message}", String.class, null),
            map(config, "error_code", "%K{error_code}", String.class, "NULLIF(?, '')"),
            map(config, "metadata", "%K{metadata}", String.class, "NULLIF(?, '')::jsonb"),
            map(config, "trace_id", "%K{trace_id}", String.class, "NULLIF(?, '')"),
            map(config, "hierarchy", "%K{hierarchy}", String.class, "NULLIF(?, '')"),
        };
    }

    private static ColumnMapping map(Configuration config, String column, String pattern, Class<?> type, String parameter) {
        ColumnMapping.Builder b = ColumnMapping.newBuilder().setConfiguration(config).setName(column).setPattern(pattern).setColumnType(type);
        if (parameter != null) b.setParameter(parameter);
        ColumnMapping m = b.build();
        if (m == null) throw new IllegalStateException("Log4j2 refused the column mapping of " + column);
        return m;
    }

    /** The entry as the map message an engine would log: one key per column, absent when the field is null. */
    static StringMapMessage message(LogEntry e, long seq) {
        StringMapMessage m = new StringMapMessage(12)
                .with("workflow_id", e.workflowId().toString())
                .with("run_id", e.runId().toString())
                .with("seq", Long.toString(seq))
                .with("node_key", e.nodeKey())
                .with("ts", e.ts().toString())
                .with("message", e.message());
        if (e.errorCode() != null) m.with("error_code", e.errorCode());
        if (e.metadata() != null) m.with("metadata", e.metadata());
        if (e.traceId() != null) m.with("trace_id", e.traceId());
        if (e.hierarchy() != null) m.with("hierarchy", e.hierarchy());
        return m;
    }

    static Level level(LogLevel l) {
        return switch (l) {
            case DEBUG -> Level.DEBUG;
            case INFO -> Level.INFO;
            case WARN -> Level.WARN;
            case ERROR -> Level.ERROR;
        };
    }

    /**
     * Starts a logger context of its own (not the global one) on an empty configuration, then adds the
     * appenders and the logger in code, as Log4j2's manual shows for a running configuration.
     */
    void startLog4j() {
        context = new LoggerContext("zenflow-bench-log4j");
        context.start(new NullConfiguration());
        Configuration config = context.getConfiguration();
        JdbcAppender.Builder<?> jb = JdbcAppender.newBuilder();
        jb.setName(APPENDER).setConfiguration(config);
        CountingConnectionSource source = new CountingConnectionSource(ds, committed, commits);
        source.start();
        jb.setBufferSize(batchSize)
                .setConnectionSource(source)
                .setTableName("logs")
                .setColumnMappings(columnMappings(config));
        JdbcAppender jdbc = jb.build();
        if (jdbc == null) throw new IllegalStateException("Log4j2 refused the JdbcAppender configuration");
        jdbc.setHandler(new CountingErrorHandler());
        jdbc.start();
        config.addAppender(jdbc);
        AsyncAppender async = AsyncAppender.newBuilder()
                .setName(ASYNC)
                .setConfiguration(config)
                .setAppenderRefs(new AppenderRef[]{AppenderRef.createAppenderRef(APPENDER, null, null)})
                .setBlocking(true)
                .setBufferSize(queueSize)
                .setIncludeLocation(false)
                .build();
        async.start();
        config.addAppender(async);
        LoggerConfig lc = LoggerConfig.newBuilder().withLoggerName(LOGGER).withLevel(Level.DEBUG).withAdditivity(false)
                .withConfig(config).withRefs(new AppenderRef[]{AppenderRef.createAppenderRef(ASYNC, null, null)}).build();
        lc.addAppender(async, null, null);
        config.addLogger(LOGGER, lc);
        context.updateLoggers();
        logger = context.getLogger(LOGGER);
    }

    void startProducers() {
        producers.addAll(LoadGenerator.startSlotThreads(threads, concurrentRuns, "bench-log4j-producer-", this::produce));
    }

    /** Stops logging; each producer records its open runs as they stand. */
    void stopProducers() throws InterruptedException {
        stop = true;
        for (Thread t : producers) t.join();
    }

    /**
     * Stops the logger context: the AsyncAppender drains its queue, the JdbcAppender flushes its last
     * batch. @return true when stopped within the timeout
     */
    boolean stopLog4j(long timeoutMs) {
        return context.stop(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** @return entries logged per run, every run the producers opened */
    Map<UUID, Long> expected() {
        Map<UUID, Long> out = new java.util.HashMap<>();
        for (LoadGenerator.RunRecord r : runs.values()) out.put(r.runId(), r.accepted());
        return out;
    }

    /** @return every run the producers opened, in run-index order */
    List<LoadGenerator.RunRecord> runs() {
        List<LoadGenerator.RunRecord> out = new ArrayList<>(runs.values());
        out.sort(java.util.Comparator.comparingLong(LoadGenerator.RunRecord::runIndex));
        return out;
    }

    private final class Slot extends RunSlot {
        void open() {
            take(workload, nextRunIndex.getAndIncrement(), meanEntriesPerRun);
        }

        void complete() {
            runs.put(runId, new LoadGenerator.RunRecord(runIndex, workflowId, runId, emitted));
        }
    }

    private void produce(int slotCount) {
        if (slotCount == 0) return;
        Slot[] slots = new Slot[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Slot();
            slots[i].open();
        }
        long i = 0;
        while (!stop) {
            Slot s = slots[(int) (i++ % slotCount)];
            long seq = s.emitted + 1;
            LogEntry e = workload.entry(s.runIndex, s.workflowId, s.runId, seq, null);
            StringMapMessage m = message(e, seq);
            long t0 = System.nanoTime();
            logger.log(level(e.level()), m);
            long took = System.nanoTime() - t0;
            logCallNanos.recordValue(took);
            logCallNanosTotal.add(took);
            s.emitted = seq;
            logged.increment();
            if (s.emitted >= s.length) {
                s.complete();
                s.open();
            }
        }
        for (Slot s : slots) s.complete();
    }

    /** Counts what Log4j2 reports through the appender's error handler (a failed batch is lost). */
    private final class CountingErrorHandler implements ErrorHandler {
        @Override
        public void error(String msg) {
            record(msg, null);
        }

        @Override
        public void error(String msg, Throwable t) {
            record(msg, t);
        }

        @Override
        public void error(String msg, LogEvent event, Throwable t) {
            record(msg, t);
        }

        private void record(String msg, Throwable t) {
            appenderErrors.increment();
            Throwable root = t;
            while (root != null && root.getCause() != null) root = root.getCause();
            firstError.compareAndSet(null, msg + (root == null ? "" : ": " + root));
        }
    }

    /**
     * The benchmark's pool as Log4j2's ConnectionSource. Connections are wrapped to count committed rows:
     * the update counts of {@code executeBatch}/{@code executeUpdate} on a connection are added to
     * {@code committed} when it commits (dropped on rollback).
     */
    static final class CountingConnectionSource extends AbstractConnectionSource {
        private final DataSource ds;
        private final LongAdder committed;
        private final LongAdder commits;

        CountingConnectionSource(DataSource ds, LongAdder committed, LongAdder commits) {
            this.ds = ds;
            this.committed = committed;
            this.commits = commits;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = ds.getConnection();
            long[] pending = new long[1];
            InvocationHandler h = (proxy, m, args) -> {
                switch (m.getName()) {
                    case "prepareStatement" -> {
                        Statement s = (Statement) invoke(c, m, args);
                        return counting((PreparedStatement) s, pending);
                    }
                    case "commit" -> {
                        invoke(c, m, args);
                        if (pending[0] > 0) {
                            committed.add(pending[0]);
                            commits.increment();
                        }
                        pending[0] = 0;
                        return null;
                    }
                    case "rollback" -> {
                        pending[0] = 0;
                        return invoke(c, m, args);
                    }
                    default -> {
                        return invoke(c, m, args);
                    }
                }
            };
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class}, h);
        }

        private static PreparedStatement counting(PreparedStatement s, long[] pending) {
            InvocationHandler h = (proxy, m, args) -> {
                Object r = invoke(s, m, args);
                if (m.getName().equals("executeBatch")) {
                    for (int n : (int[]) r) pending[0] += n >= 0 ? n : 1; // SUCCESS_NO_INFO: one row a statement
                } else if (m.getName().equals("executeUpdate")) {
                    pending[0] += (Integer) r;
                }
                return r;
            };
            return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                    new Class<?>[]{PreparedStatement.class}, h);
        }

        private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @Override
        public String toString() {
            return "bench pool (" + ds + ")";
        }
    }
}
