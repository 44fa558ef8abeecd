package io.deskrun.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.cli.faults.ProcessFleet.Activation;
import io.deskrun.cli.faults.ProcessFleet.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * RunCommands at a steady rate while the agent process is restarted with SIGTERM every 12 s. The
 * counts of submitted targets, targets that ended Success and launches seen in the scripts' own
 * side-effect file must be equal. The submission phase lasts 35 s unless the system property {@code
 * deskrun.soak.seconds} or the variable {@code DESKRUN_SOAK_SECONDS} sets another length.
 */
@DisabledOnOs(OS.WINDOWS)
@Timeout(value = 3, unit = TimeUnit.HOURS)
class SoakTest {
  private static final int DESKTOPS = 4;
  private static final Duration SUBMIT_EVERY = Duration.ofMillis(300);
  private static final Duration RESTART_EVERY = Duration.ofSeconds(12);
  private static final Duration FINAL_LIMIT = Duration.ofSeconds(120);

  @TempDir Path dir;

  static Duration soakLength() {
    String value =
        System.getProperty("deskrun.soak.seconds", System.getenv("DESKRUN_SOAK_SECONDS"));
    return Duration.ofSeconds(
        value == null || value.isBlank() ? 35 : Long.parseLong(value.strip()));
  }

  @Test
  void soak_agentRestarts_countsAgree() throws Exception {
    Duration length = soakLength();
    try (ProcessFleet fleet = new ProcessFleet(dir)) {
      fleet.startServer();
      Activation activation = fleet.createActivation(DESKTOPS);
      JavaProcess agents = fleet.startAgentGroup("soak", DESKTOPS, activation, 10);
      List<String> desktops = ServerFaultsTest.desktopIds(fleet, "soak", DESKTOPS);
      fleet.awaitOnline(desktops);
      Path log = dir.resolve("soak-launches.txt");
      String script =
          "echo \"$DESKRUN_INVOKE_ID $DESKRUN_DESKTOP_ID\" >> '" + log + "'; sleep 1; echo ok\n";

      List<String> submitted = Collections.synchronizedList(new ArrayList<>());
      List<String> rejected = Collections.synchronizedList(new ArrayList<>());
      long end = System.nanoTime() + length.toNanos();
      Thread submitter =
          Thread.ofVirtual()
              .start(() -> submitUntil(fleet, script, desktops, end, submitted, rejected));
      int restarts = 0;
      AtomicReference<JavaProcess> current = new AtomicReference<>(agents);
      while (System.nanoTime() + RESTART_EVERY.toNanos() < end) {
        Thread.sleep(RESTART_EVERY.toMillis());
        current.get().terminate(Duration.ofSeconds(60));
        current.set(fleet.startAgentGroup("soak", DESKTOPS, activation, 10));
        restarts++;
      }
      submitter.join(length.plusSeconds(60).toMillis());
      long drainFrom = System.nanoTime();

      Map<String, Integer> statuses = new TreeMap<>();
      for (String invokeId : List.copyOf(submitted)) {
        for (Target target : fleet.awaitFinal(invokeId, FINAL_LIMIT).values()) {
          statuses.merge(target.status(), 1, Integer::sum);
        }
      }
      Duration drain = Duration.ofNanos(System.nanoTime() - drainFrom);
      List<String> launches = ProcessFleet.lines(log);

      Figures.note(
          String.format(
              "soak %d s, %d agent restarts: submitted %d, final %s, launches %d,"
                  + " rejected %d; last final %.1f s after the last submission%n",
              length.toSeconds(),
              restarts,
              submitted.size(),
              statuses,
              launches.size(),
              rejected.size(),
              drain.toMillis() / 1000.0));
      assertThat(rejected).isEmpty();
      assertThat(restarts).isPositive();
      assertThat(statuses).containsOnlyKeys("Success");
      assertThat(statuses.get("Success")).isEqualTo(submitted.size());
      assertThat(launches).hasSize(submitted.size()).doesNotHaveDuplicates();
    }
  }

  private static void submitUntil(
      ProcessFleet fleet,
      String script,
      List<String> desktops,
      long end,
      List<String> submitted,
      List<String> rejected) {
    int next = 0;
    while (System.nanoTime() < end) {
      String desktop = desktops.get(next++ % desktops.size());
      try {
        submitted.add(fleet.runCommand(script, 60, List.of(desktop)));
        Thread.sleep(SUBMIT_EVERY.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        rejected.add(desktop + ": " + e);
      }
    }
  }
}
