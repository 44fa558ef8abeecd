package io.deskrun.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.cli.faults.ProcessFleet.Activation;
import io.deskrun.cli.faults.ProcessFleet.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as a separate process, killed with SIGKILL 5 s into a 20 s script and restarted, or cut
 * off for 40 s by a proxy. Both runs share one server and go on at the same time, so the suite
 * waits for the long script only once.
 */
@DisabledOnOs(OS.WINDOWS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AgentFaultsTest {
  private static final long TIMEOUT_SECONDS = 120;
  private static final Duration FINAL_LIMIT = Duration.ofSeconds(TIMEOUT_SECONDS + 60);

  @TempDir Path dir;

  static String twentySecondScript(Path log) {
    return "echo \"$DESKRUN_INVOKE_ID $(date +%s%N)\" >> '" + log + "'; sleep 20; echo ok\n";
  }

  @Test
  void agentKilledOrCutOff_finalAndLaunchedOnce() throws Exception {
    try (ProcessFleet fleet = new ProcessFleet(dir);
        TcpProxy proxy = new TcpProxy(fleet.port())) {
      fleet.startServer();
      Activation activation = fleet.createActivation(2);
      JavaProcess killed = fleet.startAgent("killed", fleet.serverUri(), activation, 10);
      fleet.startAgent(
          "cut", java.net.URI.create("http://127.0.0.1:" + proxy.port()), activation, 10);
      String killedId = fleet.desktopIdOf(dir.resolve("killed"));
      String cutId = fleet.desktopIdOf(dir.resolve("cut"));
      fleet.awaitOnline(List.of(killedId, cutId));
      Path killedLog = dir.resolve("killed-launches.txt");
      Path cutLog = dir.resolve("cut-launches.txt");

      String killedRun =
          fleet.runCommand(twentySecondScript(killedLog), TIMEOUT_SECONDS, List.of(killedId));
      String cutRun = fleet.runCommand(twentySecondScript(cutLog), TIMEOUT_SECONDS, List.of(cutId));
      ProcessFleet.await(
          () -> ProcessFleet.linesQuietly(killedLog) == 1 && ProcessFleet.linesQuietly(cutLog) == 1,
          "both scripts to start");
      Thread.sleep(5_000);
      killed.kill();
      proxy.cut();
      long faultAt = System.nanoTime();
      fleet.startAgent("killed", fleet.serverUri(), activation, 10);

      Target afterKill = fleet.awaitFinal(killedRun, FINAL_LIMIT).get(killedId);
      Duration killedFinal = Duration.ofNanos(System.nanoTime() - faultAt);
      Thread.sleep(Math.max(0, 40_000 - Duration.ofNanos(System.nanoTime() - faultAt).toMillis()));
      proxy.restore();
      Target afterCut = fleet.awaitFinal(cutRun, FINAL_LIMIT).get(cutId);
      Duration cutFinal = Duration.ofNanos(System.nanoTime() - faultAt);

      Figures.record(
          "agent SIGKILL at 5 s into a 20 s script, restarted",
          killedFinal,
          ProcessFleet.lines(killedLog).size(),
          1);
      Figures.record(
          "agent connection cut for 40 s at 5 s into a 20 s script",
          cutFinal,
          ProcessFleet.lines(cutLog).size(),
          1);
      assertThat(afterKill.status()).isEqualTo("Error");
      assertThat(afterKill.errorCode()).isEqualTo("ExecutionInterrupted");
      assertThat(ProcessFleet.lines(killedLog)).hasSize(1);
      assertThat(afterCut.status()).isEqualTo("Success");
      assertThat(afterCut.output()).isEqualTo("ok\n");
      assertThat(ProcessFleet.lines(cutLog)).hasSize(1);

      String next = fleet.runCommand("echo next\n", 30, List.of(killedId, cutId));
      assertThat(fleet.awaitFinal(next, FINAL_LIMIT).values())
          .allSatisfy(
              target -> {
                assertThat(target.status()).isEqualTo("Success");
                assertThat(target.output()).isEqualTo("next\n");
              });
    }
  }
}
