package org.phong.zenflow.logging.testing;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * Every JAX-RS operation (HTTP method + full path) of the classes packaged in the WAR, found by
 * reflection, so a test can hold the OpenAPI document to the code without a hand-kept list.
 *
 * <p>Full path = {@code @ApplicationPath} of the {@code Application} subclass + the class's
 * {@code @Path} + the method's {@code @Path}, with {@code //} collapsed and template regexes
 * ({@code {id: [0-9]+}}) reduced to {@code {id}}, as OpenAPI writes paths. An HTTP method is any
 * annotation meta-annotated with {@link HttpMethod} (GET, POST, ..., and custom ones).
 */
public final class JaxRsOperations {
    private static final String CLASSES_IN_WAR = "WEB-INF/classes/";
    private static final String CLASS_SUFFIX = ".class";

    /** One operation: {@code method} upper case ({@code GET}), {@code path} as OpenAPI spells it. */
    public record Op(String method, String path, String javaMethod) {
        @Override
        public String toString() {
            return method + " " + path + " (" + javaMethod + ")";
        }
    }

    private JaxRsOperations() {
    }

    /** @return the names of the classes under {@code WEB-INF/classes} of a WAR */
    public static List<String> classNamesInWar(java.nio.file.Path war) {
        // An exploded WAR (the IT server's target/it-app.war) is a directory: its WEB-INF/classes.
        if (Files.isDirectory(war)) return classNamesIn(war.resolve(CLASSES_IN_WAR));
        try (ZipFile zip = new ZipFile(war.toFile())) {
            return zip.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith(CLASSES_IN_WAR) && n.endsWith(CLASS_SUFFIX))
                    .map(n -> toClassName(n.substring(CLASSES_IN_WAR.length())))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + war, e);
        }
    }

    /** @return the names of the classes under a compiled-classes directory (e.g. target/classes) */
    public static List<String> classNamesIn(java.nio.file.Path classesDir) {
        try (Stream<java.nio.file.Path> files = Files.walk(classesDir)) {
            return files.filter(f -> f.toString().endsWith(CLASS_SUFFIX))
                    .map(f -> toClassName(classesDir.relativize(f).toString().replace('\\', '/')))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param classNames classes to look at (loaded without initialization)
     * @return every operation of the resource classes among them, sorted by path then method
     */
    public static List<Op> of(List<String> classNames) {
        List<Class<?>> classes = new ArrayList<>();
        for (String n : classNames) {
            try {
                classes.add(Class.forName(n, false, JaxRsOperations.class.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("cannot load " + n + " from the test classpath", e);
            }
        }
        String base = classes.stream().map(c -> c.getAnnotation(ApplicationPath.class)).filter(a -> a != null)
                .map(ApplicationPath::value).findFirst().orElse("");
        List<Op> ops = new ArrayList<>();
        for (Class<?> c : classes) {
            Path classPath = c.getAnnotation(Path.class);
            if (classPath == null || c.isInterface() || Modifier.isAbstract(c.getModifiers())) continue;
            for (Method m : c.getMethods()) {
                String http = httpMethod(m);
                if (http == null) continue;
                Path methodPath = m.getAnnotation(Path.class);
                String full = normalize("/" + base + "/" + classPath.value() + "/" + (methodPath == null ? "" : methodPath.value()));
                ops.add(new Op(http, full, c.getSimpleName() + "." + m.getName()));
            }
        }
        ops.sort(Comparator.comparing(Op::path).thenComparing(Op::method));
        return ops;
    }

    static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod h = a.annotationType().getAnnotation(HttpMethod.class);
            if (h != null) return h.value().toUpperCase(Locale.ROOT);
        }
        return null;
    }

    /** Collapses slashes, drops a trailing one, reduces {@code {name: regex}} to {@code {name}}. */
    static String normalize(String path) {
        String p = path.replaceAll("\\{\\s*([\\w.-]+)\\s*:[^}]*}", "{$1}").replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static String toClassName(String relativeFile) {
        return relativeFile.substring(0, relativeFile.length() - CLASS_SUFFIX.length()).replace('/', '.');
    }
}
