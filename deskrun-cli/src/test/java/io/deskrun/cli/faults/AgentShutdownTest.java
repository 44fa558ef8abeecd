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

/** SIGTERM on an agent process: no new polls, running scripts get the grace, then are killed. */
@DisabledOnOs(OS.WINDOWS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AgentShutdownTest {
  private static final Duration FINAL_LIMIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void sigterm_runningScripts_graceThenInterrupted() throws Exception {
    try (ProcessFleet fleet = new ProcessFleet(dir)) {
      fleet.startServer();
      Activation activation = fleet.createActivation(1);
      JavaProcess agent = fleet.startAgent("agent", fleet.serverUri(), activation, 5);
      String desktop = fleet.desktopIdOf(dir.resolve("agent"));
      fleet.awaitOnline(List.of(desktop));
      Path log = dir.resolve("grace.log");
      String shortRun = fleet.runCommand(script(log, 2), 60, List.of(desktop));
      String longRun = fleet.runCommand(script(log, 60), 120, List.of(desktop));
      ProcessFleet.await(() -> ProcessFleet.linesQuietly(log) == 2, "both scripts to start");

      long stopAt = System.nanoTime();
      int exitCode = agent.terminate(Duration.ofSeconds(60));
      Duration stopTook = Duration.ofNanos(System.nanoTime() - stopAt);
      Target finished = fleet.awaitFinal(shortRun, FINAL_LIMIT).get(desktop);
      Target killed = fleet.awaitFinal(longRun, FINAL_LIMIT).get(desktop);
      Duration untilFinal = Duration.ofNanos(System.nanoTime() - stopAt);

      Figures.note(
          String.format(
              "agent SIGTERM with grace 5 s: exited in %.1f s%n", stopTook.toMillis() / 1000.0));
      Figures.record("agent SIGTERM mid-run (2 s and 60 s scripts)", untilFinal, 2, 2);
      assertThat(exitCode).isIn(0, 143);
      assertThat(stopTook).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(40));
      assertThat(finished.status()).isEqualTo("Success");
      assertThat(finished.output()).isEqualTo("done\n");
      assertThat(killed.status()).isEqualTo("Error");
      assertThat(killed.errorCode()).isEqualTo("ExecutionInterrupted");
      assertThat(ProcessFleet.lines(log)).hasSize(2);

      String afterRestart = fleet.runCommand("echo again\n", 30, List.of(desktop));
      fleet.startAgent("agent", fleet.serverUri(), activation, 5);
      assertThat(fleet.awaitFinal(afterRestart, FINAL_LIMIT).get(desktop).output())
          .isEqualTo("again\n");
    }
  }

  private static String script(Path log, int seconds) {
    return "echo \"$DESKRUN_INVOKE_ID\" >> '" + log + "'; sleep " + seconds + "; echo done\n";
  }
}
