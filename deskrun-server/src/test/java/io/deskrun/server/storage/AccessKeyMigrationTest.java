package io.deskrun.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration that adds the read-only permission, run over a database that already contains a
 * key: on H2 and on PostgreSQL the existing key stays full.
 */
class AccessKeyMigrationTest {
  @TempDir Path dir;

  @Test
  void migrate_h2OldKey_staysFull() {
    String url = "jdbc:h2:file:" + dir.resolve("deskrun");

    Map<String, Object> key = migrateWithOldKey(url, "sa");

    assertThat(key).containsEntry("read_only", false);
  }

  @Test
  void migrate_postgresOldKey_staysFull() {
    String url = TestPostgres.newDatabaseUrl();

    Map<String, Object> key = migrateWithOldKey(url, TestPostgres.USER);

    assertThat(key).containsEntry("read_only", false);
  }

  /** Builds the schema up to version 2, stores a key, then opens the database at the newest. */
  private static Map<String, Object> migrateWithOldKey(String url, String user) {
    Flyway.configure()
        .dataSource(url, user, "")
        .locations("classpath:db/migration")
        .target("2")
        .load()
        .migrate();
    Jdbi.create(url, user, "")
        .useHandle(
            handle -> {
              handle.execute("INSERT INTO accounts (account_id, created_at) VALUES ('old', 1)");
              handle.execute(
                  "INSERT INTO access_keys (access_key_id, account_id, secret_ciphertext, active,"
                      + " created_at) VALUES ('LTAIold', 'old', 'x', TRUE, 1)");
            });

    try (Database database = Database.open(url, user, "", 2)) {
      return database
          .jdbi()
          .withHandle(
              handle ->
                  handle
                      .createQuery(
                          "SELECT read_only FROM access_keys WHERE access_key_id = 'LTAIold'")
                      .mapToMap()
                      .one());
    }
  }
}
