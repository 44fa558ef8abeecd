package io.deskrun.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskrun.protocol.ScriptType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

class CommandLineParsingTest {

  /** Parses the arguments and returns the user object of the innermost subcommand. */
  @SuppressWarnings("unchecked")
  private static <T> T parse(String... args) {
    ParseResult result = Main.newCommandLine().parseArgs(args);
    while (result.hasSubcommand()) {
      result = result.subcommand();
    }
    return (T) result.commandSpec().userObject();
  }

  @Test
  void server_allOptions_becomeSettingFlags() {
    ServerCommand server =
        parse(
            "server",
            "--port",
            "9090",
            "--bind",
            "0.0.0.0",
            "--data-dir",
            "/srv/deskrun",
            "--tls-cert",
            "/etc/deskrun/server.crt",
            "--tls-key",
            "/etc/deskrun/server.key",
            "--config",
            "d.properties");

    assertThat(server.flags())
        .containsExactly(
            Map.entry("port", "9090"),
            Map.entry("bind", "0.0.0.0"),
            Map.entry("data-dir", "/srv/deskrun"),
            Map.entry("tls-cert", "/etc/deskrun/server.crt"),
            Map.entry("tls-key", "/etc/deskrun/server.key"));
    assertThat(server.configFile).isEqualTo(Path.of("d.properties"));
  }

  @Test
  void server_noOptions_passesNoFlags() {
    ServerCommand server = parse("server");

    assertThat(server.flags()).isEmpty();
    assertThat(server.configFile).isNull();
  }

  @Test
  void server_nonNumericPort_rejected() {
    assertThatThrownBy(() -> parse("server", "--port", "http"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--port");
  }

  @Test
  void agent_allOptions_parsed() {
    AgentCommand agent =
        parse(
            "agent",
            "--server",
            "http://127.0.0.1:8080",
            "--activation-id",
            "act-1",
            "--activation-code",
            "code-1",
            "--state-dir",
            "state",
            "--region",
            "cn-shanghai",
            "--max-runs",
            "4",
            "--interpreter",
            "RunShellScript=/bin/bash --noprofile",
            "--interpreter",
            "RunPowerShellScript=pwsh -NoProfile -File",
            "--working-dir",
            "/tmp");

    assertThat(agent.servers).containsExactly(URI.create("http://127.0.0.1:8080"));
    assertThat(agent.activation.id).isEqualTo("act-1");
    assertThat(agent.activation.code).isEqualTo("code-1");
    assertThat(agent.stateDir).isEqualTo(Path.of("state"));
    assertThat(agent.regionId).isEqualTo("cn-shanghai");
    assertThat(agent.maxConcurrentRuns).isEqualTo(4);
    assertThat(agent.interpreters)
        .containsEntry(ScriptType.RunShellScript, "/bin/bash --noprofile")
        .containsEntry(ScriptType.RunPowerShellScript, "pwsh -NoProfile -File");
    assertThat(agent.workingDirectory).isEqualTo(Path.of("/tmp"));
  }

  @Test
  void agent_commaSeparatedServers_allInOrder() {
    AgentCommand agent =
        parse(
            "agent",
            "--server",
            "http://127.0.0.1:8080,http://127.0.0.1:8081",
            "--state-dir",
            "state");

    assertThat(agent.toConfig().servers())
        .containsExactly(URI.create("http://127.0.0.1:8080"), URI.create("http://127.0.0.1:8081"));
  }

  @Test
  void agent_outputCharset_parsedAndPassedToConfig() {
    AgentCommand agent =
        parse(
            "agent",
            "--server",
            "http://127.0.0.1:8080",
            "--state-dir",
            "state",
            "--output-charset",
            "GBK");

    assertThat(agent.toConfig().outputFallbackCharset()).contains(Charset.forName("GBK"));
  }

  @Test
  void agent_caCert_parsed() {
    AgentCommand agent =
        parse(
            "agent",
            "--server",
            "https://127.0.0.1:8443",
            "--state-dir",
            "state",
            "--ca-cert",
            "ca.pem");

    assertThat(agent.caCertificate).isEqualTo(Path.of("ca.pem"));
  }

  @Test
  void agent_caCertFileMissing_configurationErrorNamingFile(@TempDir Path dir) {
    Path missing = dir.resolve("ca.pem");
    AgentCommand agent =
        parse(
            "agent",
            "--server",
            "https://127.0.0.1:8443",
            "--state-dir",
            "state",
            "--ca-cert",
            missing.toString());

    assertThatThrownBy(agent::toConfig)
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("--ca-cert " + missing + " does not exist");
  }

  @Test
  void agent_enrolledAlready_activationOptional() {
    AgentCommand agent =
        parse("agent", "--server", "http://127.0.0.1:8080", "--state-dir", "state");

    assertThat(agent.activation).isNull();
  }

  @Test
  void agent_activationIdWithoutCode_rejected() {
    assertThatThrownBy(
            () ->
                parse(
                    "agent",
                    "--server",
                    "http://127.0.0.1:8080",
                    "--state-dir",
                    "s",
                    "--activation-id",
                    "act-1"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--activation-code");
  }

  @Test
  void agent_missingStateDir_rejected() {
    assertThatThrownBy(() -> parse("agent", "--server", "http://127.0.0.1:8080"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--state-dir");
  }

  @Test
  void agent_unknownInterpreterType_rejected() {
    assertThatThrownBy(
            () ->
                parse(
                    "agent",
                    "--server",
                    "http://h",
                    "--state-dir",
                    "s",
                    "--interpreter",
                    "RunPerlScript=perl"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("RunPerlScript");
  }

  @Test
  void splitCommand_spaces_splitIntoWords() {
    assertThat(
            AgentCommand.splitCommand(ScriptType.RunPowerShellScript, "  pwsh  -NoProfile -File "))
        .containsExactly("pwsh", "-NoProfile", "-File");
  }

  @Test
  void splitCommand_blank_rejectedNamingType() {
    assertThatThrownBy(() -> AgentCommand.splitCommand(ScriptType.RunBatScript, " "))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("RunBatScript");
  }

  @Test
  void activationCreate_allOptions_becomeParameters() {
    ActivationCommand.Create create =
        parse(
            "activation",
            "create",
            "--name",
            "lab",
            "--count",
            "20",
            "--ttl-hours",
            "48",
            "--description",
            "lab PCs");

    assertThat(create.parameters())
        .containsExactly(
            Map.entry("InstanceName", "lab"),
            Map.entry("InstanceCount", "20"),
            Map.entry("TimeToLiveInHours", "48"),
            Map.entry("Description", "lab PCs"));
  }

  @Test
  void activationCreateFormat_idAndCode_printsAgentCommand() {
    String text = ActivationCommand.Create.format("act-1", "CODE1", "http://127.0.0.1:8080", null);

    assertThat(text)
        .startsWith("ActivationId:   act-1\nActivationCode: CODE1\n")
        .contains(
            "deskrun agent --server http://127.0.0.1:8080 --activation-id act-1"
                + " --activation-code CODE1 --state-dir ./agent-state\n");
  }

  @Test
  void activationCreateFormat_caCertificate_agentCommandTrustsItToo() {
    String text =
        ActivationCommand.Create.format(
            "act-1", "CODE1", "https://127.0.0.1:8443", Path.of("ca.crt"));

    assertThat(text)
        .contains(
            "deskrun agent --server https://127.0.0.1:8443 --activation-id act-1"
                + " --activation-code CODE1 --state-dir ./agent-state --ca-cert ca.crt\n");
  }

  @Test
  void activationCreate_noOptions_leavesDefaultsToServer() {
    ActivationCommand.Create create = parse("activation", "create");

    assertThat(create.parameters()).isEmpty();
  }

  @Test
  void activation_withoutSubcommand_usageError() {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.newCommandLine();
    commandLine.setErr(new PrintWriter(err));

    int exitCode = commandLine.execute("activation");

    assertThat(exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("Missing command: expected one of create");
  }

  @Test
  void deskrun_withoutCommand_usageErrorListingCommands() {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.newCommandLine();
    commandLine.setErr(new PrintWriter(err));

    int exitCode = commandLine.execute();

    assertThat(exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("Missing command: expected one of quickstart, server");
  }

  @Test
  void desktops_outputJson_parsedCaseInsensitively() {
    DesktopsCommand desktops = parse("desktops", "--output", "json", "--data-dir", "d");

    assertThat(desktops.output).isEqualTo(OutputFormat.JSON);
    assertThat(desktops.client.dataDir).isEqualTo(Path.of("d"));
  }

  @Test
  void clientCaCert_optionAndVariable_optionWins() {
    StopCommand stop = parse("stop", "t-1", "--ca-cert", "option.pem");

    assertThat(stop.client.caCertificateFile(Map.of("DESKRUN_CA_CERT", "variable.pem")))
        .isEqualTo(Path.of("option.pem"));
  }

  @Test
  void clientHintOptions_givenOptions_quotedForShell() {
    StopCommand plain = parse("stop", "t-1");
    StopCommand both = parse("stop", "t-1", "--data-dir", "my data", "--ca-cert", "/etc/ca's.pem");

    assertThat(plain.client.hintOptions()).isEmpty();
    assertThat(both.client.hintOptions())
        .isEqualTo(" --data-dir 'my data' --ca-cert '/etc/ca'\\''s.pem'");
  }

  @Test
  void clientCaCert_httpEndpoint_usageError() {
    StopCommand stop = parse("stop", "t-1", "--ca-cert", "ca.pem");
    Map<String, String> environment =
        Map.of(
            "ALIBABA_CLOUD_ACCESS_KEY_ID", "id",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret",
            "DESKRUN_ENDPOINT", "127.0.0.1:8080");

    assertThatThrownBy(() -> stop.client.client(environment))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage(
            "--ca-cert ca.pem applies only to an https endpoint, but the endpoint is"
                + " 127.0.0.1:8080, which means http; drop --ca-cert, or use an https:// endpoint.");
  }

  @Test
  void caCertVariable_httpEndpoint_notRead() {
    StopCommand stop = parse("stop", "t-1");
    Map<String, String> environment =
        Map.of(
            "ALIBABA_CLOUD_ACCESS_KEY_ID", "id",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret",
            "DESKRUN_ENDPOINT", "http://127.0.0.1:8080",
            "DESKRUN_CA_CERT", "/nonexistent/ca.pem");

    assertThat(stop.client.client(environment).credentials().endpoint())
        .isEqualTo("http://127.0.0.1:8080");
  }

  @Test
  void clientCaCert_onlyVariable_variableUsed() {
    InvocationsCommand invocations = parse("invocations");

    assertThat(invocations.client.caCertificateFile(Map.of("DESKRUN_CA_CERT", " variable.pem ")))
        .isEqualTo(Path.of("variable.pem"));
    assertThat(invocations.client.caCertificateFile(Map.of("DESKRUN_CA_CERT", " "))).isNull();
    assertThat(invocations.client.caCertificateFile(Map.of())).isNull();
  }

  @Test
  void run_inlineCommand_becomesBase64RunCommandParameters() {
    RunScriptCommand run =
        parse(
            "run",
            "--desktop",
            "ecd-a",
            "--desktop",
            "ecd-b",
            "--command",
            "echo ¡hola!",
            "--timeout",
            "30",
            "--wait");

    assertThat(run.await).isTrue();
    assertThat(run.output).isEqualTo(OutputFormat.TEXT);
    assertThat(run.parameters())
        .containsExactly(
            Map.entry("Type", "RunShellScript"),
            Map.entry("CommandContent", "ZWNobyDCoWhvbGEh"),
            Map.entry("ContentEncoding", "Base64"),
            Map.entry("DesktopId.1", "ecd-a"),
            Map.entry("DesktopId.2", "ecd-b"),
            Map.entry("Timeout", "30"));
  }

  @Test
  void run_withoutTimeout_leavesDefaultToServer() {
    RunScriptCommand run =
        parse("run", "--desktop", "ecd-a", "--command", "dir", "--type", "RunBatScript");

    assertThat(run.parameters()).doesNotContainKey("Timeout").containsEntry("Type", "RunBatScript");
    assertThat(run.await).isFalse();
  }

  @Test
  void run_scriptFile_sentByteForByte(@TempDir Path temp) throws Exception {
    Path file = temp.resolve("script.ps1");
    Files.write(file, "Get-Date\r\n".getBytes(StandardCharsets.UTF_8));
    RunScriptCommand run =
        parse(
            "run",
            "--desktop",
            "ecd-a",
            "--file",
            file.toString(),
            "--type",
            "RunPowerShellScript");

    assertThat(run.parameters()).containsEntry("CommandContent", "R2V0LURhdGUNCg==");
  }

  @Test
  void run_scriptFileNotUtf8_rejectedNamingFile(@TempDir Path temp) throws Exception {
    Path file = temp.resolve("latin1.sh");
    Files.write(file, new byte[] {'e', 'c', 'h', 'o', ' ', (byte) 0xE9});
    RunScriptCommand run = parse("run", "--desktop", "ecd-a", "--file", file.toString());

    assertThatThrownBy(run::parameters)
        .isInstanceOf(CliException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not valid UTF-8");
  }

  @Test
  void run_commandAndFile_rejectedAsExclusive() {
    assertThatThrownBy(
            () -> parse("run", "--desktop", "ecd-a", "--command", "ls", "--file", "x.sh"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("mutually exclusive");
  }

  @Test
  void run_noScript_rejected() {
    assertThatThrownBy(() -> parse("run", "--desktop", "ecd-a"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--command");
  }

  @Test
  void run_noDesktop_rejected() {
    assertThatThrownBy(() -> parse("run", "--command", "ls"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--desktop");
  }

  @Test
  void run_unknownType_rejectedListingValidTypes() {
    assertThatThrownBy(
            () -> parse("run", "--desktop", "ecd-a", "--command", "ls", "--type", "RunPython"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("RunShellScript");
  }

  @Test
  void invocations_allOptions_becomeParameters() {
    InvocationsCommand invocations =
        parse(
            "invocations",
            "--invoke-id",
            "t-1",
            "--status",
            "Failed",
            "--max",
            "5",
            "--output",
            "json");

    assertThat(invocations.output).isEqualTo(OutputFormat.JSON);
    assertThat(invocations.parameters())
        .containsEntry("InvokeId", "t-1")
        .containsEntry("InvokeStatus", "Failed")
        .containsEntry("MaxResults", "5")
        .containsEntry("IncludeOutput", "true")
        .containsEntry("ContentEncoding", "PlainText");
  }

  @Test
  void invocations_listing_leavesOutputOut() {
    InvocationsCommand invocations = parse("invocations");

    assertThat(invocations.parameters())
        .containsEntry("IncludeOutput", "false")
        .doesNotContainKeys("InvokeId", "InvokeStatus", "MaxResults");
  }

  @Test
  void stop_withDesktops_becomesIndexedParameters() {
    StopCommand stop = parse("stop", "t-1", "--desktop", "ecd-a", "--desktop", "ecd-b");

    assertThat(stop.parameters())
        .containsExactly(
            Map.entry("InvokeId", "t-1"),
            Map.entry("DesktopId.1", "ecd-a"),
            Map.entry("DesktopId.2", "ecd-b"));
  }

  @Test
  void stop_withoutInvokeId_rejected() {
    assertThatThrownBy(() -> parse("stop"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("INVOKE_ID");
  }

  @Test
  void quickstart_defaults_portAndDataDir() {
    QuickstartCommand quickstart = parse("quickstart");

    assertThat(quickstart.port).isEqualTo(8080);
    assertThat(quickstart.dataDir).isEqualTo(Path.of("quickstart-data"));
    assertThat(quickstart.exitAfterSample).isFalse();
  }

  @Test
  void quickstart_allOptions_parsed() {
    QuickstartCommand quickstart =
        parse("quickstart", "--data-dir", "/tmp/q", "--port", "0", "--exit-after-sample");

    assertThat(quickstart.port).isZero();
    assertThat(quickstart.dataDir).isEqualTo(Path.of("/tmp/q"));
    assertThat(quickstart.exitAfterSample).isTrue();
  }

  @Test
  void help_everyCommand_listsExitCodes() {
    for (List<String> command :
        List.of(
            List.of("--help"),
            List.of("server", "--help"),
            List.of("run", "--help"),
            List.of("activation", "create", "--help"))) {
      StringWriter out = new StringWriter();
      CommandLine commandLine = Main.newCommandLine();
      commandLine.setOut(new PrintWriter(out));

      int exitCode = commandLine.execute(command.toArray(String[]::new));

      assertThat(exitCode).as("exit code of %s", command).isZero();
      assertThat(out.toString()).as("help of %s", command).contains("Exit codes:", "4  run --wait");
    }
  }
}
