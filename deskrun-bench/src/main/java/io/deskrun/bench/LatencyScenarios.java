package io.deskrun.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * The end-to-end scenarios on desktops that launch real processes: one desktop, and fan-out to 50,
 * each next to the same launches done directly with ProcessBuilder, interleaved.
 */
final class LatencyScenarios {
  private final ServerProcess server;
  private final SimulatedFleet fleet;
  private final Plan plan;
  private final Report report;
  private boolean serverWarm;

  LatencyScenarios(ServerProcess server, SimulatedFleet fleet, Plan plan, Report report) {
    this.server = server;
    this.fleet = fleet;
    this.plan = plan;
    this.report = report;
  }

  void singleDesktop() {
    System.out.println("single desktop: RunCommand `echo hi` until Success vs ProcessBuilder");
    List<String> desktop = List.of(fleet.desktopId(0));
    warmUpServer();
    Measured measured =
        measure(desktop, 0, plan.singleRepetitions(), () -> DirectLaunch.once(Invocations.SCRIPT));
    Samples accepted = new Samples();
    Samples delivered = new Samples();
    Samples executed = new Samples();
    Samples seen = new Samples();
    for (StepTimes steps : measured.steps()) {
      accepted.add(steps.accepted());
      delivered.add(steps.delivered());
      executed.add(steps.finalReport() - steps.delivered());
      seen.add(steps.seen() - steps.finalReport());
    }
    compare("single", "single desktop, `echo hi`", measured, 3.0);
    report.samples("single.step.runcommand_response", accepted);
    report.samples("single.step.delivered", delivered);
    report.samples("single.step.agent_run", executed);
    report.samples("single.step.final_seen_after_final_report_began", seen);
    report.note(
        String.format(
            java.util.Locale.ROOT,
            "Single desktop, medians of the steps: RunCommand answered after %.1f ms, task in the"
                + " agent's poll response after %.1f ms, the agent's `sh -c` run %.1f ms,"
                + " final status seen by the client %.1f ms after the agent began its final"
                + " report.",
            accepted.median(),
            delivered.median(),
            executed.median(),
            seen.median()));
  }

  void fanOut() {
    System.out.println("fan-out: RunCommand to 50 desktops until all final vs 50 direct launches");
    List<String> desktops = fanOutDesktops();
    warmUpServer();
    Measured measured =
        measure(
            desktops,
            plan.fanOutWarmUp(),
            plan.fanOutRepetitions(),
            () -> DirectLaunch.parallel(Plan.FAN_OUT, Invocations.SCRIPT));
    Samples accepted = new Samples();
    Samples delivered = new Samples();
    Samples finished = new Samples();
    for (StepTimes steps : measured.steps()) {
      accepted.add(steps.accepted());
      delivered.add(steps.delivered());
      finished.add(steps.finalReport());
    }
    compare("fanout", "fan-out to 50 desktops, all final", measured, 1.5);
    report.samples("fanout.step.runcommand_response", accepted);
    report.samples("fanout.step.last_delivered", delivered);
    report.samples("fanout.step.last_final_report_began", finished);
    report.note(
        String.format(
            java.util.Locale.ROOT,
            "Fan-out to 50, medians from the RunCommand call: answered after %.1f ms, the last"
                + " agent had its task after %.1f ms and began its final report after %.1f ms;"
                + " the client saw all 50 final after %.1f ms.",
            accepted.median(),
            delivered.median(),
            finished.median(),
            measured.deskrun().median()));
  }

  /**
   * Runs the single-desktop warm-up once, before the first latency scenario. The fan-out's own
   * warm-up runs the RunCommand path too few times for the JIT compiler, so it needs this one too.
   */
  private void warmUpServer() {
    if (serverWarm) {
      return;
    }
    measure(
        List.of(fleet.desktopId(0)),
        plan.singleWarmUp(),
        0,
        () -> DirectLaunch.once(Invocations.SCRIPT));
    serverWarm = true;
  }

  /** The measured runs of a latency scenario, each next to a direct launch. */
  private record Measured(
      Samples deskrun, Samples direct, double cpuSeconds, List<StepTimes> steps) {}

  /**
   * Runs the script on the desktops through the API, alternating with {@code directLaunch}: the
   * warm-up pairs first, then the measured ones with the server's CPU time and the step times.
   */
  private Measured measure(
      List<String> desktops, int warmUp, int repetitions, DoubleSupplier directLaunch) {
    for (int i = 0; i < warmUp; i++) {
      Invocations.runAndWait(server.api(), desktops, Invocations.SCRIPT);
      directLaunch.getAsDouble();
    }

    Samples deskrun = new Samples();
    Samples direct = new Samples();
    List<StepTimes> steps = new ArrayList<>();
    double cpu = 0;
    for (int i = 0; i < repetitions; i++) {
      double before = server.cpuSeconds();
      Invocations.Timing timing = Invocations.timedRun(server.api(), desktops, Invocations.SCRIPT);
      cpu += server.cpuSeconds() - before;
      deskrun.add(timing.millis());
      direct.add(directLaunch.getAsDouble());
      stepTimes(timing).ifPresent(steps::add);
    }
    return new Measured(deskrun, direct, cpu, steps);
  }

  /**
   * Times of the steps of one run, in ms after the RunCommand call: its response, the task in the
   * (last) agent's hands, the (last) final report begun, and the client seeing the result.
   */
  private record StepTimes(double accepted, double delivered, double finalReport, double seen) {}

  /** Returns the step times of a run, or empty when an agent recorded no time for it. */
  private Optional<StepTimes> stepTimes(Invocations.Timing timing) {
    Long deliveredAt = fleet.deliveredAt(timing.invokeId());
    Long finishedAt = fleet.finishedAt(timing.invokeId());
    if (deliveredAt == null || finishedAt == null) {
      return Optional.empty();
    }
    return Optional.of(
        new StepTimes(
            (timing.accepted() - timing.start()) / 1e6,
            (deliveredAt - timing.start()) / 1e6,
            (finishedAt - timing.start()) / 1e6,
            (timing.seenFinal() - timing.start()) / 1e6));
  }

  List<String> fanOutDesktops() {
    List<String> desktops = new ArrayList<>();
    for (int i = 0; i < Plan.FAN_OUT; i++) {
      desktops.add(fleet.desktopId(i));
    }
    return desktops;
  }

  private void compare(String key, String title, Measured measured, double limit) {
    Samples deskrun = measured.deskrun();
    Samples direct = measured.direct();
    double cpu = measured.cpuSeconds();
    double ratio = deskrun.median() / direct.median();
    report.samples(key + ".deskrun", deskrun);
    report.samples(key + ".direct", direct);
    report.figure(key + ".ratio_median", ratio);
    report.figure(key + ".server_cpu_s", cpu);
    String met = report.target(key, ratio <= limit);
    report.row(
        new Report.Row(
            title + " (" + deskrun.count() + " runs)",
            Report.ms(deskrun),
            Report.ms(direct) + " (ProcessBuilder)",
            Report.number(ratio) + " × (medians)",
            "≤ " + Report.number(limit) + " ×",
            met,
            Report.number(cpu) + " s"));
    System.out.printf(
        "  deskrun %s, direct %s, ratio %.2f%n", Report.ms(deskrun), Report.ms(direct), ratio);
  }
}
