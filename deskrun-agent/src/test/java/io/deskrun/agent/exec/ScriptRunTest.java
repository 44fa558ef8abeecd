package io.deskrun.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.ErrorCodes;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import io.deskrun.protocol.Task;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ScriptRunTest {
  @TempDir Path stateDir;
  RunFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new RunFixture(stateDir);
  }

  @Test
  void run_exitZeroWithNonAsciiOutput_success() {
    RunReport report = fixture.run(RunFixture.shellTask("echo 'Grüße 中文 привет'\n", 10));

    assertThat(report.status()).isEqualTo(TargetStatus.Success);
    assertThat(report.exitCode()).isZero();
    assertThat(report.output()).isEqualTo("Grüße 中文 привет\n");
    assertThat(report.dropped()).isZero();
    assertThat(report.errorCode()).isNull();
  }

  @Test
  void run_exitThree_failedWithExitCode() {
    RunReport report = fixture.run(RunFixture.shellTask("echo before\nexit 3\n", 10));

    assertThat(report.status()).isEqualTo(TargetStatus.Failed);
    assertThat(report.exitCode()).isEqualTo(3L);
    assertThat(report.errorCode()).isEqualTo(ErrorCodes.EXIT_CODE_NONZERO);
    assertThat(report.output()).isEqualTo("before\n");
  }

  @Test
  void run_environmentAndWorkingDirectory_setForScript() {
    Task task = RunFixture.shellTask("echo \"$DESKRUN_INVOKE_ID $DESKRUN_DESKTOP_ID\"\npwd\n", 10);

    RunReport report = fixture.run(task);

    assertThat(report.output()).isEqualTo(task.invokeId() + " ecd-test\n" + stateDir + "\n");
  }

  @Test
  void run_readFromStdin_endOfFile() {
    RunReport report = fixture.run(RunFixture.shellTask("read line\necho \"read=$?\"\n", 10));

    assertThat(report.output()).isEqualTo("read=1\n");
  }

  @Test
  void run_scriptFile_deletedAfterRun() throws Exception {
    RunReport report = fixture.run(RunFixture.shellTask("echo \"$0\"\n", 10));
    Path scriptFile = Path.of(report.output().strip());

    assertThat(scriptFile.startsWith(stateDir.resolve("scripts"))).isTrue();
    assertThat(scriptFile).doesNotExist();
    try (var files = Files.list(stateDir.resolve("scripts"))) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void run_treeOverTimeout_timeoutAndKilled() throws Exception {
    Task task = RunFixture.shellTask("sleep 600 &\n(sleep 601; echo x) &\nsleep 602\n", 5);
    long start = System.nanoTime();

    RunReport report = fixture.run(task);

    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    assertThat(report.status()).isEqualTo(TargetStatus.Timeout);
    assertThat(report.errorCode()).isEqualTo(ErrorCodes.EXECUTION_TIMEOUT);
    assertThat(elapsed).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(9));
    assertThat(RunFixture.awaitNoProcessesOf(task.invokeId(), Duration.ofSeconds(2))).isEmpty();
  }

  @Test
  void run_stopWhileRunning_terminatedAndTreeKilled() throws Exception {
    Task task =
        RunFixture.shellTask(
            "sleep 700 &\n(sleep 701; echo x) &\nnohup sleep 702 >/dev/null 2>&1 &\n"
                + "echo ready\nsleep 703\n",
            60);
    ScriptRun run = new ScriptRun(task, fixture.settings());
    CompletableFuture<RunReport> result =
        CompletableFuture.supplyAsync(() -> run.run(fixture.progress::add));
    awaitOutput("ready");
    assertThat(RunFixture.processesOf(task.invokeId())).hasSizeGreaterThanOrEqualTo(4);

    run.stop(ScriptRun.StopReason.STOPPED);

    RunReport report = result.get(5, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo(TargetStatus.Terminated);
    assertThat(report.output()).isEqualTo("ready\n");
    assertThat(RunFixture.awaitNoProcessesOf(task.invokeId(), Duration.ofSeconds(2))).isEmpty();
  }

  @Test
  void run_largeOutput_tailAndDropped() {
    String script =
        "i=0; while [ $i -lt 200000 ]; do echo \"o$i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\";"
            + " echo \"e$i\" >&2; i=$((i+1)); done; echo END\n";

    RunReport report = fixture.run(RunFixture.shellTask(script, 60));

    long total = 4; // END\n
    for (int i = 0; i < 200_000; i++) {
      String digits = Integer.toString(i);
      total += 1 + digits.length() + 1 + 40 + 1;
      total += 1 + digits.length() + 1;
    }
    int kept = report.output().getBytes(StandardCharsets.UTF_8).length;
    assertThat(report.status()).isEqualTo(TargetStatus.Success);
    assertThat(report.output()).endsWith("e199999\nEND\n");
    assertThat(kept).isLessThanOrEqualTo(AgentProtocol.OUTPUT_LIMIT_BYTES);
    assertThat(kept).isGreaterThan(AgentProtocol.OUTPUT_LIMIT_BYTES - 4);
    assertThat(report.dropped()).isEqualTo(total - kept);
  }

  @Test
  void run_hundredMegabytesOutput_tailOnly() {
    // The module's tests run with a 64 MB heap, so keeping the whole output would fail here.
    assertThat(Runtime.getRuntime().maxMemory()).isLessThan(100_000_000L);
    String script = "head -c 100000000 /dev/zero | tr '\\0' 'a'\necho\necho END\n";

    RunReport report = fixture.run(RunFixture.shellTask(script, 60));

    int kept = report.output().getBytes(StandardCharsets.UTF_8).length;
    assertThat(report.status()).isEqualTo(TargetStatus.Success);
    assertThat(report.output()).endsWith("aaa\nEND\n");
    assertThat(kept).isEqualTo(AgentProtocol.OUTPUT_LIMIT_BYTES);
    assertThat(report.dropped()).isEqualTo(100_000_000L + 5 - kept);
  }

  @Test
  void run_crlfLineEndings_runAsLf() {
    RunReport report =
        fixture.run(RunFixture.shellTask("x=1\r\nif [ \"$x\" = 1 ]; then echo ok; fi\r\n", 10));

    assertThat(report.status()).isEqualTo(TargetStatus.Success);
    assertThat(report.output()).isEqualTo("ok\n");
  }

  @Test
  void run_shebangLine_runsNamedInterpreter() {
    String script = "#!/bin/sh\ntr '\\0' ' ' < /proc/$$/cmdline\n";

    RunReport report = fixture.run(RunFixture.shellTask(script, 10));

    assertThat(report.output()).startsWith("/bin/sh " + stateDir.resolve("scripts"));
  }

  @Test
  void run_shebangWithArgument_passesArgument() {
    String script = "#!/usr/bin/awk -f\nBEGIN { print \"awk ran\" }\n";

    RunReport report = fixture.run(RunFixture.shellTask(script, 10));

    assertThat(report.output()).isEqualTo("awk ran\n");
  }

  @Test
  void run_noShebang_runsBash() {
    RunReport report = fixture.run(RunFixture.shellTask("echo \"${BASH_VERSION:+bash}\"\n", 10));

    assertThat(report.output()).isEqualTo("bash\n");
  }

  @Test
  void run_backgroundProgram_leftRunning() throws Exception {
    Task task = RunFixture.shellTask("sleep 15 &\necho started\n", 10);
    long start = System.nanoTime();
    try {
      RunReport report = fixture.run(task);

      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      assertThat(report.status()).isEqualTo(TargetStatus.Success);
      assertThat(report.output()).isEqualTo("started\n");
      assertThat(elapsed).isLessThan(Duration.ofSeconds(5));
      assertThat(RunFixture.processesOf(task.invokeId())).hasSize(1);
    } finally {
      RunFixture.killAll(task.invokeId());
    }
  }

  @Test
  void run_characterSplitAcrossWrites_decodedWhole() {
    String script = "printf '\\344'\nsleep 0.3\nprintf '\\270\\255\\n'\n";

    RunReport report = fixture.run(RunFixture.shellTask(script, 10));

    assertThat(report.output()).isEqualTo("中\n");
  }

  @Test
  void run_invalidUtf8Bytes_replacedNotDropped() {
    RunReport report = fixture.run(RunFixture.shellTask("printf 'a\\377b\\n'\n", 10));

    assertThat(report.output()).isEqualTo("a\uFFFDb\n");
  }

  @Test
  void run_outputWhileRunning_progressReportsSent() {
    RunReport report = fixture.run(RunFixture.shellTask("echo one\nsleep 1\necho two\n", 10));

    assertThat(report.status()).isEqualTo(TargetStatus.Success);
    List<RunReport> progress = fixture.progress;
    assertThat(progress).isNotEmpty();
    assertThat(progress).allMatch(p -> p.status() == TargetStatus.Running);
    // The start report waits for START_REPORT_DELAY, so it carries what was printed by then.
    assertThat(progress.getFirst().output()).isEqualTo("one\n");
    assertThat(progress).noneMatch(p -> p.output().contains("two"));
  }

  @Test
  void run_endsWithinStartDelay_onlyFinalReport() {
    RunReport report = fixture.run(RunFixture.shellTask("echo hi\n", 10));

    assertThat(fixture.progress).isEmpty();
    assertThat(report.status()).isEqualTo(TargetStatus.Success);
    assertThat(report.output()).isEqualTo("hi\n");
  }

  @Test
  void run_longerThanStartDelay_runningThenFinal() {
    Task task = RunFixture.shellTask("sleep 1; echo done\n", 10);
    List<RunReport> reports = new CopyOnWriteArrayList<>();
    List<Duration> handedOverAfter = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();

    RunReport result =
        new ScriptRun(task, fixture.settings())
            .run(
                report -> {
                  handedOverAfter.add(Duration.ofNanos(System.nanoTime() - start));
                  reports.add(report);
                });
    reports.add(result);

    assertThat(reports).hasSizeGreaterThanOrEqualTo(2);
    assertThat(reports.getFirst().status()).isEqualTo(TargetStatus.Running);
    assertThat(reports.getFirst().output()).isEmpty();
    assertThat(reports.subList(0, reports.size() - 1))
        .allMatch(report -> report.status() == TargetStatus.Running);
    assertThat(reports.getLast().status()).isEqualTo(TargetStatus.Success);
    assertThat(reports.getLast().output()).isEqualTo("done\n");
    assertThat(handedOverAfter.getFirst()).isGreaterThanOrEqualTo(ScriptRun.START_REPORT_DELAY);
  }

  /** A stop within the start delay ends the run before any Running report. */
  @Test
  void run_stopWithinStartDelay_noRunningReport() throws Exception {
    Task task = RunFixture.shellTask("sleep 30\n", 60);
    ScriptRun run = new ScriptRun(task, fixture.settings());
    run.onStart(process -> run.stop(ScriptRun.StopReason.STOPPED));
    long start = System.nanoTime();

    RunReport report = run.run(fixture.progress::add);

    assertThat(report.status()).isEqualTo(TargetStatus.Terminated);
    assertThat(fixture.progress).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(RunFixture.awaitNoProcessesOf(task.invokeId(), Duration.ofSeconds(2))).isEmpty();
  }

  @Test
  void run_missingInterpreter_errorExecutionException() {
    RunSettings base = fixture.settings();
    Interpreters missing =
        Interpreters.resolve(
            io.deskrun.protocol.OsType.Linux,
            Map.of(ScriptType.RunShellScript, List.of("/nonexistent/interpreter")),
            null);
    RunSettings settings =
        new RunSettings(
            base.desktopId(),
            missing,
            base.scriptDirectory(),
            base.workingDirectory(),
            false,
            null,
            base.progressInterval(),
            base.drainTimeout());

    RunReport report = new ScriptRun(RunFixture.shellTask("echo hi\n", 10), settings).run(r -> {});

    assertThat(report.status()).isEqualTo(TargetStatus.Error);
    assertThat(report.errorCode()).isEqualTo(ErrorCodes.EXECUTION_EXCEPTION);
    assertThat(report.errorInfo()).contains("/nonexistent/interpreter");
  }

  @Test
  void run_scriptDirectoryNotWritable_errorExecutionException() throws Exception {
    Files.writeString(stateDir.resolve("scripts"), "a file where the script dir should be");

    RunReport report = fixture.run(RunFixture.shellTask("echo hi\n", 10));

    assertThat(report.status()).isEqualTo(TargetStatus.Error);
    assertThat(report.errorCode()).isEqualTo(ErrorCodes.EXECUTION_EXCEPTION);
    assertThat(report.errorInfo()).startsWith("writing the script file failed");
  }

  @Test
  void run_typeWithoutInterpreter_errorExecutionException() {
    Task task = new Task("t-ps", ScriptType.RunBatScript, "echo hi", 10);

    RunReport report = fixture.run(task);

    assertThat(report.status()).isEqualTo(TargetStatus.Error);
    assertThat(report.errorCode()).isEqualTo(ErrorCodes.EXECUTION_EXCEPTION);
    assertThat(report.errorInfo()).contains("RunBatScript");
  }

  @Test
  void run_zeroTimeout_errorNamingValue() {
    RunReport report = fixture.run(RunFixture.shellTask("echo hi\n", 0));

    assertThat(report.status()).isEqualTo(TargetStatus.Error);
    assertThat(report.errorCode()).isEqualTo(ErrorCodes.EXECUTION_EXCEPTION);
    assertThat(report.errorInfo()).contains("got 0");
  }

  private void awaitOutput(String text) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      if (fixture.progress.stream().anyMatch(p -> p.output().contains(text))) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no progress report contained \"" + text + "\" within 5 s");
  }
}
