package io.deskrun.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Control-plane throughput: RunCommand calls per second, one random target each among synthetic
 * agents, next to DescribeDesktops with MaxResults 1 (signed, one small read) on the same server.
 * Both run with the same number of concurrent clients, in alternating windows.
 */
final class ThroughputScenario {
  /** The trivial signed action of the baseline. */
  static final String TRIVIAL_ACTION = "DescribeDesktops";

  private final ServerProcess server;
  private final SimulatedFleet fleet;
  private final Plan plan;
  private final Report report;

  ThroughputScenario(ServerProcess server, SimulatedFleet fleet, Plan plan, Report report) {
    this.server = server;
    this.fleet = fleet;
    this.plan = plan;
    this.report = report;
  }

  void run() {
    System.out.printf(
        "throughput: RunCommand/s with %d synthetic agents vs %s MaxResults=1, %d clients%n",
        fleet.size(), TRIVIAL_ACTION, plan.throughputClients());
    window(this::runCommand, plan.throughputWarmUpSeconds(), new Samples());
    window(this::trivial, plan.throughputWarmUpSeconds(), new Samples());

    Samples commandRates = new Samples();
    Samples trivialRates = new Samples();
    Samples commandLatency = new Samples();
    Samples trivialLatency = new Samples();
    double commandCpu = 0;
    double trivialCpu = 0;
    for (int i = 0; i < plan.throughputRepetitions(); i++) {
      double before = server.cpuSeconds();
      commandRates.add(window(this::runCommand, plan.throughputSeconds(), commandLatency));
      double middle = server.cpuSeconds();
      trivialRates.add(window(this::trivial, plan.throughputSeconds(), trivialLatency));
      commandCpu += middle - before;
      trivialCpu += server.cpuSeconds() - middle;
    }
    record(commandRates, trivialRates, commandLatency, trivialLatency, commandCpu, trivialCpu);
  }

  private void record(
      Samples commandRates,
      Samples trivialRates,
      Samples commandLatency,
      Samples trivialLatency,
      double commandCpu,
      double trivialCpu) {
    double ratio = commandRates.median() / trivialRates.median();
    report.figure("throughput.agents", fleet.size());
    report.figure("throughput.clients", plan.throughputClients());
    report.figure("throughput.runcommand.per_s", commandRates.median());
    report.figure("throughput.trivial.per_s", trivialRates.median());
    report.samples("throughput.runcommand.latency", commandLatency);
    report.samples("throughput.trivial.latency", trivialLatency);
    report.figure("throughput.ratio", ratio);
    report.figure("throughput.runcommand.server_cpu_s", commandCpu);
    report.figure("throughput.trivial.server_cpu_s", trivialCpu);
    report.figure(
        "throughput.runcommand.server_cpu_ms_per_call",
        1000 * commandCpu / Math.max(1, commandLatency.count()));
    report.figure(
        "throughput.trivial.server_cpu_ms_per_call",
        1000 * trivialCpu / Math.max(1, trivialLatency.count()));
    String met = report.target("throughput", ratio >= 0.25);
    report.row(
        new Report.Row(
            "control plane, "
                + fleet.size()
                + " synthetic agents, "
                + plan.throughputClients()
                + " clients",
            Report.number(commandRates.median()) + " RunCommand/s; " + Report.ms(commandLatency),
            Report.number(trivialRates.median())
                + " "
                + TRIVIAL_ACTION
                + "/s; "
                + Report.ms(trivialLatency),
            Report.number(100 * ratio) + " % of the rate",
            "≥ 25 %",
            met,
            Report.number(commandCpu) + " s vs " + Report.number(trivialCpu) + " s"));
    System.out.printf(
        "  RunCommand %.0f/s, %s %.0f/s, ratio %.2f%n",
        commandRates.median(), TRIVIAL_ACTION, trivialRates.median(), ratio);
  }

  private void runCommand() {
    int target = ThreadLocalRandom.current().nextInt(fleet.size());
    Invocations.runCommand(server.api(), List.of(fleet.desktopId(target)), Invocations.SCRIPT);
  }

  private void trivial() {
    server.api().call(TRIVIAL_ACTION, Map.of("MaxResults", "1"));
  }

  /** Calls {@code call} from every client for {@code seconds}; returns calls per second. */
  private double window(Runnable call, double seconds, Samples latencies) {
    AtomicLong calls = new AtomicLong();
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < plan.throughputClients(); i++) {
        clients.submit(
            () -> {
              while (System.nanoTime() < deadline) {
                long begin = System.nanoTime();
                call.run();
                latencies.add((System.nanoTime() - begin) / 1e6);
                calls.incrementAndGet();
              }
              return null;
            });
      }
    }
    return calls.get() / ((System.nanoTime() - start) / 1e9);
  }
}
