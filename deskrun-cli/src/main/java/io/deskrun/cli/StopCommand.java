package io.deskrun.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code deskrun stop}: calls StopInvocation. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = {
      "Stops an invocation (StopInvocation): desktops that have not started it never run it,"
          + " running scripts are killed with their process tree.",
    },
    footer = ExitCodes.HELP_FOOTER)
final class StopCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "INVOKE_ID", description = "The invocation to stop.")
  String invokeId;

  @Option(
      names = "--desktop",
      paramLabel = "ID",
      description = "Stop only on this desktop; repeat for more (default: every desktop).")
  List<String> desktopIds;

  @Override
  public Integer call() {
    client.client().call("StopInvocation", parameters());

    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "Stop requested for "
            + invokeId
            + "; see the result with: deskrun invocations --invoke-id "
            + invokeId
            + client.hintOptions());
    out.flush();
    return ExitCodes.OK;
  }

  Map<String, String> parameters() {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("InvokeId", invokeId);
    if (desktopIds != null) {
      for (int i = 0; i < desktopIds.size(); i++) {
        parameters.put("DesktopId." + (i + 1), desktopIds.get(i));
      }
    }
    return parameters;
  }
}
