package org.phong.zenflow.logging.rest;

/**
 * Examples and texts shared by the OpenAPI annotations of the resources (compile-time constants, as
 * annotations need). The schemas they refer to by name ({@code LogEntryIn}, {@code Error}, ...) are in
 * {@code META-INF/openapi.yaml}, the base of the document served at {@code /openapi}.
 */
public final class ApiDocs {
    private ApiDocs() {
    }

    /** RFC 9457 problem document: the media type of every error answer (see {@code ApiErrors}). */
    public static final String PROBLEM_JSON = "application/problem+json";

    public static final String TAG_INGEST = "ingestion";
    public static final String TAG_RUNS = "runs";
    public static final String TAG_ADMIN = "admin";

    public static final String RUN_ID = "1f0e4a52-3f7c-4d0e-9a0b-2b1c3d4e5f60";
    public static final String WORKFLOW_ID = "8d5c0b7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f";

    public static final String RUN_ID_DESCRIPTION = "the run's UUID (8-4-4-4-12 hex digits)";

    public static final String ENTRY_IN = "{\"workflowId\":\"" + WORKFLOW_ID + "\",\"runId\":\"" + RUN_ID + "\","
            + "\"nodeKey\":\"fetch-orders\",\"ts\":\"2026-11-28T17:02:37.123456Z\",\"level\":\"INFO\","
            + "\"message\":\"fetched 42 orders\",\"metadata\":{\"count\":42},\"traceId\":\"4bf92f3577b34da6\","
            + "\"hierarchy\":\"root/fetch-orders\"}";
    public static final String ENTRIES_IN = "[" + ENTRY_IN + "]";
    public static final String ENTRY_OUT = "{\"workflowId\":\"" + WORKFLOW_ID + "\",\"runId\":\"" + RUN_ID + "\",\"seq\":1,"
            + "\"nodeKey\":\"fetch-orders\",\"ts\":\"2026-11-28T17:02:37.123456Z\",\"level\":\"INFO\","
            + "\"message\":\"fetched 42 orders\",\"errorCode\":null,\"metadata\":{\"count\":42},"
            + "\"traceId\":\"4bf92f3577b34da6\",\"hierarchy\":\"root/fetch-orders\"}";

    public static final String INGESTED = "{\"accepted\":98,\"dropped\":2,\"rejected\":0}";
    public static final String HISTORY = "{\"runId\":\"" + RUN_ID + "\",\"entries\":[" + ENTRY_OUT + "],\"nextAfterSeq\":1}";
    public static final String RUN_NODES = "{\"runId\":\"" + RUN_ID + "\",\"nodes\":[{\"nodeKey\":\"fetch-orders\",\"entries\":120,"
            + "\"warnings\":3,\"errors\":1,\"firstSeq\":1,\"lastSeq\":118}]}";
    public static final String DOWNLOAD_NDJSON = ENTRY_OUT + "\n";
    public static final String DOWNLOAD_TEXT = "2026-11-28T17:02:37.123456Z INFO  fetch-orders #1 fetched 42 orders trace=4bf92f3577b34da6 path=root/fetch-orders {\"count\":42}\n";
    public static final String RUN_START = "{\"workflowId\":\"" + WORKFLOW_ID + "\"}";
    public static final String RUN_STARTED = "{\"runId\":\"" + RUN_ID + "\",\"workflowId\":\"" + WORKFLOW_ID + "\"}";
    public static final String RUN_END = "{\"outcome\":\"SUCCEEDED\"}";
    public static final String RUN_ENDED = "{\"runId\":\"" + RUN_ID + "\",\"outcome\":\"SUCCEEDED\"}";
    public static final String STATUS = "{\"mode\":\"single\",\"schemaReady\":true,\"strategy\":\"DROP_DEBUG_FIRST\",\"inFlight\":120,"
            + "\"capacity\":100000,\"rejected\":0,\"droppedTotal\":0,\"dropped\":{\"THRESHOLD\":{\"DEBUG\":0,\"INFO\":0,"
            + "\"WARN\":0,\"ERROR\":0}},\"routed\":5000,\"queueDepth\":0,\"workersAlive\":true,\"activeRuns\":3,"
            + "\"bufferedEntries\":120,\"releasedRuns\":7,\"lateStartConflicts\":0,\"bufferedBytesEstimate\":61440,\"largestRunBytesEstimate\":20480,"
            + "\"sinks\":[{\"name\":\"postgresql\",\"durable\":true,\"healthy\":true,\"backlog\":0,\"written\":4880,"
            + "\"failures\":0,\"dropped\":0,\"consecutiveFailures\":0,\"lastError\":null}],\"journalBacklog\":{\"entries\":0,\"bytes\":0,"
            + "\"oldestAgeMs\":0,\"drainEntriesPerSecond\":0,\"fillPercent\":0,\"usedBytes\":4096,\"budgetBytes\":4294967296,"
            + "\"secondsUntilFull\":-1,\"overflowEntries\":0},\"journalRecovery\":{\"segments\":1,\"records\":0,\"damagedBytes\":0,"
            + "\"damage\":[],\"lost\":[],\"asideFiles\":[]},\"rejections\":{\"rejected\":0,"
            + "\"isolatedBatches\":0,\"lastRejectedAt\":null,\"lastSqlState\":null,\"lastError\":null},\"jvmThreads\":41}";
    public static final String SIMULATE = "{\"runs\":10,\"entriesPerRun\":1000,\"threads\":4,\"complete\":true,\"via\":\"route\"}";
    public static final String SIMULATED = "{\"workflowId\":\"" + WORKFLOW_ID + "\",\"runIds\":[\"" + RUN_ID + "\"],"
            + "\"accepted\":1000,\"dropped\":0,\"rejected\":0,\"firedAsEvents\":0,\"millis\":12}";

    public static final String BAD_ENTRY = "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"entry 3: level must be one of DEBUG, INFO, WARN, ERROR, not 'LOUD'\",\"index\":3,\"field\":\"level\"}";
    public static final String BAD_JSON = "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"body is not valid JSON: Unexpected char 110 at (line no=1, column no=2, offset=1)\",\"index\":null,\"field\":\"body\"}";
    public static final String BAD_RUN_ID = "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"runId must be a UUID (8-4-4-4-12 hex digits), not 'xyz'\",\"index\":null,\"field\":\"runId\"}";
    public static final String BAD_WORKFLOW_ID = "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"workflowId is required\",\"index\":null,\"field\":\"workflowId\"}";
    public static final String BAD_OUTCOME = "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"outcome must be one of SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, not 'WON'\",\"index\":null,\"field\":\"outcome\"}";
    public static final String BAD_LIMIT = "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"limit must be a whole number from 1 to 1000, not '0'\",\"index\":null,\"field\":\"limit\"}";
    public static final String BAD_BODY = "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"body must be a JSON object\",\"index\":null,\"field\":\"body\"}";
    public static final String TOO_LARGE = "{\"type\":\"about:blank\",\"title\":\"Request Entity Too Large\",\"status\":413,\"detail\":\"body is larger than 10485760 bytes (zenflow.logging.http.max-body-bytes)\",\"index\":null,\"field\":null}";
    public static final String BACKPRESSURE = "{\"type\":\"about:blank\",\"title\":\"Too Many Requests\",\"status\":429,\"detail\":\"the log pipeline is under backpressure; retry after 1 s\",\"index\":null,\"field\":null}";
    public static final String RUNS_CURSOR = "MTc5NjQ4MDAwMC4wfDFmMGU0YTUyLTNmN2MtNGQwZS05YTBiLTJiMWMzZDRlNWY2MA";
    public static final String RUNS = "{\"state\":\"active\",\"runs\":[{\"runId\":\"" + RUN_ID + "\",\"workflowId\":\"" + WORKFLOW_ID
            + "\",\"start\":\"2026-11-28T18:00:00Z\",\"end\":null,\"outcome\":null,\"entries\":1200,\"errors\":3,\"warnings\":12,"
            + "\"lastSeq\":1200,\"owner\":\"node-a/4242\"}],\"nextCursor\":\"" + RUNS_CURSOR + "\"}";
    public static final String BAD_STATE = "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"state must be active, recent, ended or all, not 'old'\",\"index\":null,\"field\":\"state\"}";
    public static final String STREAM_LOAD = "{\"runId\":\"" + RUN_ID + "\",\"entries\":10000,\"ratePerSecond\":2000}";
    public static final String STREAM_LOADED = "{\"accepted\":10000,\"dropped\":0,\"rejected\":0,\"millis\":5003,\"entriesPerSecond\":1998.8}";
    public static final String STREAM_STATUS = "{\"openSessions\":2,\"watchedRuns\":1,\"sessionsOpened\":7,\"framesSent\":12040,"
            + "\"entriesSent\":12000,\"closedSlow\":1,\"closedDead\":0,\"historyTimeouts\":0}";
    public static final String STREAM_CLOSED = "{\"closed\":2}";
    public static final String FORBIDDEN = "{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"the authenticated user lacks the role this endpoint needs\",\"index\":null,\"field\":null}";
    public static final String SIMULATOR_OFF_DETAIL = "the simulator is off (zenflow.logging.admin.simulator.enabled=false)";
    public static final String SIMULATOR_OFF = "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"" + SIMULATOR_OFF_DETAIL
            + "\",\"index\":null,\"field\":null}";
    public static final String NOT_RUNNING = "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500,"
            + "\"detail\":\"the server could not answer this request (IllegalStateException); the server log has the cause\","
            + "\"index\":null,\"field\":null}";
    public static final String DATABASE_DOWN = "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500,\"detail\":\"PostgreSQL could not be read or written; retry later\",\"index\":null,\"field\":null}";
}
