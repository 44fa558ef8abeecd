package io.deskrun.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Capacity: many idle agents holding long-polls on one server. Measures the server's heap and RSS,
 * and how long a RunCommand takes to reach a random agent among them, next to the same with a
 * single connected agent on the same server before the others join.
 */
final class CapacityScenario {
  private static final double HEAP_LIMIT_MB = 512;
  private static final long PAUSE_BETWEEN_COMMANDS_NANOS = 50_000_000;
  private static final int LONG_POLL_SECONDS = 25;

  private final Path workDir;
  private final Path recording;
  private final Plan plan;
  private final Report report;
  private final BenchDatabase database;

  CapacityScenario(Path workDir, Path recording, Plan plan, Report report, BenchDatabase database) {
    this.database = database;
    this.workDir = workDir;
    this.recording = recording;
    this.plan = plan;
    this.report = report;
  }

  void run() throws Exception {
    System.out.printf(
        "capacity: %d idle agents on one server vs a single agent%n", plan.capacityAgents());
    try (ServerProcess server =
            ServerProcess.start(
                workDir.resolve("capacity"),
                LONG_POLL_SECONDS,
                recording,
                database.newDatabaseUrl());
        SimulatedFleet single =
            SimulatedFleet.start(server, 1, SimulatedAgent.Mode.SYNTHETIC, LONG_POLL_SECONDS)) {
      double singleHeap = server.heapUsedBytes() / 1e6;
      double singleRss = server.rssBytes() / 1e6;
      Samples singleDispatch = dispatch(server, List.of(single));

      try (SimulatedFleet many =
          SimulatedFleet.start(
              server,
              plan.capacityAgents() - 1,
              SimulatedAgent.Mode.SYNTHETIC,
              LONG_POLL_SECONDS)) {
        System.out.printf("  enrolled %d agents in %.1f s%n", many.size(), many.enrollSeconds());
        double idleCpu = idleCpuPerSecond(server);
        double heap = server.heapUsedBytes() / 1e6;
        double rss = server.rssBytes() / 1e6;
        double before = server.cpuSeconds();
        Samples manyDispatch = dispatch(server, List.of(single, many));
        double cpu = server.cpuSeconds() - before;
        record(singleHeap, singleRss, singleDispatch, heap, rss, manyDispatch, cpu, idleCpu, many);
      }
    }
  }

  private void record(
      double singleHeap,
      double singleRss,
      Samples singleDispatch,
      double heap,
      double rss,
      Samples manyDispatch,
      double cpu,
      double idleCpu,
      SimulatedFleet many) {
    double ratio = manyDispatch.p99() / singleDispatch.p99();
    report.figure("capacity.agents", plan.capacityAgents());
    report.figure("capacity.enroll_per_s", many.size() / many.enrollSeconds());
    report.figure("capacity.heap_mb", heap);
    report.figure("capacity.rss_mb", rss);
    report.figure("capacity.single.heap_mb", singleHeap);
    report.figure("capacity.single.rss_mb", singleRss);
    report.samples("capacity.dispatch", manyDispatch);
    report.samples("capacity.single.dispatch", singleDispatch);
    report.figure("capacity.ratio_p99", ratio);
    report.figure("capacity.dispatch.server_cpu_s", cpu);
    report.figure("capacity.idle_server_cpu_s_per_s", idleCpu);
    boolean heapMet = heap <= HEAP_LIMIT_MB;
    boolean latencyMet = ratio <= 2.0;
    report.figure("capacity.heap.target_met", heapMet ? 1 : 0);
    String met = report.target("capacity", heapMet && latencyMet);
    String title = plan.capacityAgents() + " idle agents";
    report.row(
        new Report.Row(
            title + ": server heap after GC / RSS",
            Report.number(heap) + " MB / " + Report.number(rss) + " MB",
            Report.number(singleHeap) + " MB / " + Report.number(singleRss) + " MB (1 agent)",
            "",
            "heap ≤ 512 MB",
            heapMet ? "yes" : "**no**",
            Report.number(idleCpu) + " s per s idle"));
    report.row(
        new Report.Row(
            title + ": dispatch to a random agent (" + manyDispatch.count() + " commands)",
            Report.ms(manyDispatch),
            Report.ms(singleDispatch) + " (1 agent)",
            Report.number(ratio) + " × (p99)",
            "≤ 2 ×",
            latencyMet ? "yes" : "**no**",
            Report.number(cpu) + " s"));
    System.out.printf(
        "  heap %.0f MB, RSS %.0f MB, dispatch %s vs single %s, p99 ratio %.2f (%s)%n",
        heap, rss, Report.ms(manyDispatch), Report.ms(singleDispatch), ratio, met);
  }

  /**
   * Sends one command at a time to a random agent of the fleets and measures the time from the
   * RunCommand call until the agent's poll response carries it.
   */
  private Samples dispatch(ServerProcess server, List<SimulatedFleet> fleets) {
    Samples latencies = new Samples();
    int total = fleets.stream().mapToInt(SimulatedFleet::size).sum();
    for (int i = 0; i < plan.dispatchWarmUp() + plan.dispatchSamples(); i++) {
      int pick = ThreadLocalRandom.current().nextInt(total);
      SimulatedFleet fleet = fleets.get(0);
      for (SimulatedFleet candidate : fleets) {
        if (pick < candidate.size()) {
          fleet = candidate;
          break;
        }
        pick -= candidate.size();
      }
      double latency = dispatchOnce(server, fleet, pick);
      if (i >= plan.dispatchWarmUp()) {
        latencies.add(latency);
      }
      LockSupport.parkNanos(PAUSE_BETWEEN_COMMANDS_NANOS);
    }
    return latencies;
  }

  private static double dispatchOnce(ServerProcess server, SimulatedFleet fleet, int index) {
    long start = System.nanoTime();
    String invokeId =
        Invocations.runCommand(server.api(), List.of(fleet.desktopId(index)), Invocations.SCRIPT);
    long deadline = start + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      Long delivered = fleet.deliveredAt(invokeId);
      if (delivered != null) {
        return (delivered - start) / 1e6;
      }
      LockSupport.parkNanos(100_000);
    }
    throw new BenchException("Invocation " + invokeId + " did not reach its agent in 30 s");
  }

  private static double idleCpuPerSecond(ServerProcess server) throws InterruptedException {
    double before = server.cpuSeconds();
    long start = System.nanoTime();
    Thread.sleep(5000);
    return (server.cpuSeconds() - before) / ((System.nanoTime() - start) / 1e9);
  }
}
