package io.deskrun.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.RunCommandRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures single-desktop latency: RunCommand until DescribeInvocations shows Success, next to the
 * same script launched directly with ProcessBuilder. Not part of the default test run because its
 * name does not end in Test; run it with {@code ./mvnw -B -pl deskrun-server -am
 * -Dtest=LatencyMeasurement -Dsurefire.failIfNoSpecifiedTests=false test} and read the figures in
 * {@code
 * deskrun-server/target/surefire-reports/io.deskrun.server.e2e.LatencyMeasurement-output.txt}.
 */
class LatencyMeasurement {
  private static final int WARM_UP = 5;
  private static final int SAMPLES = 20;
  private static final String SCRIPT = "echo hi\n";

  @TempDir Path dir;

  @Test
  void singleDesktop_runCommandUntilSuccess_versusDirectLaunch() throws Exception {
    try (Fleet fleet = Fleet.start(dir, 1)) {
      Client client = fleet.client();
      List<Long> viaApi = new ArrayList<>();
      for (int i = 0; i < WARM_UP + SAMPLES; i++) {
        long elapsed = timeOneCommand(fleet, client);
        if (i >= WARM_UP) {
          viaApi.add(elapsed);
        }
      }

      List<Long> direct = new ArrayList<>();
      for (int i = 0; i < WARM_UP + SAMPLES; i++) {
        long elapsed = timeDirectLaunch();
        if (i >= WARM_UP) {
          direct.add(elapsed);
        }
      }

      System.out.printf(
          "RunCommand until Success (n=%d): median %.1f ms, p95 %.1f ms%n",
          SAMPLES, percentile(viaApi, 50), percentile(viaApi, 95));
      System.out.printf(
          "ProcessBuilder direct launch (n=%d): median %.1f ms, p95 %.1f ms%n",
          SAMPLES, percentile(direct, 50), percentile(direct, 95));
    }
  }

  private static long timeOneCommand(Fleet fleet, Client client) throws Exception {
    long started = System.nanoTime();
    RunCommandRequest request =
        new RunCommandRequest()
            .setRegionId(Fleet.REGION)
            .setType("RunShellScript")
            .setCommandContent(SCRIPT)
            .setDesktopId(List.of(fleet.desktopId(0)));
    String invokeId = client.runCommand(request).getBody().getInvokeId();
    String status = fleet.awaitFinal(invokeId, Duration.ofSeconds(30)).getInvocationStatus();
    long elapsed = System.nanoTime() - started;

    assertThat(status).isEqualTo("Success");
    return elapsed;
  }

  private static long timeDirectLaunch() throws Exception {
    long started = System.nanoTime();
    Process process =
        new ProcessBuilder("/bin/bash", "-c", SCRIPT).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    int exitCode = process.waitFor();
    long elapsed = System.nanoTime() - started;

    assertThat(exitCode).isZero();
    return elapsed;
  }

  private static double percentile(List<Long> nanos, int percent) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, index)) / 1_000_000.0;
  }
}
