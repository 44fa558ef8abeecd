package io.deskrun.agent.enroll;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityStoreTest {
  @TempDir Path parent;

  @Test
  void load_noFile_empty() throws IOException {
    assertThat(new IdentityStore(parent.resolve("state")).load()).isEmpty();
  }

  @Test
  void save_identity_readBackWithOwnerOnlyPermissions() throws IOException {
    Path stateDir = parent.resolve("state");
    IdentityStore store = new IdentityStore(stateDir);

    store.save(new Identity("ecd-1", "secret-token"));

    assertThat(new IdentityStore(stateDir).load()).contains(new Identity("ecd-1", "secret-token"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir)))
        .isEqualTo("rwx------");
    try (var files = Files.list(stateDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("identity.json");
    }
  }

  @Test
  void toString_identity_hidesToken() {
    assertThat(new Identity("ecd-1", "secret-token").toString()).doesNotContain("secret-token");
  }
}
