package io.deskrun.server.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Properties;
import java.util.function.IntSupplier;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Handles;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;

/** The connection pool and Jdbi over it, with the schema migrated to the newest version. */
public final class Database implements AutoCloseable {
  /** Pool size unless the {@code database-pool-size} setting sets another. */
  public static final int DEFAULT_POOL_SIZE = 16;

  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final Dialect dialect;
  private final String url;
  private final String user;
  private final String password;

  /** Writes H2's commits to its file before writers go on; null on PostgreSQL. */
  private final H2Flush h2Flush;

  /** Records the frequent writes on an H2 file database; null otherwise. */
  private final WriteJournal journal;

  private Database(
      HikariDataSource dataSource, Dialect dialect, String url, String user, String password)
      throws SQLException {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.url = url;
    this.user = user;
    this.password = password;
    this.jdbi = Jdbi.create(dataSource);
    // Queries with optional filters bind every parameter and mention only the ones in use.
    jdbi.getConfig(SqlStatements.class).setUnusedBindingAllowed(true);
    this.h2Flush = dialect.isShared() ? null : new H2Flush(openDedicatedConnection());
    if (h2Flush != null) {
      jdbi.getConfig(SqlStatements.class).addCustomizer(h2Flush);
      jdbi.getConfig(Handles.class).addListener(h2Flush);
    }
    Path journalDir = h2Flush == null ? null : journalDirOf(url);
    this.journal = journalDir == null ? null : new WriteJournal(journalDir, h2Flush);
    jdbi.getConfig(Durability.class).set(h2Flush, journal);
  }

  /**
   * Returns the write journal's directory for an H2 URL that names a file database ({@code
   * <database path>.journal}), or null for in-memory and server-mode URLs.
   */
  static Path journalDirOf(String url) {
    String rest = url.substring("jdbc:h2:".length());
    int options = rest.indexOf(';');
    String name = options < 0 ? rest : rest.substring(0, options);
    if (name.startsWith("file:")) {
      name = name.substring("file:".length());
    } else if (name.matches("(?i)(mem|tcp|ssl|zip|split|nio|nioMapped|async|memFS|memLZF):.*")) {
      return null;
    }
    if (name.startsWith("~")) {
      name = System.getProperty("user.home") + name.substring(1);
    }
    return Path.of(name + ".journal");
  }

  /**
   * Applies the writes the previous run left in the write journal and starts recording the
   * journaled writes, moving to a new journal file and writing H2's file every {@code
   * rotateInterval}. Does nothing on PostgreSQL and in-memory H2, where journaled writes are made
   * durable by their commit. Until this is called, journaled writes wait for a checkpoint.
   */
  public void startJournal(Collection<WriteJournal.Kind<?>> kinds, Duration rotateInterval) {
    if (journal != null) {
      journal.start(jdbi, kinds, rotateInterval);
    }
  }

  /** Opens the database with a pool of {@link #DEFAULT_POOL_SIZE} connections. */
  public static Database open(String url, String user, String password) {
    return open(url, user, password, DEFAULT_POOL_SIZE);
  }

  /**
   * Opens the pool and applies pending Flyway migrations from {@code db/migration} and, for one
   * kind of database only, {@code db/vendor/<h2 or postgresql>} (several servers starting at once
   * are serialized by Flyway's lock on its history table).
   */
  public static Database open(String configuredUrl, String user, String password, int poolSize) {
    Dialect dialect = Dialect.of(configuredUrl);
    String url = dialect == Dialect.H2 ? withoutCloseOnExit(configuredUrl) : configuredUrl;
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(url);
    hikari.setUsername(user);
    hikari.setPassword(password);
    hikari.setMaximumPoolSize(poolSize);
    hikari.setPoolName("deskrun-db");
    HikariDataSource dataSource = connect(hikari, url);
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration", "classpath:db/vendor/" + dialect.vendorFolder())
          .load()
          .migrate();
      return new Database(dataSource, dialect, url, user, password);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    } catch (SQLException e) {
      dataSource.close();
      throw new IllegalStateException(
          "Cannot connect to the database " + maskPassword(url) + ": " + e.getMessage(), e);
    }
  }

  private static HikariDataSource connect(HikariConfig hikari, String url) {
    try {
      return new HikariDataSource(hikari);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "Cannot connect to the database "
              + maskPassword(url)
              + ": "
              + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()),
          e);
    }
  }

  /**
   * Adds {@code DB_CLOSE_ON_EXIT=FALSE} to an H2 URL that does not set it. Otherwise H2's own
   * shutdown hook closes the database while the server's hook still writes its last nonces, the
   * journal's checkpoint and the requests in flight, as on every SIGTERM before this.
   */
  static String withoutCloseOnExit(String url) {
    if (url.toUpperCase(Locale.ROOT).contains("DB_CLOSE_ON_EXIT=")) {
      return url;
    }
    return url + ";DB_CLOSE_ON_EXIT=FALSE";
  }

  /** Replaces a password given inside a JDBC URL with {@code ***}. */
  public static String maskPassword(String url) {
    return url.replaceAll("((?i:password)=)[^&;]*", "$1***");
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public Dialect dialect() {
    return dialect;
  }

  /**
   * Opens a connection outside the pool, for a listener that keeps it for a long time. The caller
   * closes it.
   */
  public Connection openDedicatedConnection() throws SQLException {
    Properties properties = new Properties();
    if (!user.isEmpty()) {
      properties.setProperty("user", user);
    }
    if (!password.isEmpty()) {
      properties.setProperty("password", password);
    }
    Connection connection = DriverManager.getConnection(url, properties);
    connection.setAutoCommit(true);
    return connection;
  }

  /**
   * Runs {@code task} unless another server of the same database is running a task under the same
   * lock; returns its result, or 0 when it was skipped. On PostgreSQL this is a session advisory
   * lock; H2 is never shared, so the task always runs.
   */
  public int runExclusively(long lockKey, IntSupplier task) {
    if (!dialect.isShared()) {
      return task.getAsInt();
    }
    try (Handle handle = jdbi.open()) {
      boolean locked =
          handle
              .createQuery("SELECT pg_try_advisory_lock(:key)")
              .bind("key", lockKey)
              .mapTo(boolean.class)
              .one();
      if (!locked) {
        return 0;
      }
      try {
        return task.getAsInt();
      } finally {
        handle
            .createQuery("SELECT pg_advisory_unlock(:key)")
            .bind("key", lockKey)
            .mapTo(boolean.class)
            .one();
      }
    }
  }

  @Override
  public void close() {
    try {
      if (journal != null) {
        journal.close();
      }
      if (h2Flush != null) {
        h2Flush.close();
      }
    } catch (SQLException e) {
      // H2 still writes its pending changes when the last pool connection closes.
    } finally {
      dataSource.close();
    }
  }
}
