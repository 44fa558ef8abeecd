package io.deskrun.server.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocationsInvokeDesktops;
import io.deskrun.protocol.ScriptType;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch cases through the official SDK, the real server and a real agent whose batch interpreter is
 * Wine's {@code cmd}, set up as on a zh-CN Windows (code page 936). Skipped with the reason when
 * Wine is not installed.
 *
 * <p>Without a console Wine's {@code chcp 65001} fails, so cmd writes in code page 936; the agent
 * is configured with GBK as the fallback decoder, as {@code GetOEMCP} gives it on zh-CN Windows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchUnderWineTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private Wine wine;
  private ExecutionFleet fleet;

  @BeforeAll
  void startFleet() throws Exception {
    Optional<String> missing = Wine.unavailableReason();
    assumeTrue(missing.isEmpty(), () -> missing.orElseThrow());
    wine = Wine.start("zh_CN.UTF-8");
    fleet =
        ExecutionFleet.start(
            dir,
            builder ->
                builder
                    .interpreter(ScriptType.RunBatScript, wine.batchInterpreter())
                    .outputFallbackCharset(Charset.forName("GBK")));
  }

  @AfterAll
  void stopFleet() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
    if (wine != null) {
      wine.close();
    }
  }

  private DescribeInvocationsResponseBodyInvocationsInvokeDesktops runBatch(
      String content, long timeoutSeconds) throws Exception {
    String invokeId = fleet.run("RunBatScript", content, "PlainText", timeoutSeconds);
    DescribeInvocationsResponseBodyInvocationsInvokeDesktops done =
        fleet.awaitFinal(invokeId, LIMIT);
    System.out.printf(
        "wine batch %s: %s exit %s output %s%n",
        invokeId, done.getInvocationStatus(), done.getExitCode(), done.getOutput());
    return done;
  }

  @Test
  void x01_chineseEchoAndLocalizedError_intactWithExitCode1() throws Exception {
    var done = runBatch("@echo off\r\necho 中文测试\r\ndir C:\\no_such_dir_x01\r\n", 30);

    assertThat(done.getInvocationStatus()).isEqualTo("Failed");
    assertThat(done.getExitCode()).isEqualTo(1L);
    assertThat(done.getOutput()).startsWith("中文测试\r\n").contains("找不到文件");
    assertThat(done.getOutput()).doesNotContain("\uFFFD");
  }

  @Test
  void x05_exitFromNestedBlocks_exitCode3() throws Exception {
    var done =
        runBatch(
            "@echo off\r\nif 1==1 (\r\n  if 2==2 (\r\n    exit /b 3\r\n  )\r\n  echo unreachable\r\n)\r\n",
            30);

    assertThat(done.getInvocationStatus()).isEqualTo("Failed");
    assertThat(done.getErrorCode()).isEqualTo("ExitCodeNonzero");
    assertThat(done.getExitCode()).isEqualTo(3L);
    assertThat(done.getOutput()).doesNotContain("unreachable");
  }

  @Test
  void x07_lfOnlyFileWithLabels_reachesEveryLabel() throws Exception {
    String padding =
        "rem 0123456789012345678901234567890123456789012345678901234567890123456789\n".repeat(12);
    String script =
        "@echo off\ngoto :later\n"
            + padding
            + ":later\necho reached\ncall :sub\necho back\nexit /b 0\n:sub\necho in-sub\nexit /b 0\n";

    var done = runBatch(script, 30);

    assertThat(done.getInvocationStatus()).isEqualTo("Success");
    assertThat(done.getOutput().lines()).containsExactly("reached", "in-sub", "back");
  }

  @Test
  void run_percentAndCaretEscapes_printedLiterally() throws Exception {
    // NOTE: Wine 8 drops a doubled percent inside "set v=50%%", which Windows keeps as 50%.
    var done = runBatch("@echo off\r\necho 100%% %%PATH%%\r\necho a ^& b ^<ok^> ^| ^^\r\n", 30);

    assertThat(done.getExitCode()).isZero();
    assertThat(done.getOutput()).isEqualTo("100% %PATH%\r\na & b <ok> | ^\r\n");
  }

  @Test
  void run_callWithArguments_resultReturned() throws Exception {
    String script =
        "@echo off\r\ncall :add 2 3\r\necho sum=%result%\r\nexit /b 0\r\n"
            + ":add\r\nset /a result=%1+%2\r\nexit /b 0\r\n";

    var done = runBatch(script, 30);

    assertThat(done.getExitCode()).isZero();
    assertThat(done.getOutput()).isEqualTo("sum=5\r\n");
  }

  @Test
  void run_setlocalAndDelayedExpansion_scopedValues() throws Exception {
    String script =
        "@echo off\r\nset x=outer\r\nsetlocal enabledelayedexpansion\r\nset x=inner\r\n"
            + "if 1==1 (\r\n  set x=block\r\n  echo in-block !x!\r\n)\r\nendlocal\r\necho after %x%\r\n";

    var done = runBatch(script, 30);

    assertThat(done.getExitCode()).isZero();
    assertThat(done.getOutput().lines()).containsExactly("in-block block", "after outer");
  }

  @Test
  void run_errorlevelFromChildCmd_testedAndReturned() throws Exception {
    String script =
        "@echo off\r\ncmd /c exit 4\r\nif errorlevel 4 echo level4\r\n"
            + "echo code %errorlevel%\r\nexit /b %errorlevel%\r\n";

    var done = runBatch(script, 30);

    assertThat(done.getExitCode()).isEqualTo(4L);
    assertThat(done.getOutput().lines()).containsExactly("level4", "code 4");
  }

  @Test
  void run_exitFromNestedBlocksInsideCalledLabel_codeReachesAgent() throws Exception {
    // NOTE: inside a for loop Wine 8 goes on with the next item after exit /b; Windows does not.
    String script =
        "@echo off\r\ncall :sub\r\necho sub returned %errorlevel%\r\nexit /b %errorlevel%\r\n"
            + ":sub\r\nif 1==1 (\r\n  echo in-sub\r\n  if 2==2 (\r\n    exit /b 5\r\n  )\r\n"
            + "  echo unreachable\r\n)\r\nexit /b 0\r\n";

    var done = runBatch(script, 30);

    assertThat(done.getInvocationStatus()).isEqualTo("Failed");
    assertThat(done.getExitCode()).isEqualTo(5L);
    assertThat(done.getOutput().lines()).containsExactly("in-sub", "sub returned 5");
  }

  @Test
  void run_endlessBatchLoop_timeoutAndNoProcessLeft() throws Exception {
    String invokeId =
        fleet.run("RunBatScript", "@echo off\r\n:loop\r\ngoto loop\r\n", "PlainText", 3);

    var done = fleet.awaitFinal(invokeId, LIMIT);

    assertThat(done.getInvocationStatus()).isEqualTo("Timeout");
    assertThat(ProcessTable.awaitGone(invokeId, Duration.ofSeconds(5))).isEmpty();
  }
}
