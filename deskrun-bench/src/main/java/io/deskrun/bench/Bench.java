package io.deskrun.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The benchmark run behind {@code deskrun bench}: every scenario against its baseline, then {@code
 * report.json} and a Markdown table.
 */
public final class Bench {
  private static final int MAIN_LONG_POLL_SECONDS = 25;

  private final BenchOptions options;
  private final Plan plan;
  private final Report report = new Report();

  private Bench(BenchOptions options) {
    this.options = options;
    this.plan = options.quick() ? Plan.quick() : Plan.full();
  }

  /** Runs every scenario and writes the report; returns the figures by name. */
  public static java.util.Map<String, Double> run(BenchOptions options) throws Exception {
    Bench bench = new Bench(options);
    Path workDir = Files.createTempDirectory("deskrun-bench");
    try (BenchDatabase database =
        options.postgres() ? BenchDatabase.postgres() : BenchDatabase.h2()) {
      bench.runAll(workDir, database);
    } finally {
      deleteTree(workDir);
    }
    return bench.report.figures();
  }

  private void runAll(Path workDir, BenchDatabase database) throws Exception {
    long start = System.nanoTime();
    describeRun(database);
    if (options.includes("single")
        || options.includes("fanout")
        || options.includes("ansible")
        || options.includes("throughput")) {
      runOnMainServer(workDir, database);
    }
    if (options.includes("capacity")) {
      new CapacityScenario(workDir, recording("capacity"), plan, report, database).run();
    }

    double seconds = (System.nanoTime() - start) / 1e9;
    report.describeRun("duration", String.format(java.util.Locale.ROOT, "%.0f s", seconds));
    report.figure("run.seconds", seconds);
    writeReports();
  }

  /** Runs the scenarios that share one server: 50 process agents, later 1,000 synthetic ones. */
  private void runOnMainServer(Path workDir, BenchDatabase database) throws Exception {
    try (ServerProcess server =
            ServerProcess.start(
                workDir.resolve("main"),
                MAIN_LONG_POLL_SECONDS,
                recording("main"),
                database.newDatabaseUrl());
        SimulatedFleet processAgents =
            SimulatedFleet.start(
                server, Plan.FAN_OUT, SimulatedAgent.Mode.PROCESS, MAIN_LONG_POLL_SECONDS)) {
      LatencyScenarios latency = new LatencyScenarios(server, processAgents, plan, report);
      if (options.includes("single")) {
        latency.singleDesktop();
      }
      if (options.includes("fanout")) {
        latency.fanOut();
      }
      if (options.includes("ansible")) {
        new AnsibleScenario(server, latency.fanOutDesktops(), workDir, plan, report).run();
      }
      if (options.includes("throughput")) {
        try (SimulatedFleet synthetic =
            SimulatedFleet.start(
                server,
                plan.throughputAgents(),
                SimulatedAgent.Mode.SYNTHETIC,
                MAIN_LONG_POLL_SECONDS)) {
          new ThroughputScenario(server, synthetic, plan, report).run();
        }
      }
    }
  }

  /** Returns where the server's flight recording goes, or null when not profiling. */
  private Path recording(String server) {
    return options.profile() ? options.outputDir().resolve(server + "-server.jfr") : null;
  }

  private void describeRun(BenchDatabase database) {
    report.describeRun("command", options.command());
    report.describeRun("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    report.describeRun("processors (nproc)", Runtime.getRuntime().availableProcessors());
    report.describeRun("memory", memoryTotal());
    report.describeRun(
        "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    report.describeRun(
        "os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    report.describeRun("database", database.description());
    report.describeRun("client poll interval", Invocations.CLIENT_POLL_INTERVAL.toMillis() + " ms");
  }

  private void writeReports() throws IOException {
    Path json = options.outputDir().resolve("report.json");
    report.writeJson(json);
    report.writeMarkdown(options.markdownFile());
    System.out.println("Wrote " + json + " and " + options.markdownFile());
  }

  private static String memoryTotal() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
      return lines
          .filter(line -> line.startsWith("MemTotal:"))
          .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024 / 1024 + " GiB")
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("Could not delete " + root + ": " + e);
    }
  }
}
