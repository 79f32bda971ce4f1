package org.phong.zenflow.logging.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.config.SecuritySettings;

/**
 * The refusal of plain HTTP in the production profile: 403 with the API's problem document naming the
 * key, and no resource run. (ProductionProfileIT checks it against a running server.)
 */
class TransportGuardTest {

    @Test
    void plainHttpIsRefusedWithAProblemDocumentNamingTheKey() throws Exception {
        TransportGuard guard = new TransportGuard(SecuritySettings.defaults());
        Map<String, Object> set = new HashMap<>();
        StringWriter body = new StringWriter();
        boolean[] passed = {false};
        FilterChain chain = (rq, rs) -> passed[0] = true;

        guard.doFilter(request(false), response(set, body), chain);

        assertFalse(passed[0], "no resource runs");
        assertEquals(403, set.get("setStatus"));
        assertEquals("application/problem+json", set.get("setContentType"));
        assertEquals("UTF-8", set.get("setCharacterEncoding"));
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,"
                + "\"detail\":\"HTTPS required: this server refuses plain HTTP on the API and live tails ("
                + "zenflow.logging.security.allow-plain-http=false)\",\"index\":null,"
                + "\"field\":\"zenflow.logging.security.allow-plain-http\"}", body.toString());
    }

    @Test
    void tlsPassesThrough() throws Exception {
        TransportGuard guard = new TransportGuard(SecuritySettings.defaults());
        Map<String, Object> set = new HashMap<>();
        boolean[] passed = {false};
        guard.doFilter(request(true), response(set, new StringWriter()), (rq, rs) -> passed[0] = true);
        assertTrue(passed[0]);
        assertTrue(set.isEmpty(), set.toString());
    }

    private static ServletRequest request(boolean secure) {
        return (HttpServletRequest) Proxy.newProxyInstance(TransportGuardTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, m, args) -> {
                    if (m.getName().equals("isSecure")) return secure;
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    /** A response that records what is set on it (method name to argument) and what is written. */
    private static HttpServletResponse response(Map<String, Object> set, StringWriter body) {
        PrintWriter writer = new PrintWriter(body, true);
        return (HttpServletResponse) Proxy.newProxyInstance(TransportGuardTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (p, m, args) -> {
                    if (m.getName().equals("getWriter")) return writer;
                    if (m.getName().startsWith("set") && args != null && args.length == 1) {
                        set.put(m.getName(), args[0]);
                        return null;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }
}
