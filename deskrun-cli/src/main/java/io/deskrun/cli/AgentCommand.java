package io.deskrun.cli;

import io.deskrun.agent.Agent;
import io.deskrun.agent.AgentConfig;
import io.deskrun.agent.TrustedCertificates;
import io.deskrun.protocol.ScriptType;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code deskrun agent}: enrolls this machine once, then runs the scripts it is sent. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the desktop agent until Ctrl-C: enrolls on the first start with an activation,"
          + " then long-polls the server and runs the scripts it is given.",
    },
    footer = ExitCodes.HELP_FOOTER)
final class AgentCommand implements Callable<Integer>, LongRunningCommand {
  private static final Logger log = LoggerFactory.getLogger(AgentCommand.class);

  @Option(
      names = "--server",
      required = true,
      split = ",",
      paramLabel = "URL",
      description =
          "Base URL of the deskrun server, for example http://127.0.0.1:8080; with several servers"
              + " sharing one database, a comma-separated list: the agent starts on one picked at"
              + " random and moves to the next when it stops answering.")
  List<URI> servers;

  @ArgGroup(exclusive = false, multiplicity = "0..1")
  Activation activation;

  @Option(
      names = "--state-dir",
      required = true,
      paramLabel = "DIR",
      description = "Directory of the agent's identity, journal and logs; created if missing.")
  Path stateDir;

  @Option(
      names = "--region",
      paramLabel = "ID",
      description = "Region to enroll in (first start only; the server's default when omitted).")
  String regionId;

  @Option(
      names = "--max-runs",
      paramLabel = "N",
      description =
          "Maximum number of scripts run at the same time (the agent's default when omitted).")
  Integer maxConcurrentRuns;

  @Option(
      names = "--interpreter",
      paramLabel = "TYPE=COMMAND",
      description = {
        "Command that runs scripts of TYPE (RunBatScript, RunPowerShellScript, RunShellScript),"
            + " split at spaces; the script file's path is appended. Repeatable.",
        "Example: --interpreter RunShellScript=/bin/bash"
      })
  Map<ScriptType, String> interpreters;

  @Option(
      names = "--working-dir",
      paramLabel = "DIR",
      description = "Working directory of the scripts (the agent's default when omitted).")
  Path workingDirectory;

  @Option(
      names = "--output-charset",
      paramLabel = "NAME",
      description = {
        "Charset for script output lines that are not UTF-8 (default: the OEM code page on"
            + " Windows, U+FFFD for bad bytes elsewhere).",
        "Example: --output-charset GBK with Wine's cmd in a zh_CN locale"
      })
  Charset outputCharset;

  @Option(
      names = "--shutdown-grace-seconds",
      paramLabel = "S",
      description =
          "On Ctrl-C or SIGTERM, how long running scripts may go on before they are killed and"
              + " reported as interrupted (default 10; 0 kills them at once).")
  Long shutdownGraceSeconds;

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      description =
          "PEM file of the CA certificates to trust for an https server, such as a private CA that"
              + " signed the server's certificate; it replaces the JDK's default trust store.")
  Path caCertificate;

  /** The enrollment pair, given together or not at all. */
  static final class Activation {
    @Option(
        names = "--activation-id",
        required = true,
        paramLabel = "ID",
        description = "Activation id from `deskrun activation create` (first start only).")
    String id;

    @Option(
        names = "--activation-code",
        required = true,
        paramLabel = "CODE",
        description = "Activation code shown with the id (first start only).")
    String code;
  }

  @Override
  public Integer call() throws InterruptedException {
    ShutdownLatch latch = ShutdownLatch.install("agent");
    Agent agent = latch.add(Agent.start(toConfig()));
    log.info("Agent running as desktop {}, polling {}", agent.desktopId(), servers);

    // Returns when the shutdown hook has closed the agent, or when the agent stopped by itself.
    agent.awaitTermination();
    if (agent.stoppedByRevokedCredential()) {
      throw new CliException(
          "the server rejected the credential of desktop "
              + agent.desktopId()
              + " (deregistered or revoked); delete "
              + agent.identityFile()
              + " and start again with a new --activation-id and --activation-code");
    }
    return ExitCodes.OK;
  }

  AgentConfig toConfig() {
    // Absolute, so paths the agent derives from it stay valid in the scripts' working directory.
    AgentConfig.Builder builder =
        AgentConfig.builder().servers(servers).stateDir(stateDir.toAbsolutePath());
    if (activation != null) {
      builder.activation(activation.id, activation.code);
    }
    if (regionId != null) {
      builder.regionId(regionId);
    }
    if (maxConcurrentRuns != null) {
      builder.maxConcurrentRuns(maxConcurrentRuns);
    }
    if (interpreters != null) {
      interpreters.forEach(
          (type, command) -> builder.interpreter(type, splitCommand(type, command)));
    }
    if (workingDirectory != null) {
      builder.workingDirectory(workingDirectory.toAbsolutePath());
    }
    if (outputCharset != null) {
      builder.outputFallbackCharset(outputCharset);
    }
    if (shutdownGraceSeconds != null) {
      builder.shutdownGrace(Duration.ofSeconds(shutdownGraceSeconds));
    }
    if (caCertificate != null) {
      builder.trustedCertificate(caCertificate.toAbsolutePath());
    }
    try {
      if (caCertificate != null) {
        // Read here first, so that an error names the option the user typed.
        TrustedCertificates.read(caCertificate, "--ca-cert");
      }
      return builder.build();
    } catch (IllegalArgumentException e) {
      // A setting the options passed but the agent rejects, such as a --ca-cert file without a
      // certificate: a configuration error, not a crash.
      throw new CliException(e.getMessage());
    }
  }

  static List<String> splitCommand(ScriptType type, String command) {
    List<String> words =
        Arrays.stream(command.strip().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    if (words.isEmpty()) {
      throw new CliException(
          "--interpreter " + type + " has an empty command; expected TYPE=COMMAND");
    }
    return words;
  }
}
