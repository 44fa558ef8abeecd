package io.deskrun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.cli.api.ApiClient;
import io.deskrun.protocol.ScriptType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deskrun run}: calls RunCommand and, with {@code --wait}, shows the results. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a script on up to 50 desktops (RunCommand). Prints the InvokeId, or with --wait the"
          + " progress and then each desktop's status, exit code and output.",
    },
    footer = ExitCodes.HELP_FOOTER)
final class RunScriptCommand implements Callable<Integer> {
  static final Duration DEFAULT_SCRIPT_TIMEOUT = Duration.ofSeconds(60);

  @Mixin ClientOptions client;

  @Spec CommandSpec spec;

  @Option(
      names = "--desktop",
      required = true,
      paramLabel = "ID",
      description = "Desktop to run on; repeat for more (at most 50).")
  List<String> desktopIds;

  @ArgGroup(multiplicity = "1")
  Script script;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      defaultValue = "RunShellScript",
      description =
          "RunShellScript, RunPowerShellScript or RunBatScript (default: ${DEFAULT-VALUE}).")
  ScriptType type;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Seconds the script may run, 1..86400 (server default: 60).")
  Long timeoutSeconds;

  @Option(
      names = "--wait",
      description = "Wait until every desktop has finished and show the results.")
  boolean await;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  /** The script, given inline or as a file; exactly one of the two. */
  static final class Script {
    @Option(names = "--command", required = true, paramLabel = "TEXT", description = "Script text.")
    String text;

    @Option(
        names = "--file",
        required = true,
        paramLabel = "PATH",
        description = "File holding the script (UTF-8).")
    Path file;
  }

  @Override
  public Integer call() throws InterruptedException {
    ApiClient api = client.client();
    String invokeId = api.call("RunCommand", parameters()).path("InvokeId").asText();
    if (!await) {
      print(
          output == OutputFormat.JSON ? "{\"InvokeId\":\"" + invokeId + "\"}\n" : invokeId + "\n");
      return ExitCodes.OK;
    }

    PrintWriter err = spec.commandLine().getErr();
    // Named before waiting, so a user who interrupts the wait can still find the run.
    err.println("Started " + invokeId + "; waiting for its desktops to finish");
    err.flush();
    InvocationWaiter.Outcome outcome =
        InvocationWaiter.polling(api)
            .await(
                invokeId,
                waitLimit(),
                line -> {
                  err.println(line);
                  err.flush();
                });
    print(render(outcome.invocation()));
    if (!outcome.finished()) {
      err.println(
          "Stopped waiting after "
              + waitLimit().toSeconds()
              + " s; check later with: deskrun invocations --invoke-id "
              + invokeId
              + client.hintOptions());
      err.flush();
    }
    return exitCode(outcome);
  }

  /**
   * Returns the RunCommand parameters; the script travels as Base64 so every byte arrives as is.
   */
  Map<String, String> parameters() {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("Type", type.name());
    parameters.put("CommandContent", Base64.getEncoder().encodeToString(scriptBytes()));
    parameters.put("ContentEncoding", "Base64");
    for (int i = 0; i < desktopIds.size(); i++) {
      parameters.put("DesktopId." + (i + 1), desktopIds.get(i));
    }
    if (timeoutSeconds != null) {
      parameters.put("Timeout", timeoutSeconds.toString());
    }
    return parameters;
  }

  byte[] scriptBytes() {
    if (script.text != null) {
      return script.text.getBytes(StandardCharsets.UTF_8);
    }
    byte[] bytes = readFile(script.file);
    requireUtf8(bytes);
    return bytes;
  }

  private static byte[] readFile(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CliException("Cannot read the script file " + file + ": " + e.getMessage(), e);
    }
  }

  private void requireUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
    } catch (CharacterCodingException e) {
      throw new CliException(
          "The script file " + script.file + " is not valid UTF-8; save it as UTF-8 and retry", e);
    }
  }

  private Duration waitLimit() {
    Duration scriptTimeout =
        timeoutSeconds == null ? DEFAULT_SCRIPT_TIMEOUT : Duration.ofSeconds(timeoutSeconds);
    return InvocationWaiter.limitFor(scriptTimeout);
  }

  private String render(Invocation invocation) {
    if (output == OutputFormat.JSON) {
      return prettyJson(invocation.json());
    }
    return InvocationFormatter.details(invocation);
  }

  static int exitCode(InvocationWaiter.Outcome outcome) {
    if (!outcome.finished()) {
      return ExitCodes.WAIT_TIMED_OUT;
    }
    return outcome.invocation().allSucceeded() ? ExitCodes.OK : ExitCodes.RUN_NOT_SUCCESSFUL;
  }

  static String prettyJson(JsonNode json) {
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException("A parsed JSON tree could not be written back", e);
    }
  }

  private void print(String text) {
    PrintWriter out = spec.commandLine().getOut();
    out.print(text);
    out.flush();
  }
}
