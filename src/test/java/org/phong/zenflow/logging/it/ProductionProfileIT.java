package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.phong.zenflow.logging.it.ServerFiles.copyTree;
import static org.phong.zenflow.logging.it.ServerFiles.deleteTree;
import static org.phong.zenflow.logging.it.ServerFiles.freePort;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The production profile refuses to start while the user registry accepts a local default
 * password, on a real Liberty: a copy of the IT server (same application, same server.xml) is
 * started with {@code ZENFLOW_LOGGING_SECURITY_PROFILE=production} and, as its production registry,
 * the local basicRegistry (what "the local include left in place" looks like). With the documented
 * passwords the application is not started; with every password set it starts, and the defaults
 * get 401. Ports are ephemeral; the copy's database port is closed (the app starts without it).
 */
class ProductionProfileIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    private static final String APP_STARTED = "CWWKZ0001I";
    private static final String APP_NOT_STARTED = "CWWKZ0012I";

    @Test
    void refusesTheLocalDefaultsAndStartsWithRealPasswords() throws Exception {
        Path wlp = Path.of(System.getProperty("it.wlp.dir", "target/liberty/wlp"));
        Path template = wlp.resolve("usr/servers/defaultServer");
        assertTrue(Files.isDirectory(template), "IT server at " + template);

        Server refused = Server.create(wlp, template, "prodcheck-defaults", "");
        try {
            refused.start();
            String outcome = refused.awaitLog(APP_STARTED, APP_NOT_STARTED);
            assertEquals(APP_NOT_STARTED, outcome, "the application must not start with the local default passwords");
            String log = refused.log();
            assertTrue(log.contains("InsecureConfigurationException"), "the reason is logged");
            assertTrue(log.contains("[admin, reader, writer, zenflow]"), "the users are named");
            assertEquals(404, refused.get("/api/v1/admin/status", "zenflow", "zenflow-local"));
        } finally {
            refused.stopAndDelete();
        }

        Server started = Server.create(wlp, template, "prodcheck-strong",
                "ZENFLOW_PASSWORD=Pz-1-strong\nZENFLOW_WRITER_PASSWORD=Pw-2-strong\nZENFLOW_READER_PASSWORD=Pr-3-strong\nZENFLOW_ADMIN_PASSWORD=Pa-4-strong\n");
        try {
            started.start();
            assertEquals(APP_STARTED, started.awaitLog(APP_STARTED, APP_NOT_STARTED));
            assertTrue(started.log().contains("accepts none of the local default passwords"));
            assertEquals(401, started.get("/api/v1/admin/status", "zenflow", "zenflow-local"), "a default password");
            assertEquals(200, started.get("/api/v1/admin/status", "zenflow", "Pz-1-strong"));
        } finally {
            started.stopAndDelete();
        }
    }

    /**
     * The shipped security-production.xml: its LDAP server is not there (the registry answers nobody,
     * so the guard lets the application start), the API needs credentials and /metrics is closed
     * to anonymous callers.
     */
    @Test
    void theShippedProductionIncludeClosesMetrics() throws Exception {
        Path wlp = Path.of(System.getProperty("it.wlp.dir", "target/liberty/wlp"));
        Server ldap = Server.create(wlp, wlp.resolve("usr/servers/defaultServer"), "prodcheck-ldap",
                "LDAP_HOST=127.0.0.1\nLDAP_PORT=" + freePort() + "\nLDAP_BIND_PASSWORD=unused\n", false);
        try {
            ldap.start();
            assertEquals(APP_STARTED, ldap.awaitLog(APP_STARTED, APP_NOT_STARTED));
            int metrics = ItEnvironment.getStatus(URI.create("http://localhost:" + ldap.httpPort() + "/metrics"), ItCredentials.NONE);
            assertTrue(metrics == 401 || metrics == 403 || metrics == 302, "anonymous /metrics answered " + metrics);
            assertEquals(401, ldap.get("/api/v1/admin/status", "zenflow", "zenflow-local"));
        } finally {
            ldap.stopAndDelete();
        }
    }

    /** A copy of the IT server under wlp/usr/servers. */
    private record Server(Path wlp, String name, Path dir, int httpPort) {
        static Server create(Path wlp, Path template, String name, String extraEnv) throws IOException {
            return create(wlp, template, name, extraEnv, true);
        }

        /** @param localAsProduction true: the production include is the local basicRegistry; false: the real LDAP one */
        static Server create(Path wlp, Path template, String name, String extraEnv, boolean localAsProduction) throws IOException {
            Path dir = wlp.resolve("usr/servers").resolve(name);
            deleteTree(dir);
            Files.createDirectories(dir);
            for (String f : List.of("server.xml", "security-local.xml")) Files.copy(template.resolve(f), dir.resolve(f));
            // localAsProduction: the production include is the local registry, the mistake the guard must catch
            Files.copy(template.resolve(localAsProduction ? "security-local.xml" : "security-production.xml"), dir.resolve("security-production.xml"));
            copyTree(template.resolve("apps"), dir.resolve("apps"));
            copyTree(template.resolve("jdbc"), dir.resolve("jdbc"));
            int http = freePort();
            Files.writeString(dir.resolve("server.env"), "http_port=" + http + "\nhttps_port=" + freePort() + "\nDB_PORT=" + freePort()
                    + "\nZENFLOW_LOGGING_SECURITY_PROFILE=production\n" + extraEnv, StandardCharsets.UTF_8);
            return new Server(wlp, name, dir, http);
        }

        void start() throws Exception {
            run("start");
        }

        void stopAndDelete() throws Exception {
            run("stop");
            deleteTree(dir);
        }

        private void run(String action) throws Exception {
            Process p = new ProcessBuilder(wlp.resolve("bin/server").toString(), action, name).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertTrue(p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "server " + action + " " + name);
        }

        String log() throws IOException {
            Path log = dir.resolve("logs/messages.log");
            return Files.exists(log) ? Files.readString(log) : "";
        }

        /** @return the first of the markers to appear in messages.log */
        String awaitLog(String... markers) throws Exception {
            Instant deadline = Instant.now().plus(START_TIMEOUT);
            while (Instant.now().isBefore(deadline)) {
                String log = log();
                for (String m : markers) if (log.contains(m)) return m;
                Thread.sleep(500);
            }
            throw new AssertionError("none of " + List.of(markers) + " in " + dir.resolve("logs/messages.log"));
        }

        int get(String path, String user, String password) throws Exception {
            return ItEnvironment.getStatus(URI.create("http://localhost:" + httpPort + path), new ItCredentials(user, password));
        }
    }
}
