package org.phong.zenflow.logging.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Prometheus text format as /metrics serves it, parsed just enough for tests: one sample per
 * line {@code name{k="v",...} value}, comments skipped.
 */
final class PrometheusText {
    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = samples;
    }

    static PrometheusText parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            line = line.trim();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name;
            Map<String, String> labels = new HashMap<>();
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                String body = line.substring(brace + 1, line.lastIndexOf('}'));
                int i = 0;
                while (i < body.length()) {
                    int eq = body.indexOf('=', i);
                    String key = body.substring(i, eq).trim();
                    int open = body.indexOf('"', eq);
                    StringBuilder v = new StringBuilder();
                    int j = open + 1;
                    for (; body.charAt(j) != '"'; j++) {
                        if (body.charAt(j) == '\\') j++;
                        v.append(body.charAt(j));
                    }
                    labels.put(key, v.toString());
                    i = j + 1;
                    while (i < body.length() && (body.charAt(i) == ',' || body.charAt(i) == ' ')) i++;
                }
            } else {
                name = line.substring(0, space);
            }
            String value = line.substring(line.lastIndexOf(' ') + 1);
            double d = switch (value) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(value);
            };
            out.add(new Sample(name, labels, d));
        }
        return new PrometheusText(out);
    }

    /** @return the sum of every sample of {@code name} whose labels include all of {@code labels} (k, v, k, v, ...) */
    double sum(String name, String... labels) {
        double total = 0;
        for (Sample s : samples) if (s.name().equals(name) && matches(s, labels)) total += s.value();
        return total;
    }

    /** @return the value of the one matching sample; fails when there is none */
    double value(String name, String... labels) {
        for (Sample s : samples) if (s.name().equals(name) && matches(s, labels)) return s.value();
        throw new AssertionError("no sample " + name + " " + String.join(",", labels) + " in /metrics; names: " + names());
    }

    boolean has(String name) {
        for (Sample s : samples) if (s.name().equals(name)) return true;
        return false;
    }

    Set<String> names() {
        Set<String> n = new LinkedHashSet<>();
        for (Sample s : samples) n.add(s.name());
        return n;
    }

    List<Sample> samples() {
        return samples;
    }

    private static boolean matches(Sample s, String[] labels) {
        for (int i = 0; i < labels.length; i += 2) {
            if (!labels[i + 1].equals(s.labels().get(labels[i]))) return false;
        }
        return true;
    }
}
