package io.deskrun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskrun.cli.api.ApiClient;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deskrun activation}: manages the activations desktops enroll with. */
@Command(
    name = "activation",
    mixinStandardHelpOptions = true,
    description = "Manages activations, which desktops use once to enroll.",
    subcommands = ActivationCommand.Create.class,
    footer = ExitCodes.HELP_FOOTER)
final class ActivationCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw DeskrunCommand.missingSubcommand(spec);
  }

  /** {@code deskrun activation create}: calls CreateActivation and prints the id and code. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Creates an activation and prints its id and code (the code is shown only once).",
      footer = ExitCodes.HELP_FOOTER)
  static final class Create implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Spec CommandSpec spec;

    @Option(
        names = "--name",
        paramLabel = "PREFIX",
        description = "Name prefix of the desktops that enroll (server default: desktop).")
    String namePrefix;

    @Option(
        names = "--count",
        paramLabel = "N",
        description = "How many desktops may enroll with it, 1..1000 (server default: 10).")
    Integer count;

    @Option(
        names = "--ttl-hours",
        paramLabel = "H",
        description = "Hours until it expires, 1..876000 (server default: 4).")
    Integer ttlHours;

    @Option(names = "--description", paramLabel = "TEXT", description = "Free text stored with it.")
    String description;

    @Override
    public Integer call() {
      ApiClient api = client.client();
      JsonNode response = api.call("CreateActivation", parameters());

      String id = response.path("ActivationId").asText();
      String code = response.path("ActivationCode").asText();
      String serverUrl = api.credentials().endpointUri().toString().replaceFirst("/$", "");
      // Like this command, the agent needs the file only for an https server.
      Path caCertificate =
          serverUrl.startsWith("https://") ? client.caCertificateFile(System.getenv()) : null;
      spec.commandLine().getOut().print(format(id, code, serverUrl, caCertificate));
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }

    Map<String, String> parameters() {
      Map<String, String> parameters = new LinkedHashMap<>();
      putIfPresent(parameters, "InstanceName", namePrefix);
      putIfPresent(parameters, "InstanceCount", count);
      putIfPresent(parameters, "TimeToLiveInHours", ttlHours);
      putIfPresent(parameters, "Description", description);
      return parameters;
    }

    /**
     * Returns the id, the code and the agent command that enrolls with them; {@code caCertificate}
     * is the PEM file this command trusted, which the agent then needs too, or null.
     */
    static String format(String id, String code, String serverUrl, Path caCertificate) {
      return "ActivationId:   "
          + id
          + "\nActivationCode: "
          + code
          + "\n\nEnroll a desktop with:\n  deskrun agent --server "
          + serverUrl
          + " --activation-id "
          + id
          + " --activation-code "
          + code
          + " --state-dir ./agent-state"
          + (caCertificate == null ? "" : " --ca-cert " + caCertificate)
          + "\n";
    }
  }

  static void putIfPresent(Map<String, String> parameters, String name, Object value) {
    if (value != null) {
      parameters.put(name, value.toString());
    }
  }
}
