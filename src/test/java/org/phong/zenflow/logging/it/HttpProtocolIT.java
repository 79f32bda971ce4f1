package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server speaks HTTP/1.1 only (server.xml {@code http.protocol.version}): a JDK HttpClient, which
 * asks for HTTP/2 by default (h2c upgrade on cleartext), gets HTTP/1.1 answers, so clients never land
 * on the slower multiplexed path (docs/benchmark.md, "HTTP").
 */
class HttpProtocolIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Liveness is enough: the protocol is the endpoint's, whatever the application's readiness. */
    @BeforeAll
    static void serverIsUp() throws Exception {
        assertEquals(200, ItEnvironment.awaitStatus200("/health/live", Duration.ofSeconds(180)));
    }

    @Test
    void aDefaultJdkClientGetsHttp11() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        assertEquals(HttpClient.Version.HTTP_2, client.version(), "the JDK client's default preference");
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(ItEnvironment.uri("/health/live")).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(HttpClient.Version.HTTP_1_1, r.version());
        // the connection stays HTTP/1.1 for the next request too
        HttpResponse<String> again = client.send(HttpRequest.newBuilder(ItEnvironment.uri("/health/live")).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_1_1, again.version());
    }

    @Test
    void aClientAskingForHttp2OnEveryRequestStillGetsHttp11() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(TIMEOUT).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(ItEnvironment.uri("/health/live"))
                .version(HttpClient.Version.HTTP_2).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(HttpClient.Version.HTTP_1_1, r.version());
    }
}
