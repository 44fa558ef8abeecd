package io.deskrun.server.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocationsInvokeDesktops;
import com.aliyun.tea.TeaException;
import io.deskrun.protocol.AgentProtocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cases X01 to X09 of the execution rules through the official SDK, the real server and a real
 * agent on this machine. Shell cases always run; PowerShell cases run when {@code pwsh} is
 * installed and are skipped with the reason otherwise. Batch cases are in {@link
 * BatchUnderWineTest}; the Windows-only file bytes and command lines are tested in the agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecutionCasesTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private ExecutionFleet fleet;

  @BeforeAll
  void startFleet() throws Exception {
    fleet = ExecutionFleet.start(dir, builder -> builder);
  }

  @AfterAll
  void stopFleet() {
    if (fleet != null) {
      fleet.close();
    }
  }

  private DescribeInvocationsResponseBodyInvocationsInvokeDesktops runToEnd(
      String type, String content, long timeoutSeconds) throws Exception {
    String invokeId = fleet.run(type, content, "PlainText", timeoutSeconds);
    return fleet.awaitFinal(invokeId, LIMIT);
  }

  private static void assumePwsh() {
    boolean installed =
        System.getenv("PATH") != null
            && java.util.Arrays.stream(System.getenv("PATH").split(":"))
                .anyMatch(entry -> Files.isExecutable(Path.of(entry, "pwsh")));
    assumeTrue(installed, "pwsh is not installed here, so PowerShell cases cannot run for real");
  }

  @Test
  void x01_powerShellCharFromCode_chineseWithoutReplacement() throws Exception {
    assumePwsh();

    var done =
        runToEnd("RunPowerShellScript", "Write-Output ([string][char]0x4E2D + [char]0x6587)", 30);

    assertThat(done.getInvocationStatus()).isEqualTo("Success");
    assertThat(done.getOutput()).contains("中文").doesNotContain("\uFFFD");
  }

  @Test
  void x02_powerShellNonAsciiLiteral_lengthSeven() throws Exception {
    assumePwsh();

    var done = runToEnd("RunPowerShellScript", "$s = 'Grüße\u2013中'\nWrite-Output $s.Length\n", 30);

    assertThat(done.getInvocationStatus()).isEqualTo("Success");
    assertThat(done.getOutput().strip()).isEqualTo("7");
  }

  @Test
  void x03_threeLevelTreeOverTimeout_timeoutAndNoProcessLeft() throws Exception {
    String script = "sleep 600 &\n(sleep 601; echo x) &\nsleep 602\n";
    long submitted = System.nanoTime();
    String invokeId = fleet.run("RunShellScript", script, "PlainText", 5);
    assertThat(ProcessTable.awaitAtLeast(invokeId, 5, Duration.ofSeconds(4)))
        .hasSizeGreaterThanOrEqualTo(5);

    var done = fleet.awaitFinal(invokeId, Duration.ofSeconds(30));

    Duration elapsed = Duration.ofNanos(System.nanoTime() - submitted);
    System.out.printf(
        "X03: Timeout status %d ms after the 5 s deadline (counted from submit)%n",
        elapsed.minusSeconds(5).toMillis());
    assertThat(done.getInvocationStatus()).isEqualTo("Timeout");
    assertThat(done.getErrorCode()).isEqualTo("ExecutionTimeout");
    assertThat(elapsed).isLessThan(Duration.ofSeconds(15));
    assertThat(ProcessTable.awaitGone(invokeId, Duration.ofSeconds(3))).isEmpty();
  }

  @Test
  void x03_stopAfterTwoSeconds_terminatedAndNoProcessLeft() throws Exception {
    String script = "sleep 600 &\n(sleep 601; echo x) &\necho started\nsleep 602\n";
    String invokeId = fleet.run("RunShellScript", script, "PlainText", 60);
    fleet.awaitOutput(invokeId, "started", Duration.ofSeconds(10));
    assertThat(ProcessTable.awaitAtLeast(invokeId, 5, Duration.ofSeconds(4)))
        .hasSizeGreaterThanOrEqualTo(5);
    Thread.sleep(2000);
    long stopped = System.nanoTime();

    fleet.stop(invokeId);
    var done = fleet.awaitFinal(invokeId, Duration.ofSeconds(30));

    Duration elapsed = Duration.ofNanos(System.nanoTime() - stopped);
    System.out.printf("X03: Terminated status %d ms after StopInvocation%n", elapsed.toMillis());
    assertThat(done.getInvocationStatus()).isEqualTo("Terminated");
    assertThat(elapsed).isLessThan(Duration.ofSeconds(10));
    assertThat(ProcessTable.awaitGone(invokeId, Duration.ofSeconds(3))).isEmpty();
  }

  @Test
  void x03_processEscapingItsSession_killedByCgroup() throws Exception {
    assumeTrue(
        Files.isWritable(Path.of("/sys/fs/cgroup/unified"))
            || Files.isWritable(Path.of("/sys/fs/cgroup/cgroup.procs")),
        "no writable cgroup v2 here, so runs get only a session and group");
    // The subshell exits at once, so sleep 603 has a new session and init as its parent.
    String script = "(setsid sleep 603 >/dev/null 2>&1 &)\necho detached\nsleep 604\n";
    String invokeId = fleet.run("RunShellScript", script, "PlainText", 3);

    var done = fleet.awaitFinal(invokeId, Duration.ofSeconds(30));

    assertThat(done.getInvocationStatus()).isEqualTo("Timeout");
    assertThat(done.getOutput()).isEqualTo("detached\n");
    assertThat(ProcessTable.awaitGone(invokeId, Duration.ofSeconds(3))).isEmpty();
  }

  @Test
  void x04_stdoutAndStderrFlood_tailEndsWithEndAndDroppedCounted() throws Exception {
    String script =
        "i=0; while [ $i -lt 200000 ]; do echo \"o$i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\";"
            + " echo \"e$i\" >&2; i=$((i+1)); done; echo END\n";
    // The agent's heap is measured with 100 MB of output in the next test.
    String invokeId = fleet.run("RunShellScript", script, "PlainText", 120);

    var done = fleet.awaitFinal(invokeId, Duration.ofSeconds(120));

    long total = 4;
    for (int i = 0; i < 200_000; i++) {
      int digits = Integer.toString(i).length();
      total += (1 + digits + 1 + 40 + 1) + (1 + digits + 1);
    }
    int kept = done.getOutput().getBytes(StandardCharsets.UTF_8).length;
    assertThat(done.getInvocationStatus()).isEqualTo("Success");
    assertThat(done.getExitCode()).isZero();
    assertThat(done.getOutput()).endsWith("e199999\nEND\n");
    assertThat(kept)
        .isBetween(AgentProtocol.OUTPUT_LIMIT_BYTES - 3, AgentProtocol.OUTPUT_LIMIT_BYTES);
    assertThat(done.getDropped()).isEqualTo(total - kept);
    assertThat(ProcessTable.processesOf(invokeId)).isEmpty();
  }

  @Test
  void x04_hundredMegabytes_agentHeapGrowsByFewMegabytes() throws Exception {
    String script = "head -c 100000000 /dev/zero | tr '\\0' 'a'\necho\necho END\n";
    DescribeInvocationsResponseBodyInvocationsInvokeDesktops done;
    long growth;
    try (ProcessTable.HeapProbe heap = new ProcessTable.HeapProbe()) {
      String invokeId = fleet.run("RunShellScript", script, "PlainText", 120);
      done = fleet.awaitFinal(invokeId, Duration.ofSeconds(120));
      growth = heap.maxGrowth();
    }

    System.out.printf("X04: heap growth %d KB while the run printed 100 MB%n", growth / 1024);
    assertThat(done.getInvocationStatus()).isEqualTo("Success");
    assertThat(done.getOutput()).endsWith("aaa\nEND\n");
    assertThat(done.getDropped()).isEqualTo(100_000_005L - AgentProtocol.OUTPUT_LIMIT_BYTES);
    assertThat(growth).isLessThan(16L << 20);
  }

  @Test
  void x06_powerShellExitCodes_keptAsGiven() throws Exception {
    assumePwsh();

    var nativeExit = runToEnd("RunPowerShellScript", "sh -c 'exit 7'\n", 30);
    var explicit = runToEnd("RunPowerShellScript", "exit 300\n", 30);
    var thrown = runToEnd("RunPowerShellScript", "throw 'boom'\n", 30);

    assertThat(nativeExit.getExitCode()).isEqualTo(7L);
    assertThat(explicit.getExitCode()).isEqualTo(300L);
    assertThat(thrown.getExitCode()).isEqualTo(1L);
    assertThat(thrown.getOutput()).contains("boom");
  }

  @Test
  void x07_shellScriptWithCrlf_runsAsLf() throws Exception {
    var done = runToEnd("RunShellScript", "x=1\r\nif [ \"$x\" = 1 ]; then echo ok; fi\r\n", 30);

    assertThat(done.getInvocationStatus()).isEqualTo("Success");
    assertThat(done.getOutput()).isEqualTo("ok\n");
  }

  @Test
  void x08_powerShellQuotesAndBlocks_exactLines() throws Exception {
    assumePwsh();
    String script =
        "Write-Output \"a  b\"\nWrite-Output 'c\"d'\ntry {\n  throw 'boom'\n}\ncatch {\n"
            + "  Write-Output \"caught $($_.Exception.Message)\"\n}\n";

    var done = runToEnd("RunPowerShellScript", script, 30);

    assertThat(done.getExitCode()).isZero();
    assertThat(done.getOutput().lines()).containsExactly("a  b", "c\"d", "caught boom");
  }

  @Test
  void x09_base64ScriptOf150Lines_allLinesOut() throws Exception {
    String script =
        IntStream.rangeClosed(1, 150)
            .mapToObj(i -> "echo line %03d %s\n".formatted(i, "x".repeat(56)))
            .collect(Collectors.joining());
    String encoded = Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));

    String invokeId = fleet.run("RunShellScript", encoded, "Base64", 30);
    var done = fleet.awaitFinal(invokeId, LIMIT);

    assertThat(done.getInvocationStatus()).isEqualTo("Success");
    assertThat(done.getOutput().lines()).hasSize(150).last().asString().startsWith("line 150 ");
  }

  @Test
  void x09_base64WithAndWithoutPadding_bothRun() throws Exception {
    String unpadded = fleet.run("RunShellScript", "ZWNobyBoaQ", "Base64", 30);
    String padded = fleet.run("RunShellScript", "ZWNobyBoaQ==", "Base64", 30);

    assertThat(fleet.awaitFinal(unpadded, LIMIT).getOutput()).isEqualTo("hi\n");
    assertThat(fleet.awaitFinal(padded, LIMIT).getOutput()).isEqualTo("hi\n");
  }

  @Test
  void x09_urlSafeBase64OrBlankContent_rejectedAtSubmit() {
    assertThatThrownBy(() -> fleet.run("RunShellScript", "ZWNobyBo-_==", "Base64", 30))
        .isInstanceOfSatisfying(
            TeaException.class, e -> assertThat(e.getStatusCode()).isEqualTo(400));
    assertThatThrownBy(() -> fleet.run("RunShellScript", "   ", "PlainText", 30))
        .isInstanceOfSatisfying(
            TeaException.class, e -> assertThat(e.getStatusCode()).isEqualTo(400));
  }
}
