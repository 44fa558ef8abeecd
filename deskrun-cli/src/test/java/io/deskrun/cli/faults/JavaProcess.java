package io.deskrun.cli.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM on this test's class path, with its output in a log file. {@link #kill()} sends
 * SIGKILL, {@link #terminate()} SIGTERM.
 */
final class JavaProcess implements AutoCloseable {
  private static final Duration EXIT_LIMIT = Duration.ofSeconds(60);

  private final String name;
  private final Process process;

  private JavaProcess(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  /** Starts {@code mainClass} with {@code args}; stdout and stderr are appended to {@code log}. */
  static JavaProcess start(String name, Path log, String mainClass, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Small and quick to start: the machine running the suite may have only two cores.
    command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(args);
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new JavaProcess(name, process);
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGKILL and waits until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    awaitExit(EXIT_LIMIT);
  }

  /** Sends SIGTERM and waits up to {@code limit} for the exit; returns the exit code. */
  int terminate(Duration limit) throws InterruptedException {
    process.destroy();
    return awaitExit(limit);
  }

  private int awaitExit(Duration limit) throws InterruptedException {
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " (pid " + process.pid() + ") did not exit within " + limit);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(EXIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
