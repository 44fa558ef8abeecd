package io.deskrun.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening the database, migrating it and the shared-database helpers, on H2 and PostgreSQL. */
class DatabaseTest {
  @TempDir Path dir;

  @Test
  void open_postgres_migratesAndReportsDialect() {
    try (Database database = Database.open(TestPostgres.newDatabaseUrl(), TestPostgres.USER, "")) {
      assertThat(database.dialect()).isEqualTo(Dialect.POSTGRESQL);
      int tables =
          database
              .jdbi()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT COUNT(*) FROM information_schema.tables"
                                  + " WHERE table_name IN ('targets', 'cluster_facts')")
                          .mapTo(int.class)
                          .one());
      assertThat(tables).isEqualTo(2);
    }
  }

  @Test
  void open_h2_vendorMigrationDropsTwoIndexes() {
    try (Database database = Database.open("jdbc:h2:file:" + dir.resolve("db"), "", "")) {
      assertThat(indexNames(database, "SELECT LOWER(INDEX_NAME) FROM INFORMATION_SCHEMA.INDEXES"))
          .contains("targets_by_desktop", "targets_by_status")
          .doesNotContain("targets_by_deadline", "targets_by_stop_time");
    }
  }

  @Test
  void open_postgres_vendorMigrationKeepsStopTimeIndex() {
    try (Database database = Database.open(TestPostgres.newDatabaseUrl(), TestPostgres.USER, "")) {
      assertThat(indexNames(database, "SELECT indexname FROM pg_indexes"))
          .contains("targets_by_desktop", "targets_by_status", "targets_by_stop_time")
          .doesNotContain("targets_by_deadline");
    }
  }

  private static List<String> indexNames(Database database, String query) {
    return database.jdbi().withHandle(h -> h.createQuery(query).mapTo(String.class).list());
  }

  @Test
  void runExclusively_postgresLockHeldElsewhere_skipsTask() {
    String url = TestPostgres.newDatabaseUrl();
    try (Database first = Database.open(url, TestPostgres.USER, "");
        Database second = Database.open(url, TestPostgres.USER, "")) {
      int nested = first.runExclusively(42, () -> second.runExclusively(42, () -> 7) + 1);

      assertThat(nested).isEqualTo(1);
      assertThat(second.runExclusively(42, () -> 7)).isEqualTo(7);
    }
  }

  @Test
  void runExclusively_h2_alwaysRuns() {
    try (Database database = Database.open("jdbc:h2:file:" + dir.resolve("db"), "", "")) {
      assertThat(database.dialect()).isEqualTo(Dialect.H2);
      assertThat(database.runExclusively(42, () -> database.runExclusively(42, () -> 3)))
          .isEqualTo(3);
    }
  }

  @Test
  void open_unreachablePostgres_failsNamingUrlWithoutPassword() {
    assertThatThrownBy(
            () ->
                Database.open(
                    "jdbc:postgresql://127.0.0.1:1/none?password=hunter2&connectTimeout=2",
                    "u",
                    "p"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Cannot connect to the database jdbc:postgresql://127.0.0.1:1/none")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void dialect_otherDatabase_rejected() {
    assertThatThrownBy(() -> Dialect.of("jdbc:mysql://127.0.0.1/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:h2: or jdbc:postgresql:");
  }
}
