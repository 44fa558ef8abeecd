package io.deskrun.bench;

/** How much each scenario measures: the full run, or the quick one that ends within 3 minutes. */
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
    return new Plan(20, 100, 3, 20, 1000, 8, 3, 5, 5, 10_000, 10, 200, 1, 3);
  }

  static Plan quick() {
    return new Plan(5, 30, 1, 8, 1000, 8, 2, 3, 3, 2_000, 5, 60, 0, 1);
  }
}
