package io.deskrun.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.server.account.Accounts;
import io.deskrun.server.gateway.AccessKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
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
}
