package org.phong.zenflow.logging.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.phong.zenflow.logging.testing.JsonTree;

/**
 * The benchmark's outputs: the printed table (markdown, pasted into docs/benchmark.md as is),
 * {@code results.json}, {@code timeline.csv} and {@code chart.svg} (throughput on top, route latency
 * percentiles below on a log scale, phases shaded; plain SVG written here, no library).
 */
final class Report {
    /** One line of the table; {@code ok} null when the figure has no target. */
    record Row(String what, String value, String target, Boolean ok) {
    }

    private Report() {
    }

    static String machine() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return Runtime.getRuntime().availableProcessors() + " cores, "
                + Math.round(((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() / (1024.0 * 1024 * 1024)) + " GiB, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + PipelineBenchmark.runtime() + ", heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB"
                + String.format(Locale.ROOT, ", load average %.2f at start", load);
    }

    static String table(String mode, List<Row> rows, double seconds) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "zenflow-logging benchmark (%s, %.0f s): %s%n%n", mode, seconds, machine()));
        b.append("| measure | value | target | |\n|---|---|---|---|\n");
        for (Row r : rows) {
            b.append("| ").append(r.what()).append(" | ").append(r.value()).append(" | ").append(r.target()).append(" | ")
                    .append(r.ok() == null ? "" : r.ok() ? "ok" : "MISS").append(" |\n");
        }
        return b.toString();
    }

    static void write(Path dir, Map<String, Object> results, Timeline t, List<Row> rows) throws IOException {
        List<Object> table = new ArrayList<>();
        for (Row r : rows) table.add(Map.of("what", r.what(), "value", r.value(), "target", r.target(),
                "ok", r.ok() == null ? "" : r.ok() ? "ok" : "MISS"));
        results.put("table", table);
        List<Object> timeline = new ArrayList<>();
        StringBuilder csv = new StringBuilder("phase,t_s,routed_per_s,persisted_per_s,in_flight,route_p50_us,route_p99_us,route_p999_us,route_max_us\n");
        for (Timeline.Sample s : t.samples) {
            csv.append('"').append(s.phase()).append('"');
            for (double v : new double[]{s.t(), s.routedPerSec(), s.persistedPerSec(), s.inFlight(), s.p50Us(), s.p99Us(), s.p999Us(), s.maxUs()}) {
                csv.append(',').append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v));
            }
            csv.append('\n');
            timeline.add(List.of(s.phase(), s.t(), s.routedPerSec(), s.persistedPerSec(), s.inFlight(), s.p50Us(), s.p99Us(), s.p999Us(), s.maxUs()));
        }
        results.put("timelineColumns", List.of("phase", "t_s", "routed_per_s", "persisted_per_s", "in_flight",
                "route_p50_us", "route_p99_us", "route_p999_us", "route_max_us"));
        results.put("timeline", timeline);
        Files.writeString(dir.resolve("results.json"), json(results) + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("timeline.csv"), csv, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("chart.svg"), svg(t.samples), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ JSON (maps, lists, strings, numbers)

    static String json(Object v) {
        return JsonTree.write(v, Report::scalar);
    }

    /** Doubles rounded to 4 places (NaN and infinities as null), other numbers and booleans as they are, the rest as strings. */
    private static void scalar(StringBuilder b, Object v) {
        if (v instanceof Double d) {
            b.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.4f", d));
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else {
            string(b, v.toString());
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }

    // ------------------------------------------------------------------ SVG chart

    private static final int W = 1000;
    private static final int PANEL_H = 260;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int GAP = 60;
    private static final String[] LAT_COLORS = {"#2b8a3e", "#e67700", "#c92a2a"};

    static String svg(List<Timeline.Sample> samples) {
        double tMax = 1;
        double rateMax = 1;
        double latMax = 10;
        for (Timeline.Sample s : samples) {
            tMax = Math.max(tMax, s.t());
            if (!Double.isNaN(s.routedPerSec())) rateMax = Math.max(rateMax, s.routedPerSec());
            if (!Double.isNaN(s.persistedPerSec())) rateMax = Math.max(rateMax, s.persistedPerSec());
            if (!Double.isNaN(s.p999Us())) latMax = Math.max(latMax, s.p999Us());
        }
        final double rateTop = niceCeil(rateMax);
        double latTop = Math.pow(10, Math.ceil(Math.log10(latMax)));
        int h = TOP + PANEL_H + GAP + PANEL_H + 50;
        int plotW = W - LEFT - RIGHT;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", W, h));
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        int y1 = TOP;
        int y2 = TOP + PANEL_H + GAP;
        // phase bands across both panels
        String phase = null;
        double start = 0;
        int band = 0;
        List<double[]> spans = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Timeline.Sample s : samples) {
            String p = baseName(s.phase());
            if (!p.equals(phase)) {
                if (phase != null) {
                    spans.add(new double[]{start, s.t()});
                    names.add(phase);
                }
                phase = p;
                start = s.t();
            }
        }
        if (phase != null) {
            spans.add(new double[]{start, tMax});
            names.add(phase);
        }
        for (int i = 0; i < spans.size(); i++) {
            double x0 = LEFT + spans.get(i)[0] / tMax * plotW;
            double x1 = LEFT + spans.get(i)[1] / tMax * plotW;
            String fill = band++ % 2 == 0 ? "#f1f3f5" : "#e7f5ff";
            for (int y : new int[]{y1, y2}) {
                b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", x0, y, Math.max(0.5, x1 - x0), PANEL_H, fill));
            }
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%s</text>%n", x0 + 2, y1 + 12 + (i % 2) * 12, esc(names.get(i))));
        }
        // throughput panel
        axes(b, y1, plotW, tMax, "entries or rows per second", rateTop, false);
        polyline(b, samples, Timeline.Sample::routedPerSec, tMax, v -> y1 + PANEL_H - v / rateTop * PANEL_H, plotW, "#1c7ed6");
        polyline(b, samples, Timeline.Sample::persistedPerSec, tMax, v -> y1 + PANEL_H - v / rateTop * PANEL_H, plotW, "#862e9c");
        legend(b, W - 420, y1 - 8, new String[]{"routed (accepted) / s", "persisted (committed rows) / s"}, new String[]{"#1c7ed6", "#862e9c"});
        // latency panel (log scale, 0.1 us .. latTop)
        double lo = 0.1;
        java.util.function.DoubleUnaryOperator ly = v -> y2 + PANEL_H - (Math.log10(Math.max(lo, v)) - Math.log10(lo)) / (Math.log10(latTop) - Math.log10(lo)) * PANEL_H;
        axes(b, y2, plotW, tMax, "route() latency, us (log)", latTop, true);
        polyline(b, samples, Timeline.Sample::p50Us, tMax, ly, plotW, LAT_COLORS[0]);
        polyline(b, samples, Timeline.Sample::p99Us, tMax, ly, plotW, LAT_COLORS[1]);
        polyline(b, samples, Timeline.Sample::p999Us, tMax, ly, plotW, LAT_COLORS[2]);
        legend(b, W - 420, y2 - 8, new String[]{"p50", "p99", "p99.9 (per 0.5 s)"}, LAT_COLORS);
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds since start</text>%n", LEFT + plotW / 2, h - 10));
        b.append("</svg>\n");
        return b.toString();
    }

    private static String baseName(String phase) {
        int p = phase.indexOf(" (");
        return p < 0 ? phase : phase.substring(0, p);
    }

    private static void axes(StringBuilder b, int y, int plotW, double tMax, String label, double top, boolean log) {
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#495057\"/>%n", LEFT, y, plotW, PANEL_H));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" transform=\"rotate(-90 %d %d)\" text-anchor=\"middle\">%s</text>%n",
                14, y + PANEL_H / 2, 14, y + PANEL_H / 2, esc(label)));
        if (log) {
            double lo = 0.1;
            for (double v = lo; v <= top * 1.0001; v *= 10) {
                double yy = y + PANEL_H - (Math.log10(v) - Math.log10(lo)) / (Math.log10(top) - Math.log10(lo)) * PANEL_H;
                tick(b, yy, plotW, v < 1 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%,.0f", v));
            }
        } else {
            for (int i = 0; i <= 4; i++) {
                double v = top * i / 4;
                tick(b, y + PANEL_H - (double) PANEL_H * i / 4, plotW, String.format(Locale.ROOT, "%,.0f", v));
            }
        }
        double step = niceCeil(tMax / 10);
        for (double t = 0; t <= tMax; t += step) {
            double x = LEFT + t / tMax * plotW;
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#495057\"/>%n", x, y + PANEL_H, x, y + PANEL_H + 4));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>%n", x, y + PANEL_H + 16, t));
        }
    }

    private static void tick(StringBuilder b, double y, int plotW, String text) {
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#dee2e6\"/>%n", LEFT, y, LEFT + plotW, y));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 4, y + 4, text));
    }

    private static void polyline(StringBuilder b, List<Timeline.Sample> samples, java.util.function.ToDoubleFunction<Timeline.Sample> f,
                                 double tMax, java.util.function.DoubleUnaryOperator y, int plotW, String color) {
        StringBuilder pts = new StringBuilder();
        String phase = null;
        for (Timeline.Sample s : samples) {
            double v = f.applyAsDouble(s);
            if (!baseName(s.phase()).equals(phase)) flush(b, pts, color); // no line across phases
            phase = baseName(s.phase());
            if (Double.isNaN(v)) {
                flush(b, pts, color);
                continue;
            }
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + s.t() / tMax * plotW, y.applyAsDouble(v)));
        }
        flush(b, pts, color);
    }

    private static void flush(StringBuilder b, StringBuilder pts, String color) {
        if (pts.length() == 0) return;
        b.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(color).append("\" points=\"").append(pts).append("\"/>\n");
        pts.setLength(0);
    }

    private static void legend(StringBuilder b, int x, int y, String[] names, String[] colors) {
        int xx = x;
        for (int i = 0; i < names.length; i++) {
            if (i > 0) xx += 16 + 7 * names[i - 1].length() + 14;
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>%n", xx, y - 4, colors[i]));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", xx + 16, y, esc(names[i])));
        }
    }

    private static double niceCeil(double v) {
        if (v <= 0) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[]{1, 2, 2.5, 5, 10}) if (m * p >= v) return m * p;
        return 10 * p;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
