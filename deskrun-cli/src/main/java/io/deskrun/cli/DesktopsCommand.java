package io.deskrun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.deskrun.cli.api.ApiClient;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deskrun desktops}: lists the enrolled desktops of the region. */
@Command(
    name = "desktops",
    mixinStandardHelpOptions = true,
    description = "Lists the enrolled desktops with their agent status (DescribeDesktops).",
    footer = ExitCodes.HELP_FOOTER)
final class DesktopsCommand implements Callable<Integer> {
  /** Bounds the paging loop: 100 pages of 100 desktops. */
  static final int MAX_PAGES = 100;

  @Mixin ClientOptions client;

  @Spec CommandSpec spec;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Override
  public Integer call() {
    ArrayNode desktops = fetchAll(client.client());
    PrintWriter out = spec.commandLine().getOut();
    out.print(
        output == OutputFormat.JSON
            ? RunScriptCommand.prettyJson(desktops)
            : table(desktops, client.hintOptions()));
    out.flush();
    return ExitCodes.OK;
  }

  private static ArrayNode fetchAll(ApiClient api) {
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    String nextToken = "";
    for (int page = 0; page < MAX_PAGES; page++) {
      Map<String, String> parameters = new HashMap<>();
      parameters.put("MaxResults", "100");
      if (!nextToken.isEmpty()) {
        parameters.put("NextToken", nextToken);
      }

      JsonNode response = api.call("DescribeDesktops", parameters);
      response.path("Desktops").forEach(all::add);
      nextToken = response.path("NextToken").asText("");
      if (nextToken.isEmpty()) {
        return all;
      }
    }
    // NOTE: stops after MAX_PAGES pages, so a larger fleet is listed only in part.
    return all;
  }

  /**
   * Returns the desktops as a text table, or a hint to enroll one; {@code hintOptions} are the
   * client options that go on the hinted {@code deskrun activation create}.
   */
  static String table(JsonNode desktops, String hintOptions) {
    if (desktops.isEmpty()) {
      return "No desktops. Enroll one with `deskrun activation create"
          + hintOptions
          + "` and the `deskrun agent` command it prints.\n";
    }

    TextTable table =
        new TextTable("DESKTOP ID", "NAME", "OS", "HOSTNAME", "AGENT", "LAST HEARTBEAT");
    for (JsonNode desktop : desktops) {
      table.addRow(
          desktop.path("DesktopId").asText(""),
          desktop.path("DesktopName").asText(""),
          desktop.path("OsType").asText(""),
          desktop.path("Hostname").asText(""),
          desktop.path("AgentStatus").asText(""),
          desktop.path("LastHeartbeatTime").asText(""));
    }
    return table.render();
  }
}
