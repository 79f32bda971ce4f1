package org.phong.zenflow.logging.metrics;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code docs/grafana/zenflow-logging.json} parsed: its PromQL queries and the series they name. */
public final class GrafanaDashboard {
    /** Where the dashboard lives, relative to the project directory (the tests' working directory). */
    public static final Path FILE = Path.of("docs", "grafana", "zenflow-logging.json");
    /** Series names of the module and of the producers it relies on (Fault Tolerance, JVM). */
    private static final Pattern SERIES = Pattern.compile("\\b(zenflow_logging_[A-Za-z0-9_]+|ft_[A-Za-z0-9_]+|memory_[A-Za-z0-9_]+|thread_[A-Za-z0-9_]+)\\b");

    private final JsonObject root;

    private GrafanaDashboard(JsonObject root) {
        this.root = root;
    }

    /** @return the parsed dashboard; throws when it is not valid JSON */
    public static GrafanaDashboard load() throws IOException {
        try (Reader r = Files.newBufferedReader(FILE)) {
            return new GrafanaDashboard(JsonProvider.provider().createReader(r).readObject());
        }
    }

    /** @return the dashboard document */
    public JsonObject root() {
        return root;
    }

    /** @return every panel (rows' nested panels included) */
    public List<JsonObject> panels() {
        List<JsonObject> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(JsonObject parent, List<JsonObject> out) {
        if (!parent.containsKey("panels")) return;
        for (JsonValue v : parent.getJsonArray("panels")) {
            JsonObject p = v.asJsonObject();
            out.add(p);
            collect(p, out);
        }
    }

    /** @return every target's {@code expr} */
    public List<String> queries() {
        List<String> out = new ArrayList<>();
        for (JsonObject p : panels()) {
            if (!p.containsKey("targets")) continue;
            for (JsonValue t : p.getJsonArray("targets")) out.add(t.asJsonObject().getString("expr"));
        }
        return out;
    }

    /** @return the series names the queries use */
    public Set<String> seriesNames() {
        Set<String> out = new LinkedHashSet<>();
        for (String q : queries()) {
            Matcher m = SERIES.matcher(q);
            while (m.find()) out.add(m.group(1));
        }
        return out;
    }
}
