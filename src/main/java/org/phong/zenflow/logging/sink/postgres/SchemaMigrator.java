package org.phong.zenflow.logging.sink.postgres;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * Brings the log schema up to date with Flyway, from {@code classpath:db/migration}.
 *
 * <p>Design points:
 * <ul>
 *   <li>Own history table {@value #HISTORY_TABLE}: the module usually shares a database (and the
 *       {@code public} schema) with the engine, which may run Flyway itself; with the default
 *       {@code flyway_schema_history} both would claim "V1". For the same reason
 *       {@code baselineOnMigrate(true)} with baseline version 0: a schema that already holds the
 *       engine's tables is not "dirty" for us, and V1 still runs.</li>
 *   <li>Classpath scanning inside Open Liberty: Flyway lists a location by asking the class loader
 *       for the <em>directory</em> URL and then walking it ({@code file:}, {@code jar:},
 *       {@code wsjar:}...). A packed WAR or an unusual URL scheme can yield nothing or an error while
 *       {@code getResourceAsStream} of a single file still works. So we first let Flyway scan and
 *       check that it resolved every file of {@link #KNOWN_MIGRATIONS}; if it did not (or scanning
 *       threw), we migrate again with a {@link ResourceProvider} that serves exactly those files by
 *       name. Both paths yield the same script name and checksum, so they are interchangeable on the
 *       same database.</li>
 *   <li>Concurrent deployments (two servers starting at once) are serialised by Flyway's own
 *       PostgreSQL advisory lock.</li>
 * </ul>
 * Every new migration file must be added to {@link #KNOWN_MIGRATIONS}; a test enforces it.
 */
public final class SchemaMigrator {
    private static final Logger LOG = Logger.getLogger(SchemaMigrator.class.getName());

    /** Classpath folder of the migrations. */
    public static final String LOCATION_PATH = "db/migration";
    /** Flyway history table of this module (not the engine's). */
    public static final String HISTORY_TABLE = "zenflow_logging_schema_history";
    /** Every migration file, in order; the explicit fallback serves exactly these. */
    static final List<String> KNOWN_MIGRATIONS = List.of("V1__logs.sql", "V2__runs.sql", "V3__logs_rejected.sql", "V4__cluster.sql",
            "V5__runs_fillfactor.sql", "V6__cluster_unpublished.sql");

    private SchemaMigrator() {
    }

    /**
     * What one {@link #migrate} call did.
     *
     * @param applied          the migrations executed now, as {@code "version description"}; empty when
     *                         the schema was already current
     * @param schemaVersion    the schema version after the call
     * @param explicitResources true when classpath scanning failed and the known file list was used
     */
    public record Outcome(List<String> applied, String schemaVersion, boolean explicitResources) {
        /** Copies the list. */
        public Outcome {
            applied = List.copyOf(applied);
        }
    }

    /**
     * Applies every pending migration; a no-op when the schema is current.
     *
     * @param ds the database to migrate (needs DDL rights on its current schema)
     * @return what was applied
     * @throws FlywayException when a migration fails or the history does not validate
     */
    public static Outcome migrate(DataSource ds) {
        return migrate(ds, false);
    }

    /** @param forceExplicit skip scanning and use the explicit list (tests of the Liberty fallback) */
    static Outcome migrate(DataSource ds, boolean forceExplicit) {
        ClassLoader cl = SchemaMigrator.class.getClassLoader();
        if (!forceExplicit) {
            try {
                Flyway scanning = base(cl, ds).locations("classpath:" + LOCATION_PATH).load();
                Set<String> resolved = Arrays.stream(scanning.info().all())
                        .filter(i -> i.getState().isResolved())
                        .map(MigrationInfo::getScript)
                        .map(SchemaMigrator::fileName)
                        .collect(Collectors.toSet());
                if (resolved.containsAll(KNOWN_MIGRATIONS)) {
                    return report(scanning.migrate(), false);
                }
                LOG.warning(() -> "Flyway classpath scan of " + LOCATION_PATH + " resolved " + resolved
                        + " but " + KNOWN_MIGRATIONS + " are expected; using the explicit migration list");
            } catch (FlywayException e) {
                // Scanning problems surface as FlywayException; a database problem will fail again
                // below and be thrown from there.
                LOG.log(Level.WARNING, "Flyway classpath scan failed; using the explicit migration list", e);
            }
        }
        Flyway explicit = base(cl, ds).resourceProvider(new KnownMigrations(cl)).load();
        return report(explicit.migrate(), true);
    }

    private static FluentConfiguration base(ClassLoader cl, DataSource ds) {
        return Flyway.configure(cl)
                .dataSource(ds)
                .table(HISTORY_TABLE)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .baselineDescription("pre-existing schema (zenflow-logging baseline)")
                .failOnMissingLocations(false)
                // No SQL callbacks: an empty list keeps Flyway from scanning db/callback (which logs
                // errors on Liberty's class loader).
                .callbackLocations(new String[0])
                .cleanDisabled(true);
    }

    private static Outcome report(MigrateResult r, boolean explicit) {
        List<String> applied = new ArrayList<>();
        if (r.migrations != null) {
            for (MigrateOutput m : r.migrations) applied.add(m.version + " " + m.description);
        }
        String version = r.targetSchemaVersion != null ? r.targetSchemaVersion : r.initialSchemaVersion;
        if (applied.isEmpty()) {
            LOG.info(() -> "Log schema is current at version " + version + (explicit ? " (explicit migration list)" : ""));
        } else {
            LOG.info(() -> "Log schema migrated from " + r.initialSchemaVersion + " to " + version + ", applied "
                    + applied + (explicit ? " (explicit migration list)" : ""));
        }
        return new Outcome(applied, version, explicit);
    }

    private static String fileName(String script) {
        if (script == null) return "";
        int slash = Math.max(script.lastIndexOf('/'), script.lastIndexOf('\\'));
        return script.substring(slash + 1);
    }

    /** Serves {@link #KNOWN_MIGRATIONS} by name through {@code getResourceAsStream}; no listing. */
    private static final class KnownMigrations implements ResourceProvider {
        private final ClassLoader cl;

        KnownMigrations(ClassLoader cl) {
            this.cl = cl;
        }

        @Override
        public LoadableResource getResource(String name) {
            String file = fileName(name);
            return KNOWN_MIGRATIONS.contains(file) ? new Known(cl, file) : null;
        }

        @Override
        public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
            List<LoadableResource> out = new ArrayList<>();
            for (String file : KNOWN_MIGRATIONS) {
                if (!file.startsWith(prefix)) continue;
                for (String suffix : suffixes) {
                    if (file.endsWith(suffix)) {
                        out.add(new Known(cl, file));
                        break;
                    }
                }
            }
            return out;
        }
    }

    /** One migration file; paths mirror Flyway's own ClassPathResource (relative = file name). */
    private static final class Known extends LoadableResource {
        private final ClassLoader cl;
        private final String file;

        Known(ClassLoader cl, String file) {
            this.cl = cl;
            this.file = file;
        }

        @Override
        public Reader read() {
            String path = LOCATION_PATH + "/" + file;
            InputStream in = cl.getResourceAsStream(path);
            if (in == null) throw new FlywayException("Migration " + path + " is missing from the classpath");
            return new InputStreamReader(in, StandardCharsets.UTF_8);
        }

        @Override
        public String getAbsolutePath() {
            return LOCATION_PATH + "/" + file;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return getAbsolutePath();
        }

        @Override
        public String getFilename() {
            return file;
        }

        @Override
        public String getRelativePath() {
            return file;
        }
    }
}
