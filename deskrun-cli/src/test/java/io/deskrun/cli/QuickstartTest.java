package io.deskrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clones the committed repository and runs {@code ./deskrun quickstart --exit-after-sample} in it,
 * as a new user would: the launcher builds the jar, then the sample runs on two local agents.
 */
@DisabledOnOs(OS.WINDOWS)
class QuickstartTest {
  private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

  /** A fresh clone builds every module, which takes a few minutes on a small machine. */
  private static final long TIME_LIMIT_MINUTES = 8;

  @TempDir Path temp;

  private static void runOrFail(Path directory, Path log, List<String> command)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    process.getOutputStream().close();
    boolean finished = process.waitFor(TIME_LIMIT_MINUTES, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(finished).as("%s finished within %d minutes", command, TIME_LIMIT_MINUTES).isTrue();
    assertThat(process.exitValue())
        .as("exit code of %s; output:%n%s", command, Files.readString(log))
        .isZero();
  }

  @Test
  void quickstart_freshClone_runsSampleOnTwoDesktops() throws Exception {
    Path clone = temp.resolve("deskrun");
    runOrFail(
        temp,
        temp.resolve("clone.log"),
        List.of("git", "clone", "-q", REPOSITORY.toString(), clone.toString()));

    Path output = temp.resolve("quickstart.log");
    runOrFail(
        clone, output, List.of("./deskrun", "quickstart", "--exit-after-sample", "--port", "0"));

    String text = Files.readString(output, StandardCharsets.UTF_8);
    assertThat(text).contains("Success, 2 of 2 desktops succeeded");
    assertThat(text.split("\n== ecd-", -1)).as("one block per desktop").hasSize(3);
    assertThat(text).contains(": Success, exit code 0");
    assertThat(text).contains("hello from ");
    assertThat(text).contains("¡hola! 你好");
    assertThat(text).contains("export ALIBABA_CLOUD_ACCESS_KEY_ID=");
    assertThat(text).contains("export DESKRUN_ENDPOINT=127.0.0.1:");
    assertThat(text)
        .containsPattern("\\./deskrun run --desktop ecd-\\w+ --desktop ecd-\\w+ --command");
    assertThat(clone.resolve("quickstart-data/agent-1")).isDirectory();
  }
}
