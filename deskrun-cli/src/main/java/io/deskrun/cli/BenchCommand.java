package io.deskrun.cli;

import io.deskrun.bench.Bench;
import io.deskrun.bench.BenchException;
import io.deskrun.bench.BenchOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deskrun bench}: measures deskrun next to its baselines and writes the report. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a server in a child JVM and simulated agents on the agent protocol, measures each"
          + " scenario next to its baseline (direct launches, a trivial action, a single agent,"
          + " Ansible when installed), and writes report.json and a Markdown table.",
    },
    footer = ExitCodes.HELP_FOOTER)
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--quick", description = "Fewer repetitions and agents; ends within 3 minutes.")
  boolean quick;

  @Option(
      names = "--db",
      paramLabel = "h2|postgres",
      defaultValue = "h2",
      description =
          "Database of the measured servers: h2 in their data dir, or postgres, an embedded"
              + " PostgreSQL started for the run (default: ${DEFAULT-VALUE}).")
  String database;

  @Option(
      names = "--output-dir",
      paramLabel = "DIR",
      defaultValue = "target/bench",
      description = "Where report.json goes (default: ${DEFAULT-VALUE}).")
  Path outputDir;

  @Option(
      names = "--only",
      paramLabel = "SCENARIO",
      split = ",",
      description =
          "Run only these scenarios: single, fanout, ansible, throughput, capacity (default: all).")
  List<String> scenarios = new ArrayList<>();

  @Option(
      names = "--profile",
      description =
          "Record each server JVM with Java Flight Recorder into the output dir"
              + " (main-server.jfr, capacity-server.jfr); read them with `jfr print`.")
  boolean profile;

  @Option(
      names = "--markdown",
      paramLabel = "FILE",
      description = "Where the Markdown table goes (default: benchmarks.md in the output dir).")
  Path markdownFile;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (!database.equals("h2") && !database.equals("postgres")) {
      err.println("deskrun bench: --db must be h2 or postgres, not '" + database + "'");
      err.flush();
      return ExitCodes.USAGE;
    }

    Path markdown = markdownFile != null ? markdownFile : outputDir.resolve("benchmarks.md");
    String command =
        "./deskrun bench"
            + (quick ? " --quick" : "")
            + (database.equals("postgres") ? " --db postgres" : "")
            + (scenarios.isEmpty() ? "" : " --only " + String.join(",", scenarios));
    BenchOptions options;
    try {
      options =
          new BenchOptions(
              quick,
              outputDir,
              markdown,
              command,
              Set.copyOf(scenarios),
              profile,
              database.equals("postgres"));
    } catch (IllegalArgumentException e) {
      err.println("deskrun bench: " + e.getMessage());
      err.flush();
      return ExitCodes.USAGE;
    }
    try {
      Bench.run(options);
      return ExitCodes.OK;
    } catch (BenchException e) {
      err.println("deskrun bench: " + e.getMessage());
      err.flush();
      return ExitCodes.CONFIGURATION;
    }
  }
}
