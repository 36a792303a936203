package dev.sekisho.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned schema migrations: numbered SQL files per dialect (resources dev/sekisho/store/DIALECT/V{n}__{name}.sql),
 * applied in order, each in one transaction together with its row in schema_version, so a migration is either
 * wholly applied and recorded or not at all. DESIGN.md names Flyway for this; the store needs only ordered plain
 * SQL files on two databases, which these few lines do without Flyway's runtime and its per-database modules in
 * every CLI start (the reason is also in docs/dmarc-reports.md).
 */
final class Migrations {
    /** Every migration, in order; a new schema change is a new file and a new line here, never an edit. */
    static final List<Migration> ALL = List.of(new Migration(1, "reports"), new Migration(2, "source_enrichment"),
            new Migration(3, "records_without_rowid"), new Migration(4, "record_texts"));

    record Migration(int version, String name) {
        String resource(String dialectFolder) {
            return "/dev/sekisho/store/" + dialectFolder + "/V" + version + "__" + name + ".sql";
        }
    }

    private Migrations() {
    }

    /**
     * Brings the schema up to the latest version; returns that version.
     *
     * @throws StoreException when the database has a newer schema than this program knows
     */
    static int apply(Connection connection, String dialectFolder, boolean lockTable, String location) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        }
        connection.commit();
        int latest = ALL.get(ALL.size() - 1).version();
        for (Migration migration : ALL) {
            if (lockTable) {
                // PostgreSQL: two importers starting at once on a new database must not both migrate it.
                try (Statement s = connection.createStatement()) {
                    s.execute("LOCK TABLE schema_version IN EXCLUSIVE MODE");
                }
            }
            int current = current(connection);
            if (current > latest) {
                connection.rollback();
                throw new StoreException("the store " + location + " has schema version " + current
                        + ", newer than this program's " + latest + ": use a newer sekisho");
            }
            if (migration.version() <= current) {
                connection.commit();
                continue;
            }
            try (Statement s = connection.createStatement()) {
                for (String sql : statements(read(migration.resource(dialectFolder)))) s.execute(sql);
            }
            try (PreparedStatement p = connection.prepareStatement("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)")) {
                p.setInt(1, migration.version());
                p.setString(2, migration.name());
                p.setLong(3, System.currentTimeMillis() / 1000);
                p.executeUpdate();
            }
            connection.commit();
        }
        return current(connection);
    }

    static int current(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            r.next();
            return r.getInt(1);
        }
    }

    /** The statements of a migration file: comment lines dropped, split at a ';' that ends a line. */
    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("--") || trimmed.isEmpty()) continue;
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String sql = current.toString().strip();
                statements.add(sql.substring(0, sql.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) throw new IllegalStateException("migration does not end with ';': " + current);
        return statements;
    }

    private static String read(String resource) {
        try (InputStream in = Migrations.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("migration " + resource + " is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + resource, e);
        }
    }
}
