package io.deskrun.cli;

import picocli.CommandLine.Command;

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
      StopCommand.class
    })
final class DeskrunCommand {}
