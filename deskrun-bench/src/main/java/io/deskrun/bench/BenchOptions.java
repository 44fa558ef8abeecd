package io.deskrun.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What {@code deskrun bench} was asked for.
 *
 * @param quick the short plan that ends within 3 minutes
 * @param outputDir where {@code report.json} goes
 * @param markdownFile where the Markdown table goes
 * @param command the command line, recorded in the report
 * @param scenarios the scenarios to run, from {@link #SCENARIOS}; empty runs them all
 * @param profile record each server JVM with Java Flight Recorder into the output dir
 * @param postgres run the measured servers on an embedded PostgreSQL instead of H2
 */
public record BenchOptions(
    boolean quick,
    Path outputDir,
    Path markdownFile,
    String command,
    Set<String> scenarios,
    boolean profile,
    boolean postgres) {
  /** Names of the scenarios, in the order they run. */
  public static final List<String> SCENARIOS =
      List.of("single", "fanout", "ansible", "throughput", "capacity");

  public BenchOptions {
    scenarios = Set.copyOf(scenarios);
    for (String scenario : scenarios) {
      if (!SCENARIOS.contains(scenario)) {
        throw new IllegalArgumentException(
            "Unknown scenario '"
                + scenario
                + "'; the scenarios are "
                + String.join(", ", SCENARIOS));
      }
    }
  }

  /** The same options on H2. */
  public BenchOptions(
      boolean quick,
      Path outputDir,
      Path markdownFile,
      String command,
      Set<String> scenarios,
      boolean profile) {
    this(quick, outputDir, markdownFile, command, scenarios, profile, false);
  }

  /** Tells whether the scenario is part of this run. */
  public boolean includes(String scenario) {
    return scenarios.isEmpty() || scenarios.contains(scenario);
  }
}
