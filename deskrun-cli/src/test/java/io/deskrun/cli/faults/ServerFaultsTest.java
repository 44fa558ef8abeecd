package io.deskrun.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.cli.faults.ProcessFleet.Activation;
import io.deskrun.cli.faults.ProcessFleet.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a separate process, killed with SIGKILL or stopped with SIGTERM while scripts run,
 * then started again on the same data dir.
 */
@DisabledOnOs(OS.WINDOWS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ServerFaultsTest {
  private static final int FLEET_SIZE = 50;
  private static final Duration FINAL_LIMIT = Duration.ofSeconds(180);

  @TempDir Path dir;

  /**
   * SIGKILL 5 s into a 20 s script, while 50-target RunCommands are being accepted and their
   * scripts run; the server is then started again on the same data dir.
   */
  @Test
  void sigkill_midFanOut_everyTargetRunsOnce() throws Exception {
    try (ProcessFleet fleet = new ProcessFleet(dir)) {
      fleet.startServer();
      Activation activation = fleet.createActivation(FLEET_SIZE);
      fleet.startAgentGroup("group", FLEET_SIZE, activation, 10);
      List<String> desktops = desktopIds(fleet, "group", FLEET_SIZE);
      fleet.awaitOnline(desktops);
      Path longLog = dir.resolve("long-launches.txt");
      Path fanLog = dir.resolve("fan-out-launches.txt");
      String fanScript =
          "echo \"$DESKRUN_INVOKE_ID $DESKRUN_DESKTOP_ID\" >> '"
              + fanLog
              + "'; sleep 3; echo done\n";

      long start = System.nanoTime();
      String longRun =
          fleet.runCommand(
              AgentFaultsTest.twentySecondScript(longLog), 120, List.of(desktops.get(0)));
      List<String> fanOuts = new ArrayList<>();
      while (Duration.ofNanos(System.nanoTime() - start).toMillis() < 5_000) {
        fanOuts.add(fleet.runCommand(fanScript, 60, desktops));
        Thread.sleep(1_000);
      }
      fleet.server().kill();
      long faultAt = System.nanoTime();
      fleet.startServer();

      Target longTarget = fleet.awaitFinal(longRun, FINAL_LIMIT).get(desktops.get(0));
      Duration longFinal = Duration.ofNanos(System.nanoTime() - faultAt);
      List<Target> fanTargets = new ArrayList<>();
      for (String invokeId : fanOuts) {
        fanTargets.addAll(fleet.awaitFinal(invokeId, FINAL_LIMIT).values());
      }
      Duration fanFinal = Duration.ofNanos(System.nanoTime() - faultAt);

      List<String> launches = ProcessFleet.lines(fanLog);
      Figures.record(
          "server SIGKILL at 5 s into a 20 s script, restarted",
          longFinal,
          launchCount(longLog),
          1);
      Figures.record(
          "server SIGKILL mid-fan-out (" + fanOuts.size() + " RunCommands x 50 targets)",
          fanFinal,
          launches.size(),
          fanTargets.size());
      assertThat(longTarget.status()).isEqualTo("Success");
      assertThat(longTarget.output()).isEqualTo("ok\n");
      assertThat(ProcessFleet.lines(longLog)).hasSize(1);
      assertThat(fanTargets).hasSize(fanOuts.size() * FLEET_SIZE);
      assertThat(fanTargets).allSatisfy(t -> assertThat(t.status()).isEqualTo("Success"));
      assertThat(launches).hasSize(fanTargets.size()).doesNotHaveDuplicates();
    }
  }

  /**
   * SIGTERM on the server: it exits promptly although an agent keeps a long-poll open, keeps every
   * RunCommand it answered, and the run going on meanwhile ends normally after the restart.
   */
  @Test
  void sigterm_openPollAndRun_exitsAndKeepsRun() throws Exception {
    try (ProcessFleet fleet = new ProcessFleet(dir)) {
      fleet.startServer();
      Activation activation = fleet.createActivation(1);
      fleet.startAgent("agent", fleet.serverUri(), activation, 10);
      String desktop = fleet.desktopIdOf(dir.resolve("agent"));
      fleet.awaitOnline(List.of(desktop));
      Path log = dir.resolve("term.log");
      String running =
          fleet.runCommand(
              "echo \"$DESKRUN_INVOKE_ID\" >> '" + log + "'; sleep 4; echo ok\n",
              60,
              List.of(desktop));
      ProcessFleet.await(() -> ProcessFleet.linesQuietly(log) == 1, "the script to start");

      long stopAt = System.nanoTime();
      int exitCode = fleet.server().terminate(Duration.ofSeconds(30));
      Duration stopTook = Duration.ofNanos(System.nanoTime() - stopAt);
      List<String> journalAfterStop = journalFilesWithRecords(dir.resolve("server"));
      String stopLog = Files.readString(dir.resolve("server.log"));
      fleet.startServer();
      Map<String, Target> after = fleet.awaitFinal(running, FINAL_LIMIT);
      Duration untilFinal = Duration.ofNanos(System.nanoTime() - stopAt);

      Figures.note(
          String.format(
              "server SIGTERM with an open long-poll: exited in %.1f s%n",
              stopTook.toMillis() / 1000.0));
      Figures.record("server SIGTERM mid-run, restarted", untilFinal, launchCount(log), 1);
      // 143 = 128 + SIGTERM: the JVM's exit status after its shutdown hooks ran.
      assertThat(exitCode).isIn(0, 143);
      assertThat(stopTook).isLessThan(Duration.ofSeconds(20));
      assertThat(after.get(desktop).status()).isEqualTo("Success");
      assertThat(after.get(desktop).output()).isEqualTo("ok\n");
      assertThat(ProcessFleet.lines(log)).hasSize(1);
      assertThat(journalAfterStop).as("journal files with records after SIGTERM").isEmpty();
      assertThat(stopLog).doesNotContain("Database is already closed");
    }
  }

  /** Returns the write journal files of the server's data dir that still hold records. */
  private static List<String> journalFilesWithRecords(Path dataDir) throws Exception {
    Path journal = dataDir.resolve("db").resolve("deskrun.journal");
    List<String> withRecords = new ArrayList<>();
    try (Stream<Path> files = Files.list(journal)) {
      for (Path file : files.toList()) {
        if (Files.size(file) > 0) {
          withRecords.add(file.getFileName().toString());
        }
      }
    }
    return withRecords;
  }

  static List<String> desktopIds(ProcessFleet fleet, String group, int count) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(fleet.desktopIdOf(fleet.dir().resolve(group).resolve("agent-" + i)));
    }
    assertThat(new HashSet<>(ids)).hasSize(count);
    return ids;
  }

  private static int launchCount(Path log) {
    return ProcessFleet.linesQuietly(log);
  }
}
