package io.deskrun.bench;

/**
 * How much each scenario measures: the full run, or the quick one that ends within 3 minutes.
 *
 * <p>The full run warms the single-desktop scenario up with 2,000 runs because a server measured
 * earlier is still compiling its hot paths: 20 warm-up runs gave medians twice those after 400, and
 * after 400 runs the server's C2 compiler thread still took 40 % of a core. A server in use runs
 * warm, so the warm figure is the one to compare. The fan-out scenario runs on the same, warm
 * server.
 */
record Plan(
    int singleWarmUp,
    int singleRepetitions,
    int fanOutWarmUp,
    int fanOutRepetitions,
    int throughputAgents,
    int throughputClients,
    double throughputWarmUpSeconds,
    int throughputRepetitions,
    double throughputSeconds,
    int capacityAgents,
    int dispatchWarmUp,
    int dispatchSamples,
    int ansibleWarmUp,
    int ansibleRepetitions) {
  static final int FAN_OUT = 50;

  static Plan full() {
    return new Plan(2000, 100, 40, 20, 1000, 8, 3, 5, 5, 10_000, 10, 200, 1, 3);
  }

  static Plan quick() {
    return new Plan(600, 30, 15, 8, 1000, 8, 2, 3, 3, 2_000, 5, 60, 0, 1);
  }
}
