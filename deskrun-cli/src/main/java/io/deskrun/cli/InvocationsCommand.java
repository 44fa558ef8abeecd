package io.deskrun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deskrun invocations}: lists invocations, or shows one with its outputs. */
@Command(
    name = "invocations",
    mixinStandardHelpOptions = true,
    description = {
      "Lists recent invocations, newest first (DescribeInvocations). With --invoke-id, shows that"
          + " invocation with each desktop's status, exit code and output."
    },
    footer = ExitCodes.HELP_FOOTER)
final class InvocationsCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Spec CommandSpec spec;

  @Option(
      names = "--invoke-id",
      paramLabel = "ID",
      description = "Show only this invocation, with outputs.")
  String invokeId;

  @Option(
      names = "--status",
      paramLabel = "STATUS",
      description =
          "Filter on the overall status: Running, Finished, Failed, PartialFailed, Stopped.")
  String status;

  @Option(
      names = "--max",
      paramLabel = "N",
      description = "How many to list, 1..50 (server default: 10).")
  Integer maxResults;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Override
  public Integer call() {
    JsonNode response = client.client().call("DescribeInvocations", parameters());
    print(render(response));

    // The API lists nothing for an unknown id; a script checking the exit code needs to see it.
    boolean unknownId = invokeId != null && response.path("Invocations").isEmpty();
    return unknownId ? ExitCodes.API_ERROR : ExitCodes.OK;
  }

  Map<String, String> parameters() {
    Map<String, String> parameters = new LinkedHashMap<>();
    ActivationCommand.putIfPresent(parameters, "InvokeId", invokeId);
    ActivationCommand.putIfPresent(parameters, "InvokeStatus", status);
    ActivationCommand.putIfPresent(parameters, "MaxResults", maxResults);
    parameters.put("ContentEncoding", "PlainText");
    parameters.put("IncludeOutput", Boolean.toString(invokeId != null));
    return parameters;
  }

  String render(JsonNode response) {
    if (output == OutputFormat.JSON) {
      return RunScriptCommand.prettyJson(response.path("Invocations"));
    }

    List<Invocation> invocations = new ArrayList<>();
    for (JsonNode item : response.path("Invocations")) {
      invocations.add(Invocation.fromJson(item));
    }
    if (invocations.isEmpty()) {
      return invokeId == null ? "No invocations.\n" : "No invocation " + invokeId + ".\n";
    }
    if (invokeId != null) {
      return InvocationFormatter.details(invocations.get(0));
    }
    return InvocationFormatter.table(invocations);
  }

  private void print(String text) {
    PrintWriter out = spec.commandLine().getOut();
    out.print(text);
    out.flush();
  }
}
