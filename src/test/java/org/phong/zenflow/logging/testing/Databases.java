package org.phong.zenflow.logging.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.phong.zenflow.logging.sink.postgres.SchemaMigrator;

/**
 * Database chores of the tests: one embedded PostgreSQL serves many tests, each on a database of its
 * own, so that no test sees another's rows.
 */
public final class Databases {
    private Databases() {
    }

    /**
     * @param pg   the running embedded PostgreSQL
     * @param name a database name not used yet on {@code pg} (an SQL identifier)
     * @return the new database, with the module's schema applied
     */
    public static DataSource createMigrated(EmbeddedPostgres pg, String name) throws SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        DataSource ds = pg.getDatabase("postgres", name);
        SchemaMigrator.migrate(ds);
        return ds;
    }
}
