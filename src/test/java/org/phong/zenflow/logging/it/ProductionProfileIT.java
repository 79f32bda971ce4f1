package org.phong.zenflow.logging.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.phong.zenflow.logging.it.ServerFiles.copyTree;
import static org.phong.zenflow.logging.testing.Directories.deleteTree;
import static org.phong.zenflow.logging.it.ServerFiles.freePort;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The production profile on a real Liberty: a copy of the IT server (same application, same server.xml)
 * started with {@code ZENFLOW_LOGGING_SECURITY_PROFILE=production} (or with no profile at all: the
 * WAR's default) and, as its production registry, either the local basicRegistry (what "the local
 * include left in place" looks like) or the shipped LDAP include. It refuses to start with the README
 * passwords, with the database's default password, and with a registry it cannot ask (fail closed);
 * with everything set it starts, serves the API over TLS only (plain HTTP 403 naming the key, also for
 * a live-tail handshake) and the defaults get 401. Ports are ephemeral; the copy's database port is
 * closed (the app starts without it).
 */
class ProductionProfileIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    private static final String APP_STARTED = "CWWKZ0001I";
    private static final String APP_NOT_STARTED = "CWWKZ0012I";
    private static final String STRONG_PASSWORDS = "ZENFLOW_PASSWORD=Pz-1-strong\nZENFLOW_WRITER_PASSWORD=Pw-2-strong\n"
            + "ZENFLOW_READER_PASSWORD=Pr-3-strong\nZENFLOW_ADMIN_PASSWORD=Pa-4-strong\n";
    private static final String STRONG_DB = "DB_PASSWORD=Db-5-strong\n";
    private static final String PRODUCTION = "ZENFLOW_LOGGING_SECURITY_PROFILE=production\n";

    @Test
    void refusesTheLocalDefaultsAndTheDatabaseDefault() throws Exception {
        Path wlp = Path.of(System.getProperty("it.wlp.dir", "target/liberty/wlp"));
        Path template = wlp.resolve("usr/servers/defaultServer");
        assertTrue(Files.isDirectory(template), "IT server at " + template);

        Server refused = Server.create(wlp, template, "prodcheck-defaults", PRODUCTION + STRONG_DB, Registry.LOCAL);
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

        Server db = Server.create(wlp, template, "prodcheck-db", PRODUCTION + STRONG_PASSWORDS + "DB_PASSWORD=postgres\n", Registry.LOCAL);
        try {
            db.start();
            assertEquals(APP_NOT_STARTED, db.awaitLog(APP_STARTED, APP_NOT_STARTED), "not with the database's default password");
            assertTrue(db.log().contains("Set DB_PASSWORD"), "the message names what to set");
        } finally {
            db.stopAndDelete();
        }
    }

    @Test
    void startsWithRealPasswordsAndServesTheApiOverTlsOnly() throws Exception {
        Path wlp = Path.of(System.getProperty("it.wlp.dir", "target/liberty/wlp"));
        Path template = wlp.resolve("usr/servers/defaultServer");
        Path keystore = Files.createTempFile("zenflow-tls", ".p12");
        Files.delete(keystore);
        String storePass = "Ks-6-strong";
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "zenflow", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", storePass,
                "-keypass", storePass).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool made " + keystore);
        Server started = Server.create(wlp, template, "prodcheck-strong", PRODUCTION + STRONG_PASSWORDS + STRONG_DB
                + "ZENFLOW_TLS_KEYSTORE=" + keystore + "\nZENFLOW_TLS_KEYSTORE_PASSWORD=" + storePass + "\n", Registry.LOCAL_WITH_TLS);
        try {
            started.start();
            assertEquals(APP_STARTED, started.awaitLog(APP_STARTED, APP_NOT_STARTED));
            assertTrue(started.log().contains("accepts none of the local default passwords"));
            // plain HTTP: refused before any resource runs, naming the key
            HttpResponse<String> plain = ItEnvironment.httpClientAs(new ItCredentials("zenflow", "Pz-1-strong")).send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + started.httpPort() + "/api/v1/admin/status"))
                            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, plain.statusCode(), plain.body());
            assertTrue(plain.body().contains("zenflow.logging.security.allow-plain-http"), plain.body());
            assertEquals(403, started.get("/api/v1/logs", "zenflow", "Pz-1-strong"), "every API path");
            assertEquals(403, wsHandshakeStatus(URI.create("ws://localhost:" + started.httpPort() + "/ws/runs/" + java.util.UUID.randomUUID()),
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build(), new ItCredentials("zenflow", "Pz-1-strong")),
                    "a live tail over plain HTTP");
            // TLS: the API answers, and only to real passwords
            HttpClient tls = HttpClient.newBuilder().sslContext(trusting(keystore, storePass)).connectTimeout(Duration.ofSeconds(30)).build();
            URI status = URI.create("https://localhost:" + started.httpsPort() + "/api/v1/admin/status");
            assertEquals(401, send(tls, status, new ItCredentials("zenflow", "zenflow-local")), "a default password");
            assertEquals(200, send(tls, status, new ItCredentials("zenflow", "Pz-1-strong")));
        } finally {
            started.stopAndDelete();
            Files.deleteIfExists(keystore);
        }
    }

    /**
     * No profile set at all: the WAR's default is production. With the shipped security-production.xml
     * its LDAP server is not there, so the registry cannot be asked: the application refuses to start
     * (fail closed) naming what to set, and /metrics stays closed to anonymous callers.
     */
    @Test
    void byDefaultProductionFailsClosedWhenTheRegistryCannotBeAsked() throws Exception {
        Path wlp = Path.of(System.getProperty("it.wlp.dir", "target/liberty/wlp"));
        Server ldap = Server.create(wlp, wlp.resolve("usr/servers/defaultServer"), "prodcheck-ldap",
                "LDAP_HOST=127.0.0.1\nLDAP_PORT=" + freePort() + "\nLDAP_BIND_PASSWORD=unused\n" + STRONG_DB
                        + "ZENFLOW_LOGGING_SECURITY_REGISTRY_CHECK_ATTEMPTS=2\nZENFLOW_LOGGING_SECURITY_REGISTRY_CHECK_DELAY_MS=100\n",
                Registry.SHIPPED_LDAP);
        try {
            ldap.start();
            assertEquals(APP_NOT_STARTED, ldap.awaitLog(APP_STARTED, APP_NOT_STARTED), "fail closed: " + ldap.dir());
            String log = ldap.log();
            assertTrue(log.contains("could not be asked"), "the reason is logged");
            assertTrue(log.contains("LDAP_HOST"), "the message names what to set");
            int metrics = ItEnvironment.getStatus(URI.create("http://localhost:" + ldap.httpPort() + "/metrics"), ItCredentials.NONE);
            assertTrue(metrics == 401 || metrics == 403 || metrics == 302, "anonymous /metrics answered " + metrics);
        } finally {
            ldap.stopAndDelete();
        }
    }

    private static int send(HttpClient client, URI uri, ItCredentials who) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", who.header()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int wsHandshakeStatus(URI uri, HttpClient client, ItCredentials who) throws Exception {
        try {
            client.newWebSocketBuilder().header("Authorization", who.header()).connectTimeout(Duration.ofSeconds(30))
                    .buildAsync(uri, new java.net.http.WebSocket.Listener() { }).get(60, TimeUnit.SECONDS).abort();
            return 101;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException h) return h.getResponse().statusCode();
            throw e;
        }
    }

    /** An SSLContext trusting the certificate of {@code keystore} (the server's self-signed one). */
    private static javax.net.ssl.SSLContext trusting(Path keystore, String password) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            ks.load(in, password.toCharArray());
        }
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", ks.getCertificate("zenflow"));
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** What the copy uses as security-production.xml. */
    private enum Registry {
        /** the local basicRegistry: the mistake the guard must catch */
        LOCAL,
        /** the local basicRegistry plus the shipped TLS include */
        LOCAL_WITH_TLS,
        /** the shipped LDAP include (with TLS) */
        SHIPPED_LDAP
    }

    /** A copy of the IT server under wlp/usr/servers. */
    private record Server(Path wlp, String name, Path dir, int httpPort, int httpsPort) {
        /** @param env the copy's server.env lines (the profile too: without it, the WAR's default applies) */
        static Server create(Path wlp, Path template, String name, String env, Registry registry) throws IOException {
            Path dir = wlp.resolve("usr/servers").resolve(name);
            deleteTree(dir);
            Files.createDirectories(dir);
            for (String f : List.of("server.xml", "security-local.xml", "tls-production.xml")) Files.copy(template.resolve(f), dir.resolve(f));
            switch (registry) {
                case LOCAL -> Files.copy(template.resolve("security-local.xml"), dir.resolve("security-production.xml"));
                case LOCAL_WITH_TLS -> Files.writeString(dir.resolve("security-production.xml"), "<server>\n"
                        + "    <include location=\"${server.config.dir}/security-local.xml\"/>\n"
                        + "    <include location=\"${server.config.dir}/tls-production.xml\"/>\n</server>\n", StandardCharsets.UTF_8);
                case SHIPPED_LDAP -> Files.copy(template.resolve("security-production.xml"), dir.resolve("security-production.xml"));
            }
            copyTree(template.resolve("apps"), dir.resolve("apps"));
            copyTree(template.resolve("jdbc"), dir.resolve("jdbc"));
            LibertyCopies.writeLightJvmOptions(dir);
            int http = freePort();
            int https = freePort();
            Files.writeString(dir.resolve("server.env"), "http_port=" + http + "\nhttps_port=" + https + "\nDB_PORT=" + freePort()
                    + "\n" + env, StandardCharsets.UTF_8);
            return new Server(wlp, name, dir, http, https);
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
            return await("one of " + List.of(markers) + " in " + dir.resolve("logs/messages.log")).atMost(START_TIMEOUT)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        String log = log();
                        for (String m : markers) if (log.contains(m)) return m;
                        return null;
                    }, Objects::nonNull);
        }

        int get(String path, String user, String password) throws Exception {
            return ItEnvironment.getStatus(URI.create("http://localhost:" + httpPort + path), new ItCredentials(user, password));
        }
    }
}
