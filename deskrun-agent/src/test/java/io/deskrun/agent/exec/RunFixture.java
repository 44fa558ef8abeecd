package io.deskrun.agent.exec;

import io.deskrun.protocol.OsType;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** Real runs of shell scripts in a temporary state dir, and a look at the process table. */
final class RunFixture {
  final Path stateDir;
  final List<RunReport> progress = new CopyOnWriteArrayList<>();

  RunFixture(Path stateDir) {
    this.stateDir = stateDir;
  }

  RunSettings settings() {
    Interpreters interpreters = Interpreters.resolve(OsType.Linux, Map.of(), System.getenv("PATH"));
    return new RunSettings(
        "ecd-test",
        interpreters,
        stateDir.resolve("scripts"),
        stateDir,
        false,
        null,
        Duration.ofMillis(200),
        Duration.ofSeconds(2));
  }

  static Task shellTask(String content, long timeoutSeconds) {
    String invokeId = "t-" + UUID.randomUUID();
    return new Task(invokeId, ScriptType.RunShellScript, content, timeoutSeconds);
  }

  RunReport run(Task task) {
    return new ScriptRun(task, settings()).run(progress::add);
  }

  /**
   * Returns the live processes (not zombies) whose environment contains this run's invoke id, which
   * every process started by the script inherits.
   */
  static List<ProcessHandle> processesOf(String invokeId) {
    byte[] marker = ("DESKRUN_INVOKE_ID=" + invokeId).getBytes(StandardCharsets.UTF_8);
    return ProcessHandle.allProcesses()
        .filter(handle -> environmentContains(handle.pid(), marker))
        .toList();
  }

  /** Waits up to {@code timeout} for every process of the run to be gone; returns the rest. */
  static List<ProcessHandle> awaitNoProcessesOf(String invokeId, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> left = processesOf(invokeId);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = processesOf(invokeId);
    }
    return left;
  }

  static void killAll(String invokeId) {
    processesOf(invokeId).forEach(ProcessHandle::destroyForcibly);
  }

  private static boolean environmentContains(long pid, byte[] marker) {
    try {
      byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
      return indexOf(environ, marker) >= 0;
    } catch (IOException e) {
      // Gone, a zombie, or another user's process.
      return false;
    }
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      if (i > 0 && data[i - 1] != 0) {
        continue;
      }
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      int end = i + pattern.length;
      if (end == data.length || data[end] == 0) {
        return i;
      }
    }
    return -1;
  }
}
