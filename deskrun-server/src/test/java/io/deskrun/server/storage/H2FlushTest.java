package io.deskrun.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes made through the server's Jdbi on H2 survive a SIGKILL right after they return. The
 * database is opened with a write delay of 60 s, so H2 would not write the rows itself in time.
 */
class H2FlushTest {
  /** Acknowledged inserts to wait for before the kill. */
  private static final int WRITES_BEFORE_KILL = 300;

  @TempDir Path dir;

  @Test
  void isWrite_countsAnythingButQueries() {
    assertThat(H2Flush.isWrite("SELECT 1")).isFalse();
    assertThat(H2Flush.isWrite("  select name FROM items")).isFalse();
    assertThat(H2Flush.isWrite("VALUES 1")).isFalse();
    assertThat(H2Flush.isWrite("INSERT INTO items VALUES (1)")).isTrue();
    assertThat(H2Flush.isWrite("\n update items SET name = 'b'")).isTrue();
    assertThat(H2Flush.isWrite("DELETE FROM items")).isTrue();
    assertThat(H2Flush.isWrite("MERGE INTO items KEY (name) VALUES ('a')")).isTrue();
    assertThat(H2Flush.isWrite("CREATE TABLE t (a INT)")).isTrue();
  }

  @Test
  void jdbiWrites_killAfterAck_allStored() throws Exception {
    Set<String> acknowledged = writeThenKill("jdbi");

    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(WRITES_BEFORE_KILL);
    assertThat(storedNames()).containsAll(acknowledged);
  }

  /** The control: without the flush, H2 loses rows it had acknowledged. */
  @Test
  void plainJdbcWrites_killAfterAck_someLost() throws Exception {
    Set<String> acknowledged = writeThenKill("plain-jdbc");

    Set<String> lost = new HashSet<>(acknowledged);
    lost.removeAll(storedNames());
    assertThat(lost).isNotEmpty();
  }

  private String url() {
    return "jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=60000";
  }

  /**
   * Starts {@link H2FlushWriter} with 8 threads, kills it with SIGKILL once {@value
   * #WRITES_BEFORE_KILL} inserts have returned, and returns every row it reported as written.
   */
  private Set<String> writeThenKill(String mode) throws Exception {
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                H2FlushWriter.class.getName(),
                url(),
                mode,
                "8")
            .redirectError(dir.resolve("writer.err").toFile())
            .start();
    Set<String> acknowledged = new HashSet<>();
    try (BufferedReader output =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      boolean killed = false;
      for (String line = output.readLine(); line != null; line = output.readLine()) {
        if (line.startsWith(H2FlushWriter.WRITTEN)) {
          acknowledged.add(line.substring(H2FlushWriter.WRITTEN.length()));
        }
        if (!killed && acknowledged.size() >= WRITES_BEFORE_KILL) {
          // Through the handle, which only sends the signal: the lines already in the pipe stay
          // readable.
          process.toHandle().destroyForcibly();
          killed = true;
        }
      }
    } finally {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    return acknowledged;
  }

  /** Returns the rows in the file, or none when even the table was lost. */
  private List<String> storedNames() {
    try (Database database = Database.open(url(), "", "")) {
      return database.jdbi().withHandle(H2FlushTest::namesIn);
    }
  }

  private static List<String> namesIn(Handle handle) {
    boolean tableExists =
        handle
                .createQuery(
                    "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'ITEMS'")
                .mapTo(int.class)
                .one()
            > 0;
    if (!tableExists) {
      return List.of();
    }
    return handle.createQuery("SELECT name FROM items").mapTo(String.class).list();
  }
}
