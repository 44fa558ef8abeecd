package io.deskrun.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level {@code deskrun} command; only groups the subcommands. */
@Command(
    name = "deskrun",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Runs scripts on fleets of desktops through the Alibaba Cloud ECD RunCommand API.",
    footer = ExitCodes.HELP_FOOTER,
    subcommands = {
      QuickstartCommand.class,
      ServerCommand.class,
      AgentCommand.class,
      ActivationCommand.class,
      DesktopsCommand.class,
      RunScriptCommand.class,
      InvocationsCommand.class,
      StopCommand.class,
      BenchCommand.class
    })
final class DeskrunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw missingSubcommand(spec);
  }

  /** Returns the usage error of a command that was given without one of its subcommands. */
  static ParameterException missingSubcommand(CommandSpec spec) {
    return new ParameterException(
        spec.commandLine(),
        "Missing command: expected one of " + String.join(", ", spec.subcommands().keySet()));
  }
}
