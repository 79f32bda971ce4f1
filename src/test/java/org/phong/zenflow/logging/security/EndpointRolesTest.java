package org.phong.zenflow.logging.security;

import static org.junit.jupiter.api.Assertions.*;

import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Deny by omission is not possible with {@code @RolesAllowed}: a resource method without a role
 * annotation is open to anyone. So every JAX-RS resource method of the module (every class with
 * {@code @Path}, in any package) must name its roles (or say {@code @PermitAll}/{@code @DenyAll}
 * explicitly), on the method or its class, and only the three known roles may be named. A new
 * endpoint merged without one fails here.
 */
class EndpointRolesTest {
    private static final List<Class<? extends Annotation>> HTTP_METHODS =
            List.of(GET.class, POST.class, PUT.class, DELETE.class, PATCH.class, HEAD.class, OPTIONS.class);
    private static final Set<String> ROLES = Set.of(Roles.WRITER, Roles.READER, Roles.ADMIN);

    @Test
    void everyResourceMethodNamesItsRoles() throws Exception {
        java.nio.file.Path classes = Paths.get("target/classes");
        List<String> open = new ArrayList<>();
        int checked = 0;
        try (Stream<java.nio.file.Path> files = Files.walk(classes)) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.endsWith("package-info")) continue;
                Class<?> c = Class.forName(name, false, getClass().getClassLoader());
                if (!c.isAnnotationPresent(Path.class)) continue;
                for (Method m : c.getDeclaredMethods()) {
                    if (HTTP_METHODS.stream().noneMatch(m::isAnnotationPresent) && !m.isAnnotationPresent(Path.class)) continue;
                    checked++;
                    RolesAllowed roles = m.isAnnotationPresent(RolesAllowed.class) ? m.getAnnotation(RolesAllowed.class) : c.getAnnotation(RolesAllowed.class);
                    boolean explicit = m.isAnnotationPresent(PermitAll.class) || m.isAnnotationPresent(DenyAll.class)
                            || c.isAnnotationPresent(PermitAll.class) || c.isAnnotationPresent(DenyAll.class);
                    if (roles == null && !explicit) open.add(c.getName() + "." + m.getName());
                    if (roles != null) for (String r : roles.value()) assertTrue(ROLES.contains(r), c.getName() + "." + m.getName() + " names role " + r);
                }
            }
        }
        assertTrue(checked >= 6, "resource methods found: " + checked);
        assertEquals(List.of(), open, "resource methods without @RolesAllowed (open to anyone)");
    }
}
