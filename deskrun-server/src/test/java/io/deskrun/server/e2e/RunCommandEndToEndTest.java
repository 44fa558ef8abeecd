package io.deskrun.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocationsInvokeDesktops;
import com.aliyun.ecd20200930.models.RunCommandRequest;
import com.aliyun.ecd20200930.models.StopInvocationRequest;
import com.aliyun.tea.TeaException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The whole path: official SDK, real server, two real agents launching real shell processes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunCommandEndToEndTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final String NEVER_ENROLLED = "ecd-00000000000000000000";

  @TempDir static Path dir;
  private Fleet fleet;
  private Client client;

  @BeforeAll
  void startFleet() throws Exception {
    fleet = newFleet(dir);
    client = fleet.client();
  }

  /** Starts the server and two agents; the PostgreSQL variant starts them on PostgreSQL. */
  Fleet newFleet(Path dir) throws Exception {
    return Fleet.start(dir, 2);
  }

  @AfterAll
  void stopFleet() {
    if (fleet != null) {
      fleet.close();
    }
  }

  private String run(Client sdk, String script, Long timeout, String... desktopIds)
      throws Exception {
    RunCommandRequest request =
        new RunCommandRequest()
            .setRegionId(Fleet.REGION)
            .setType("RunShellScript")
            .setCommandContent(script)
            .setDesktopId(List.of(desktopIds))
            .setTimeout(timeout);
    String invokeId = sdk.runCommand(request).getBody().getInvokeId();
    assertThat(invokeId).matches("t-[a-z0-9]{24}");
    return invokeId;
  }

  private static Map<String, DescribeInvocationsResponseBodyInvocationsInvokeDesktops> byDesktop(
      DescribeInvocationsResponseBodyInvocations invocation) {
    return invocation.getInvokeDesktops().stream()
        .collect(
            Collectors.toMap(
                DescribeInvocationsResponseBodyInvocationsInvokeDesktops::getDesktopId,
                Function.identity()));
  }

  @Test
  void runCommand_twoDesktops_succeedWithExactOutput() throws Exception {
    String script = "echo \"hello $DESKRUN_DESKTOP_ID\"\necho 'Grüße 中文 ✓'\n";
    String first = fleet.desktopId(0);
    String second = fleet.desktopId(1);

    String invokeId = run(client, script, null, first, second);
    DescribeInvocationsResponseBodyInvocations done = fleet.awaitFinal(invokeId, LIMIT);

    assertThat(done.getInvocationStatus()).isEqualTo("Success");
    assertThat(done.getInvokeDesktopCount()).isEqualTo(2);
    assertThat(done.getInvokeDesktopSucceedCount()).isEqualTo(2);
    assertThat(done.getCommandType()).isEqualTo("RunShellScript");
    assertThat(done.getCommandContent()).isEqualTo(script);
    for (String desktopId : List.of(first, second)) {
      DescribeInvocationsResponseBodyInvocationsInvokeDesktops target =
          byDesktop(done).get(desktopId);
      assertThat(target.getInvocationStatus()).isEqualTo("Success");
      assertThat(target.getExitCode()).isZero();
      assertThat(target.getDropped()).isZero();
      assertThat(target.getOutput()).isEqualTo("hello " + desktopId + "\nGrüße 中文 ✓\n");
    }

    DescribeInvocationsResponseBodyInvocations encoded = fleet.describe(invokeId, "Base64");
    String decodedScript =
        new String(Base64.getDecoder().decode(encoded.getCommandContent()), StandardCharsets.UTF_8);
    assertThat(decodedScript).isEqualTo(script);
    String decodedOutput =
        new String(
            Base64.getDecoder().decode(byDesktop(encoded).get(first).getOutput()),
            StandardCharsets.UTF_8);
    assertThat(decodedOutput).isEqualTo("hello " + first + "\nGrüße 中文 ✓\n");
  }

  @Test
  void runCommand_exitThree_failedWithExitCode() throws Exception {
    String invokeId = run(client, "echo before\nexit 3\n", null, fleet.desktopId(0));

    DescribeInvocationsResponseBodyInvocations done = fleet.awaitFinal(invokeId, LIMIT);

    assertThat(done.getInvocationStatus()).isEqualTo("Failed");
    DescribeInvocationsResponseBodyInvocationsInvokeDesktops target =
        done.getInvokeDesktops().get(0);
    assertThat(target.getInvocationStatus()).isEqualTo("Failed");
    assertThat(target.getErrorCode()).isEqualTo("ExitCodeNonzero");
    assertThat(target.getExitCode()).isEqualTo(3L);
    assertThat(target.getOutput()).isEqualTo("before\n");
  }

  @Test
  void runCommand_sleepPastTimeout_timesOutWithinSeconds() throws Exception {
    long started = System.nanoTime();
    String invokeId = run(client, "sleep 30\n", 2L, fleet.desktopId(1));

    DescribeInvocationsResponseBodyInvocations done = fleet.awaitFinal(invokeId, LIMIT);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

    DescribeInvocationsResponseBodyInvocationsInvokeDesktops target =
        done.getInvokeDesktops().get(0);
    assertThat(target.getInvocationStatus()).isEqualTo("Timeout");
    assertThat(target.getErrorCode()).isEqualTo("ExecutionTimeout");
    assertThat(done.getInvocationStatus()).isEqualTo("Failed");
    assertThat(elapsed).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void stopInvocation_runningSleep_terminatedAndStopped() throws Exception {
    String invokeId = run(client, "echo started\nsleep 30\n", 60L, fleet.desktopId(0));
    fleet.awaitRunning(invokeId, LIMIT);

    client.stopInvocation(
        new StopInvocationRequest().setRegionId(Fleet.REGION).setInvokeId(invokeId));
    DescribeInvocationsResponseBodyInvocations done = fleet.awaitFinal(invokeId, LIMIT);

    assertThat(done.getInvocationStatus()).isEqualTo("Stopped");
    DescribeInvocationsResponseBodyInvocationsInvokeDesktops target =
        done.getInvokeDesktops().get(0);
    assertThat(target.getInvocationStatus()).isEqualTo("Terminated");
    assertThat(target.getStopTime()).isNotBlank();
  }

  @Test
  void runCommand_realAndUnknownDesktop_partialFailed() throws Exception {
    String real = fleet.desktopId(0);
    String invokeId = run(client, "echo ok\n", null, real, NEVER_ENROLLED);

    DescribeInvocationsResponseBodyInvocations done = fleet.awaitFinal(invokeId, LIMIT);

    assertThat(done.getInvocationStatus()).isEqualTo("PartialFailed");
    assertThat(done.getInvokeDesktopCount()).isEqualTo(2);
    assertThat(done.getInvokeDesktopSucceedCount()).isEqualTo(1);
    DescribeInvocationsResponseBodyInvocationsInvokeDesktops unknown =
        byDesktop(done).get(NEVER_ENROLLED);
    assertThat(unknown.getInvocationStatus()).isEqualTo("Invalid");
    assertThat(unknown.getErrorCode()).isEqualTo("InstanceNotExists");
    assertThat(byDesktop(done).get(real).getInvocationStatus()).isEqualTo("Success");
  }

  @Test
  void runCommand_onlyUnknownDesktops_desktopNotFound() {
    assertThatThrownBy(() -> run(client, "echo ok\n", null, NEVER_ENROLLED))
        .isInstanceOfSatisfying(
            TeaException.class,
            e -> assertThat(e.getCode()).isEqualTo("InvalidDesktopId.NotFound"));
  }

  @Test
  void runCommand_signedWithV3_succeeds() throws Exception {
    String invokeId = run(fleet.clientV3(), "echo v3\n", null, fleet.desktopId(1));

    DescribeInvocationsResponseBodyInvocations done = fleet.awaitFinal(invokeId, LIMIT);

    assertThat(done.getInvocationStatus()).isEqualTo("Success");
    assertThat(done.getInvokeDesktops().get(0).getOutput()).isEqualTo("v3\n");
  }
}
