package io.deskrun.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.server.account.Accounts;
import io.deskrun.server.gateway.AccessKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountsTest {
  @TempDir Path dataDir;

  @Test
  void bootstrap_firstStart_createsKeyWithExpectedShape() {
    try (ServerFixture server = new ServerFixture(dataDir)) {
      Accounts.NewAccessKey key = server.components.accounts.createAccessKey(server.accountId);

      assertThat(key.accessKeyId()).matches("LTAI[A-Za-z0-9]{20}");
      assertThat(key.accessKeySecret()).matches("[A-Za-z0-9]{30}");
      AccessKey found = server.components.accounts.find(key.accessKeyId()).orElseThrow();
      assertThat(found.secret()).isEqualTo(key.accessKeySecret());
      assertThat(found.accountId()).isEqualTo(server.accountId);
      assertThat(found.active()).isTrue();
    }
  }

  @Test
  void bootstrap_secondStart_createsNothing() {
    try (ServerFixture server = new ServerFixture(dataDir)) {
      assertThat(server.components.accounts.bootstrapIfEmpty()).isEmpty();
    }
  }

  @Test
  void secret_storedEncrypted_notInPlainText() {
    try (ServerFixture server = new ServerFixture(dataDir)) {
      Accounts.NewAccessKey key = server.components.accounts.createAccessKey(server.accountId);

      List<String> stored =
          server
              .database
              .jdbi()
              .withHandle(
                  h ->
                      h.createQuery("SELECT secret_ciphertext FROM access_keys")
                          .mapTo(String.class)
                          .list());

      assertThat(stored).isNotEmpty().noneMatch(text -> text.contains(key.accessKeySecret()));
    }
  }

  @Test
  void masterKey_generated_ownerOnly() throws IOException {
    new ServerFixture(dataDir).close();
    Path file = dataDir.resolve("master.key");

    assertThat(file).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void setActive_false_reportedInactive() {
    try (ServerFixture server = new ServerFixture(dataDir)) {
      Accounts.NewAccessKey key = server.components.accounts.createAccessKey(server.accountId);

      server.components.accounts.setActive(key.accessKeyId(), false);

      assertThat(server.components.accounts.find(key.accessKeyId()).orElseThrow().active())
          .isFalse();
    }
  }

  @Test
  void setActive_afterCachedFind_reportedInactive() {
    try (ServerFixture server = new ServerFixture(dataDir)) {
      Accounts.NewAccessKey key = server.components.accounts.createAccessKey(server.accountId);
      assertThat(server.components.accounts.find(key.accessKeyId()).orElseThrow().active())
          .isTrue();

      server.components.accounts.setActive(key.accessKeyId(), false);

      assertThat(server.components.accounts.find(key.accessKeyId()).orElseThrow().active())
          .isFalse();
    }
  }

  @Test
  void find_unknownKey_empty() {
    try (ServerFixture server = new ServerFixture(dataDir)) {
      assertThat(server.components.accounts.find("LTAInothere")).isEmpty();
    }
  }

  @Test
  void bootstrap_twoServersOnEmptyDatabase_oneKeyAndNoError() throws Exception {
    try (ServerFixture server = new ServerFixture(dataDir)) {
      server.database.jdbi().useHandle(h -> h.execute("DELETE FROM access_keys"));
      server.database.jdbi().useHandle(h -> h.execute("DELETE FROM accounts"));
      Accounts accounts = server.components.accounts;
      AtomicReference<Optional<Accounts.NewAccessKey>> second = new AtomicReference<>();
      Thread secondServer = new Thread(() -> second.set(accounts.bootstrapIfEmpty()));

      // The second bootstrap starts while the first still holds its uncommitted account row, so
      // both find an empty table and the second insert collides with the first on commit.
      Optional<Accounts.NewAccessKey> first =
          accounts.bootstrapIfEmpty(key -> startAndAwaitBlocked(secondServer));
      secondServer.join(10_000);

      assertThat(first).isPresent();
      assertThat(secondServer.isAlive()).isFalse();
      assertThat(second.get()).isEmpty();
      int keys =
          server
              .database
              .jdbi()
              .withHandle(
                  h -> h.createQuery("SELECT COUNT(*) FROM access_keys").mapTo(int.class).one());
      assertThat(keys).isEqualTo(1);
    }
  }

  /**
   * Starts the thread and gives it time to reach its insert, which then waits for the first
   * transaction's row lock. H2 waits for a lock while RUNNABLE, so a fixed pause (well below H2's
   * lock timeout) replaces a check of the thread state.
   */
  private static void startAndAwaitBlocked(Thread thread) {
    thread.start();
    try {
      Thread.sleep(300);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
