package io.deskrun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskrun.agent.Agent;
import io.deskrun.agent.AgentConfig;
import io.deskrun.cli.api.ApiClient;
import io.deskrun.cli.api.Credentials;
import io.deskrun.cli.api.CredentialsResolver;
import io.deskrun.protocol.ScriptType;
import io.deskrun.server.DeskrunServer;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deskrun quickstart}: a server and two agents in this process, one sample script run on
 * both through the HTTP API, and the commands to try one's own.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a server on a fresh embedded database and two local agents in this process, runs a"
          + " sample script on both through the API, prints the results and the commands to run"
          + " your own script, then keeps running until Ctrl-C."
    },
    footer = ExitCodes.HELP_FOOTER)
final class QuickstartCommand implements Callable<Integer>, LongRunningCommand {
  static final int AGENT_COUNT = 2;
  static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(60);

  static final String SHELL_SAMPLE =
      "echo \"hello from $(hostname)\"; uname -sr; echo \"¡hola! 你好\"";
  static final String POWERSHELL_SAMPLE =
      "Write-Output \"hello from $env:COMPUTERNAME\";"
          + " [Environment]::OSVersion.VersionString; Write-Output \"¡hola! 你好\"";

  @Spec CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "quickstart-data",
      description =
          "Data directory, wiped at start; it must be empty or one quickstart made"
              + " (default: ./${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "Port of the server (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(
      names = "--exit-after-sample",
      description =
          "Stop server and agents after printing the sample results instead of waiting for Ctrl-C.")
  boolean exitAfterSample;

  @Override
  public Integer call() throws InterruptedException {
    QuickstartDataDir.prepare(dataDir);
    ShutdownLatch latch = ShutdownLatch.install("quickstart");
    int sampleExitCode;
    try {
      sampleExitCode = startAndRunSample(latch);
    } catch (RuntimeException | InterruptedException e) {
      latch.closeAll();
      throw e;
    }

    if (exitAfterSample) {
      latch.closeAll();
      return sampleExitCode;
    }
    latch.await();
    return ExitCodes.OK;
  }

  /** Starts the server and agents, runs the sample, prints the results, returns its exit code. */
  private int startAndRunSample(ShutdownLatch latch) throws InterruptedException {
    DeskrunServer server =
        latch.add(
            ServerCommand.startServer(ServerCommand.loadSettings(null, Map.of(), serverFlags())));
    ApiClient api =
        ApiClient.create(CredentialsResolver.fromBootstrapFile(server.bootstrapCredentialsFile()));

    List<Agent> agents = startAgents(api, server, latch);
    InvocationWaiter.Outcome outcome = runSample(api, agents);
    printResults(api.credentials(), outcome, agents);
    return RunScriptCommand.exitCode(outcome);
  }

  private Map<String, String> serverFlags() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("port", Integer.toString(port));
    flags.put("bind", "127.0.0.1");
    flags.put("data-dir", dataDir.resolve("server").toString());
    return flags;
  }

  private List<Agent> startAgents(ApiClient api, DeskrunServer server, ShutdownLatch latch) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("InstanceName", "quickstart");
    parameters.put("InstanceCount", Integer.toString(AGENT_COUNT));
    parameters.put("TimeToLiveInHours", "1");
    JsonNode activation = api.call("CreateActivation", parameters);

    URI serverUri = URI.create("http://" + server.endpoint());
    List<Agent> agents = new ArrayList<>();
    for (int i = 1; i <= AGENT_COUNT; i++) {
      AgentConfig config =
          AgentConfig.builder()
              .server(serverUri)
              .stateDir(dataDir.toAbsolutePath().resolve("agent-" + i))
              .activation(
                  activation.path("ActivationId").asText(),
                  activation.path("ActivationCode").asText())
              .regionId(api.credentials().regionId())
              .build();
      agents.add(latch.add(Agent.start(config)));
    }
    return agents;
  }

  private InvocationWaiter.Outcome runSample(ApiClient api, List<Agent> agents)
      throws InterruptedException {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("Type", sampleType().name());
    parameters.put("CommandContent", sampleScript());
    parameters.put("Timeout", Long.toString(SAMPLE_TIMEOUT.toSeconds()));
    for (int i = 0; i < agents.size(); i++) {
      parameters.put("DesktopId." + (i + 1), agents.get(i).desktopId());
    }
    String invokeId = api.call("RunCommand", parameters).path("InvokeId").asText();

    PrintWriter err = spec.commandLine().getErr();
    err.println("Running the sample script as " + invokeId + " on " + agents.size() + " desktops");
    err.flush();
    return InvocationWaiter.polling(api)
        .await(
            invokeId,
            InvocationWaiter.limitFor(SAMPLE_TIMEOUT),
            line -> {
              err.println(line);
              err.flush();
            });
  }

  private void printResults(
      Credentials credentials, InvocationWaiter.Outcome outcome, List<Agent> agents) {
    PrintWriter out = spec.commandLine().getOut();
    out.println();
    out.print(InvocationFormatter.details(outcome.invocation()));
    out.println();
    out.print(
        tryItYourself(credentials, agents.stream().map(Agent::desktopId).toList(), isWindows()));
    if (!exitAfterSample) {
      out.println();
      out.println("Server and agents keep running; press Ctrl-C to stop them.");
    }
    out.flush();
  }

  /** Returns the lines that point the CLI at this server and run a script on the desktops. */
  static String tryItYourself(Credentials credentials, List<String> desktopIds, boolean windows) {
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put(CredentialsResolver.ACCESS_KEY_ID, credentials.accessKeyId());
    variables.put(CredentialsResolver.ACCESS_KEY_SECRET, credentials.accessKeySecret());
    variables.put(CredentialsResolver.ENDPOINT, credentials.endpoint());
    variables.put(CredentialsResolver.REGION_ID, credentials.regionId());

    StringBuilder out = new StringBuilder("Run your own script against it:\n\n");
    variables.forEach(
        (name, value) ->
            out.append(windows ? "  set " + name + "=" + value : "  export " + name + "=" + value)
                .append('\n'));

    out.append(windows ? "  deskrun.cmd run" : "  ./deskrun run");
    for (String desktopId : desktopIds) {
      out.append(" --desktop ").append(desktopId);
    }
    if (windows) {
      out.append(" --type RunPowerShellScript --command \"Get-Date\" --wait\n");
    } else {
      out.append(" --command 'date; whoami' --wait\n");
    }
    return out.toString();
  }

  private static ScriptType sampleType() {
    return isWindows() ? ScriptType.RunPowerShellScript : ScriptType.RunShellScript;
  }

  private static String sampleScript() {
    return isWindows() ? POWERSHELL_SAMPLE : SHELL_SAMPLE;
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "").startsWith("Windows");
  }
}
