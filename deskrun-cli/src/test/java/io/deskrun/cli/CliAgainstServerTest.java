package io.deskrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.agent.Agent;
import io.deskrun.agent.AgentConfig;
import io.deskrun.cli.api.ApiClient;
import io.deskrun.cli.api.CredentialsResolver;
import io.deskrun.server.DeskrunServer;
import io.deskrun.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the client commands against a real server with one real agent on this machine. */
@DisabledOnOs(OS.WINDOWS)
class CliAgainstServerTest {
  @TempDir Path temp;

  private DeskrunServer server;
  private Agent agent;
  private Path dataDir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void startServerAndAgent() {
    dataDir = temp.resolve("server");
    server = DeskrunServer.start(ServerConfig.forDataDir(dataDir));
    ApiClient api =
        ApiClient.create(CredentialsResolver.fromBootstrapFile(server.bootstrapCredentialsFile()));
    var activation = api.call("CreateActivation", Map.of("InstanceCount", "1"));
    agent =
        Agent.start(
            AgentConfig.builder()
                .server(URI.create("http://" + server.endpoint()))
                .stateDir(temp.resolve("agent"))
                .activation(
                    activation.path("ActivationId").asText(),
                    activation.path("ActivationCode").asText())
                .build());
  }

  @AfterEach
  void stopAgentAndServer() {
    if (agent != null) {
      agent.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private int execute(String... args) {
    CommandLine commandLine = Main.newCommandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    return commandLine.execute(args);
  }

  @Test
  void runWait_shellScript_printsResult() {
    int exitCode =
        execute(
            "run",
            "--data-dir",
            dataDir.toString(),
            "--desktop",
            agent.desktopId(),
            "--command",
            "echo 'out ¡hola!'; exit 0",
            "--wait");

    assertThat(exitCode).as("stderr: %s", err).isZero();
    assertThat(out.toString())
        .contains("== " + agent.desktopId())
        .contains("Success, exit code 0")
        .contains("out ¡hola!");
    assertThat(err.toString()).contains("Started t-").contains("1/1 finished");
  }

  @Test
  void runWait_nonZeroExit_exitCode4() {
    int exitCode =
        execute(
            "run",
            "--data-dir",
            dataDir.toString(),
            "--desktop",
            agent.desktopId(),
            "--command",
            "exit 7",
            "--wait");

    assertThat(exitCode).isEqualTo(ExitCodes.RUN_NOT_SUCCESSFUL);
    assertThat(out.toString()).contains("Failed, exit code 7");
  }

  @Test
  void run_unknownDesktop_printsApiError() {
    int exitCode =
        execute(
            "run",
            "--data-dir",
            dataDir.toString(),
            "--desktop",
            "ecd-00000000000000000000",
            "--command",
            "ls");

    assertThat(exitCode).isEqualTo(ExitCodes.API_ERROR);
    assertThat(err.toString()).startsWith("Error: InvalidDesktopId.NotFound: ");
  }

  @Test
  void run_timeoutOutOfRange_printsApiError() {
    int exitCode =
        execute(
            "run",
            "--data-dir",
            dataDir.toString(),
            "--desktop",
            agent.desktopId(),
            "--command",
            "ls",
            "--timeout",
            "0");

    assertThat(exitCode).isEqualTo(ExitCodes.API_ERROR);
    assertThat(err.toString()).startsWith("Error: InvalidParameter.Timeout: ");
  }

  @Test
  void desktops_enrolledAgent_listedOnline() {
    int exitCode = execute("desktops", "--data-dir", dataDir.toString());

    assertThat(exitCode).isZero();
    assertThat(out.toString()).contains(agent.desktopId()).contains("Online");
  }

  @Test
  void invocationsAndStop_longScript_stoppedAndListed() {
    execute(
        "run",
        "--data-dir",
        dataDir.toString(),
        "--desktop",
        agent.desktopId(),
        "--command",
        "sleep 60");
    String invokeId = out.toString().strip();
    assertThat(invokeId).startsWith("t-");

    int stopExit = execute("stop", invokeId, "--data-dir", dataDir.toString());
    int listExit = execute("invocations", "--data-dir", dataDir.toString());

    assertThat(stopExit).isZero();
    assertThat(listExit).isZero();
    assertThat(out.toString())
        .contains(
            "Stop requested for "
                + invokeId
                + "; see the result with: deskrun invocations --invoke-id "
                + invokeId
                + " --data-dir "
                + dataDir
                + "\n")
        .contains("INVOKE ID")
        .contains(invokeId);
  }

  @Test
  void desktops_httpsToHttpServer_namesHttp() throws Exception {
    Path httpsDataDir = temp.resolve("https-data");
    Files.createDirectories(httpsDataDir);
    String bootstrap = Files.readString(server.bootstrapCredentialsFile());
    Files.writeString(
        httpsDataDir.resolve("bootstrap-credentials.json"),
        bootstrap.replace("\"Protocol\" : \"http\"", "\"Protocol\" : \"https\""));

    int exit = execute("desktops", "--data-dir", httpsDataDir.toString());

    assertThat(exit).as(err.toString()).isEqualTo(3);
    assertThat(err.toString())
        .isEqualTo(
            "Error: The server at https://"
                + server.endpoint()
                + " speaks plain HTTP, not HTTPS; use http://"
                + server.endpoint()
                + " as the endpoint, or start the server with --tls-cert and --tls-key.\n");
  }
}
