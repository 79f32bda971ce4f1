package org.phong.zenflow.logging.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * "No hard-coded tunables", part 2: in the core packages, a decimal literal other than 0, 1 and 2 on
 * a line about a size, a timeout or an interval (the line names a timeout, delay, interval, sleep,
 * poll, schedule, duration, time unit, capacity, size, limit, max/min, batch, backoff, retry,
 * threshold, queue, or allocates a collection or array) may only appear in a {@code static final}
 * constant declaration: a named constant, or better the default of a key. Arithmetic of formats
 * (hex masks, digit counts, column numbers) is not about tunables and is left alone. Comments,
 * strings and character literals are ignored. A line that must keep a literal says why with a
 * trailing {@code // literal-ok: <reason>} comment, which a reviewer sees.
 */
public final class TunableLiterals {
    /** Core packages (directories under the main source root); new ones are included by prefix. */
    public static final List<String> CORE_PREFIXES = List.of("router", "buffer", "collector", "sink", "journal", "stream", "time");
    private static final Set<String> ALLOWED = Set.of("0", "1", "2");
    private static final Pattern NUMBER = Pattern.compile(
            "(?<![\\w.])(0[xX][0-9a-fA-F_]+|\\d[\\d_]*(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)[lLfFdD]?(?![\\w.])");
    /** What a line about a size, a timeout or an interval names. */
    private static final Pattern TUNABLE_CONTEXT = Pattern.compile("(?i)(timeout|delay|interval|sleep|await|millis|nanos|"
            + "seconds|duration|ofMillis|ofSeconds|TimeUnit|schedule|poll|capacity|size|limit|max|min|batch|backoff|retr(y|ies)|"
            + "threshold|queue|new\\s+[\\w.]+\\s*<[^>]*>\\s*\\(|new\\s+\\w+\\s*\\[)");
    private static final Pattern CONSTANT = Pattern.compile("\\bstatic\\s+final\\b|\\bfinal\\s+static\\b");
    private static final String OK_MARKER = "// literal-ok:";

    private TunableLiterals() {
    }

    /** @return violations under the core packages of a main source root ({@code file:line: literal in: code}) */
    public static List<String> inCore(Path mainRoot) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(mainRoot)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String rel = mainRoot.relativize(f).toString().replace('\\', '/');
                if (CORE_PREFIXES.stream().anyMatch(c -> rel.startsWith(c + "/") || rel.startsWith(c + "."))) {
                    out.addAll(in(rel, Files.readString(f, StandardCharsets.UTF_8)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** @return the violations of one source text */
    public static List<String> in(String name, String source) {
        List<String> out = new ArrayList<>();
        String[] raw = source.split("\n", -1);
        String[] code = stripCommentsAndStrings(source).split("\n", -1);
        boolean inConstant = false;
        for (int i = 0; i < code.length; i++) {
            String line = code[i];
            // A constant's initializer may span lines: it lasts until its ';'.
            if (CONSTANT.matcher(line).find()) inConstant = true;
            boolean exempt = inConstant || raw[i].contains(OK_MARKER) || line.trim().startsWith("@")
                    || !TUNABLE_CONTEXT.matcher(line).find();
            if (!exempt) {
                Matcher m = NUMBER.matcher(line);
                while (m.find()) {
                    String literal = m.group(1).replace("_", "");
                    if (!ALLOWED.contains(literal) && !literal.startsWith("0x") && !literal.startsWith("0X")) out.add(name + ":" + (i + 1) + ": literal " + m.group() + " in: " + raw[i].trim());
                }
            }
            if (inConstant && line.contains(";")) inConstant = false;
        }
        return out;
    }

    /** Blanks comments, string, text-block and char literals, keeping line breaks (so line numbers hold). */
    static String stripCommentsAndStrings(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (s.startsWith("//", i)) {
                while (i < s.length() && s.charAt(i) != '\n') i++;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
                for (int k = i; k < end; k++) if (s.charAt(k) == '\n') b.append('\n');
                i = end;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? s.length() : end + 3;
                for (int k = i; k < end; k++) if (s.charAt(k) == '\n') b.append('\n');
                b.append("\"\"");
                i = end;
            } else if (c == '"' || c == '\'') {
                int k = i + 1;
                while (k < s.length() && s.charAt(k) != c && s.charAt(k) != '\n') k += s.charAt(k) == '\\' ? 2 : 1;
                b.append(c).append(c);
                i = Math.min(k + 1, s.length());
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }
}
