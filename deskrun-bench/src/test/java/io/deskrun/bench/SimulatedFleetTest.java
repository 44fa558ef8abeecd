package io.deskrun.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real server in a child JVM with simulated agents that launch real processes. */
class SimulatedFleetTest {
  @TempDir static Path dir;

  private static ServerProcess server;
  private static SimulatedFleet fleet;

  @BeforeAll
  static void start() throws Exception {
    server = ServerProcess.start(dir.resolve("server"), 5, null);
    fleet = SimulatedFleet.start(server, 2, SimulatedAgent.Mode.PROCESS, 5);
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void timedRun_twoAgents_reachesSuccessAfterDeliveryAndReports() {
    Invocations.Timing timing =
        Invocations.timedRun(
            server.api(), List.of(fleet.desktopId(0), fleet.desktopId(1)), "echo hi");

    Long delivered = fleet.deliveredAt(timing.invokeId());
    Long finished = fleet.finishedAt(timing.invokeId());
    assertThat(delivered).isNotNull().isGreaterThan(timing.start());
    assertThat(finished).isNotNull().isGreaterThanOrEqualTo(delivered);
    assertThat(timing.seenFinal()).isGreaterThan(timing.start());
  }

  @Test
  void runAndWait_failingScript_throwsWithTheStatus() {
    List<String> desktop = List.of(fleet.desktopId(0));

    assertThatThrownBy(() -> Invocations.runAndWait(server.api(), desktop, "exit 3"))
        .isInstanceOf(BenchException.class)
        .hasMessageContaining("ended Failed");
  }

  @Test
  void measurements_runningServer_reportsHeapRssAndCpu() {
    assertThat(server.heapUsedBytes()).isPositive();
    assertThat(server.rssBytes()).isPositive();
    assertThat(server.cpuSeconds()).isPositive();
  }
}
