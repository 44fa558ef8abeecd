package io.deskrun.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskrun.cli.api.Credentials;
import io.deskrun.server.DeskrunServer;
import io.deskrun.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickstartCommandTest {
  private static final Credentials CREDENTIALS =
      new Credentials("LTAIexample", "s3cret", "127.0.0.1:8080", "cn-hangzhou");

  @TempDir Path temp;

  @Test
  void tryItYourself_unix_exportLines() {
    String text = QuickstartCommand.tryItYourself(CREDENTIALS, List.of("ecd-a", "ecd-b"), false);

    assertThat(text.lines().toList())
        .containsSubsequence(
            "  export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIexample",
            "  export ALIBABA_CLOUD_ACCESS_KEY_SECRET=s3cret",
            "  export DESKRUN_ENDPOINT=127.0.0.1:8080",
            "  export DESKRUN_REGION_ID=cn-hangzhou",
            "  ./deskrun run --desktop ecd-a --desktop ecd-b --command 'date; whoami' --wait");
  }

  @Test
  void tryItYourself_windows_setLines() {
    String text = QuickstartCommand.tryItYourself(CREDENTIALS, List.of("ecd-a"), true);

    assertThat(text)
        .contains("  set DESKRUN_ENDPOINT=127.0.0.1:8080\n")
        .contains("deskrun.cmd run --desktop ecd-a --type RunPowerShellScript");
  }

  @Test
  void prepare_missingDir_createdWithMarker() {
    Path dir = temp.resolve("new");

    QuickstartDataDir.prepare(dir);

    assertThat(dir.resolve(QuickstartDataDir.MARKER)).exists();
    assertThat(dir.resolve(".gitignore")).hasContent("*");
  }

  @Test
  void prepare_earlierQuickstartDir_wiped() throws IOException {
    Path dir = temp.resolve("earlier");
    QuickstartDataDir.prepare(dir);
    Files.createDirectories(dir.resolve("server/db"));
    Files.writeString(dir.resolve("server/db/deskrun.mv.db"), "old");

    QuickstartDataDir.prepare(dir);

    assertThat(dir.resolve("server")).doesNotExist();
    assertThat(dir.resolve(QuickstartDataDir.MARKER)).exists();
  }

  @Test
  void prepare_foreignNonEmptyDir_rejectedAndKept() throws IOException {
    Path dir = Files.createDirectories(temp.resolve("home"));
    Files.writeString(dir.resolve("notes.txt"), "keep me");

    assertThatThrownBy(() -> QuickstartDataDir.prepare(dir))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("is not empty and was not made by quickstart");
    assertThat(dir.resolve("notes.txt")).hasContent("keep me");
  }

  @Test
  void prepare_regularFile_rejected() throws IOException {
    Path file = Files.writeString(temp.resolve("file"), "x");

    assertThatThrownBy(() -> QuickstartDataDir.prepare(file))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("is a file");
  }

  @Test
  void prepare_dirOfRunningServer_rejectedAndKept() throws IOException {
    Path dir = temp.resolve("running");
    QuickstartDataDir.prepare(dir);
    Path serverDir = dir.resolve("server");
    try (DeskrunServer server = DeskrunServer.start(ServerConfig.forDataDir(serverDir))) {
      assertThatThrownBy(() -> QuickstartDataDir.prepare(dir))
          .isInstanceOf(CliException.class)
          .hasMessageContaining("in use by a running quickstart or server");
      assertThat(server.bootstrapCredentialsFile()).exists();
    }
  }
}
