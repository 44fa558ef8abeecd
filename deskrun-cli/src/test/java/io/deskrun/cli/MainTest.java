package io.deskrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  @TempDir Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int execute(String... args) {
    CommandLine commandLine = Main.newCommandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    return commandLine.execute(args);
  }

  /** Returns a loopback port that nothing listens on (bound, then closed). */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void run_serverNotRunning_exitCode3() throws IOException {
    Files.writeString(
        temp.resolve("bootstrap-credentials.json"),
        "{\"AccessKeyId\":\"id\",\"AccessKeySecret\":\"secret\",\"Endpoint\":\"127.0.0.1:"
            + closedPort()
            + "\",\"RegionId\":\"cn-hangzhou\"}");

    int exitCode =
        execute("run", "--data-dir", temp.toString(), "--desktop", "ecd-a", "--command", "ls");

    assertThat(exitCode).isEqualTo(ExitCodes.CONFIGURATION);
    assertThat(err.toString()).startsWith("Error: Cannot connect to 127.0.0.1:");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void desktops_noBootstrapFile_namesFile() {
    int exitCode = execute("desktops", "--data-dir", temp.toString());

    assertThat(exitCode).isEqualTo(ExitCodes.CONFIGURATION);
    assertThat(err.toString())
        .startsWith("Error: ")
        .contains(temp.resolve("bootstrap-credentials.json").toString())
        .contains("does not exist");
  }

  @Test
  void run_unknownOption_exitCode2() {
    int exitCode = execute("run", "--desktop", "ecd-a", "--command", "ls", "--bogus");

    assertThat(exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .isEqualTo(
            "Error: Unknown option: '--bogus'\nRun 'deskrun run --help' for usage.\n"
                .replace("\n", System.lineSeparator()));
  }

  @Test
  void version_printsDeskrunVersion() {
    int exitCode = execute("--version");

    assertThat(exitCode).isZero();
    assertThat(out.toString()).startsWith("deskrun ");
  }

  @Test
  void run_commandAndFile_singleErrorPrefix() {
    int exitCode = execute("run", "--desktop", "ecd-a", "--command", "ls", "--file", "a.sh");

    assertThat(exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("Error: ").doesNotContain("Error: Error:");
  }

  @Test
  void desktops_malformedEndpoint_exitCode3() throws IOException {
    Files.writeString(
        temp.resolve("bootstrap-credentials.json"),
        "{\"AccessKeyId\":\"id\",\"AccessKeySecret\":\"secret\",\"Endpoint\":\"a b\","
            + "\"RegionId\":\"cn-hangzhou\"}");

    int exitCode = execute("desktops", "--data-dir", temp.toString());

    assertThat(exitCode).isEqualTo(ExitCodes.CONFIGURATION);
    assertThat(err.toString()).startsWith("Error: Invalid endpoint \"a b\"");
  }

  @Test
  void server_missingConfigFile_exitCode3() {
    Path missing = temp.resolve("missing.properties");

    int exitCode = execute("server", "--config", missing.toString(), "--data-dir", temp.toString());

    assertThat(exitCode).isEqualTo(ExitCodes.CONFIGURATION);
    assertThat(err.toString()).contains("Cannot read the settings file").contains("no such file");
  }
}
