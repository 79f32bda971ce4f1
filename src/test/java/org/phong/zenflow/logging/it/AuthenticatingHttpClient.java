package org.phong.zenflow.logging.it;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * An {@link HttpClient} that adds a BASIC {@code Authorization} header to every request (and
 * WebSocket handshake) that does not carry one, so ITs written before the API needed credentials
 * keep working unchanged, and authentication lives in one place ({@link ItEnvironment}).
 * Credentials are sent preemptively: the JDK's {@link Authenticator} would wait for a 401 first.
 */
final class AuthenticatingHttpClient extends HttpClient {
    private final HttpClient delegate;
    private final String authorization;

    AuthenticatingHttpClient(HttpClient delegate, ItCredentials credentials) {
        this.delegate = delegate;
        this.authorization = credentials.header();
    }

    private HttpRequest withAuth(HttpRequest request) {
        if (authorization == null || request.headers().firstValue("Authorization").isPresent()) return request;
        return HttpRequest.newBuilder(request, (name, value) -> true).header("Authorization", authorization).build();
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        return delegate.send(withAuth(request), handler);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return delegate.sendAsync(withAuth(request), handler);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        return delegate.sendAsync(withAuth(request), handler, push);
    }

    @Override
    public WebSocket.Builder newWebSocketBuilder() {
        WebSocket.Builder b = delegate.newWebSocketBuilder();
        return authorization == null ? b : b.header("Authorization", authorization);
    }

    @Override public Optional<CookieHandler> cookieHandler() { return delegate.cookieHandler(); }
    @Override public Optional<Duration> connectTimeout() { return delegate.connectTimeout(); }
    @Override public Redirect followRedirects() { return delegate.followRedirects(); }
    @Override public Optional<ProxySelector> proxy() { return delegate.proxy(); }
    @Override public SSLContext sslContext() { return delegate.sslContext(); }
    @Override public SSLParameters sslParameters() { return delegate.sslParameters(); }
    @Override public Optional<Authenticator> authenticator() { return delegate.authenticator(); }
    @Override public Version version() { return delegate.version(); }
    @Override public Optional<Executor> executor() { return delegate.executor(); }
}
