package org.phong.zenflow.logging.stream.web;

import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerApplicationConfig;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Set;
import org.phong.zenflow.logging.security.SecureHandshake;

/**
 * The one place the WebSocket endpoints are configured: the path, and the handshake guard
 * ({@link SecureHandshake}: Origin against {@code zenflow.logging.security.allowed-origins}, reader
 * role; web.xml also constrains {@code /ws/*} to readers). Annotated endpoints that other code may
 * add are deployed unchanged.
 */
public class StreamEndpoints implements ServerApplicationConfig {

    /** Path of the live tail; {@code runId} is a path parameter, {@code afterSeq} and {@code minLevel} query parameters. */
    public static final String RUN_PATH = "/ws/runs/{runId}";

    @Override
    public Set<ServerEndpointConfig> getEndpointConfigs(Set<Class<? extends Endpoint>> scanned) {
        return Set.of(ServerEndpointConfig.Builder.create(RunStreamEndpoint.class, RUN_PATH)
                .configurator(new SecureHandshake()).build());
    }

    @Override
    public Set<Class<?>> getAnnotatedEndpointClasses(Set<Class<?>> scanned) {
        return scanned;
    }
}
