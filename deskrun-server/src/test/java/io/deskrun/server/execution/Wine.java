package io.deskrun.server.execution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Wine's {@code cmd} as a batch interpreter for the agent. The prefix is kept under {@code target/}
 * because creating one takes tens of seconds. A persistent wineserver runs while the tests do, so
 * each run starts only {@code cmd} and no Wine helper that would hold the run's output pipe open.
 */
final class Wine implements AutoCloseable {
  private static final Path PREFIX = Path.of("target", "wine-prefix").toAbsolutePath();
  private static final long SETUP_LIMIT_SECONDS = 180;

  private final Path wine;
  private final Path wineserver;
  private final String locale;

  private Wine(Path wine, Path wineserver, String locale) {
    this.wine = wine;
    this.wineserver = wineserver;
    this.locale = locale;
  }

  /** Returns why Wine cannot be used here, or empty when it can. */
  static Optional<String> unavailableReason() {
    if (find("wine").isEmpty() || find("wineserver").isEmpty()) {
      return Optional.of("wine and wineserver are not on PATH (.ci/run installs the wine package)");
    }
    return Optional.empty();
  }

  /**
   * Prepares the prefix and starts the wineserver; {@code locale} is the Unix locale Wine derives
   * the Windows locale and code pages from, such as {@code zh_CN.UTF-8} for code page 936.
   */
  static Wine start(String locale) throws IOException, InterruptedException {
    Wine wine = new Wine(find("wine").orElseThrow(), find("wineserver").orElseThrow(), locale);
    Files.createDirectories(PREFIX.getParent());
    // Persistent for 60 s after the last Wine process, in case close() is never reached.
    wine.exec(List.of(wine.wineserver.toString(), "-p60"));
    wine.exec(List.of(wine.wine.toString(), "cmd", "/c", "exit", "0"));
    wine.awaitNestedCmd();
    return wine;
  }

  /**
   * Waits until a batch file can start {@code cmd} itself. In a new prefix the first {@code cmd}
   * can return before Wine has finished setting the prefix up, and a nested {@code cmd} then fails
   * as an unknown command with exit code 49.
   */
  private void awaitNestedCmd() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETUP_LIMIT_SECONDS);
    List<String> probe = List.of(wine.toString(), "cmd", "/c", "cmd", "/c", "exit", "3");
    while (exec(probe) != 3) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "Wine's cmd could not start a nested cmd within " + SETUP_LIMIT_SECONDS + " s");
      }
      Thread.sleep(500);
    }
  }

  /** Returns the agent's batch interpreter command: Wine's cmd with this prefix and locale. */
  List<String> batchInterpreter() {
    List<String> command = new ArrayList<>(environmentCommand());
    command.addAll(List.of(wine.toString(), "cmd", "/d", "/c"));
    return command;
  }

  private List<String> environmentCommand() {
    return List.of(
        "/usr/bin/env",
        "WINEPREFIX=" + PREFIX,
        "WINEDEBUG=-all",
        "WINEDLLOVERRIDES=mscoree,mshtml=",
        "LC_ALL=" + locale);
  }

  /** Runs a command in the prefix and returns its exit code. */
  private int exec(List<String> words) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(environmentCommand());
    command.addAll(words);
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    if (!process.waitFor(SETUP_LIMIT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(command + " did not finish within " + SETUP_LIMIT_SECONDS + " s");
    }
    return process.exitValue();
  }

  /** Stops the wineserver and every Wine process of the prefix. */
  @Override
  public void close() throws IOException {
    try {
      exec(List.of(wineserver.toString(), "-k"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Optional<Path> find(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(":")) {
      Path candidate = Path.of(entry, name);
      if (!entry.isEmpty() && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
