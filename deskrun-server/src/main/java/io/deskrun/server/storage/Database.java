package io.deskrun.server.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;

/** The connection pool and Jdbi over it, with the schema migrated to the newest version. */
public final class Database implements AutoCloseable {
  private static final int MAX_POOL_SIZE = 16;

  private final HikariDataSource dataSource;
  private final Jdbi jdbi;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource);
    // Queries with optional filters bind every parameter and mention only the ones in use.
    jdbi.getConfig(SqlStatements.class).setUnusedBindingAllowed(true);
  }

  /** Opens the pool and applies pending Flyway migrations from {@code db/migration}. */
  public static Database open(String url, String user, String password) {
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(url);
    hikari.setUsername(user);
    hikari.setPassword(password);
    hikari.setMaximumPoolSize(MAX_POOL_SIZE);
    hikari.setPoolName("deskrun-db");
    HikariDataSource dataSource = new HikariDataSource(hikari);
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
    return new Database(dataSource);
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
